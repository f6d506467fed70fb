// The extension's commands, settings, side bar providers, hovers and diagnostics inside a real
// (code-server) extension host, on the bundled models.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { test } from '../runner';
import type { StepwiseApi } from '../../../src/extension/extension';
import type { SolveResult } from '../../../src/core/protocol/results';

const EXTENSION_ID = 'stepwise-dev.stepwise';
const WRONG = 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 15\n12 + 15 = 27';

async function api(): Promise<StepwiseApi> {
  const ext = vscode.extensions.getExtension<StepwiseApi>(EXTENSION_ID);
  assert.ok(ext);
  return ext.isActive ? ext.exports : ext.activate();
}

async function withSettings<T>(values: Record<string, unknown>, body: () => Promise<T>): Promise<T> {
  const config = vscode.workspace.getConfiguration('stepwise');
  for (const [k, v] of Object.entries(values)) await config.update(k, v, vscode.ConfigurationTarget.Global);
  try {
    return await body();
  } finally {
    for (const k of Object.keys(values)) await config.update(k, undefined, vscode.ConfigurationTarget.Global);
  }
}

test('every palette command is registered and activation loads no model', async () => {
  const { activationMs } = await api();
  console.log(`[vscode-test] activation took ${activationMs} ms`);
  const commands = await vscode.commands.getCommands(true);
  for (const c of ['stepwise.solveProblem', 'stepwise.solveSelection', 'stepwise.verifySolution', 'stepwise.cancel', 'stepwise.showLog']) assert.ok(commands.includes(c), c);
  assert.ok(activationMs < 1000, `activation took ${activationMs} ms`);
});

test('Solve Problem returns scored candidates and fills the search tree', async () => {
  const { searchTree } = await api();
  const result = (await vscode.commands.executeCommand('stepwise.solveProblem', 'Compute 12+7*(5-3)')) as SolveResult;
  assert.ok(result, 'a result');
  assert.equal(result.problem, 'Compute 12 + 7 * ( 5 - 3 ).');
  assert.ok(result.candidates.length >= 1);
  for (const c of result.candidates) for (const s of c.steps) assert.equal(typeof s.score, 'number');
  await new Promise((r) => setTimeout(r, 400));
  const [root] = searchTree.getChildren();
  assert.equal(root.node.text, 'Compute 12 + 7 * ( 5 - 3 ).');
  const children = searchTree.getChildren(root);
  assert.ok(children.length >= 1);
  const item = searchTree.getTreeItem(children[0]);
  assert.match(String(item.description), /^\d\.\d\d/, 'the PRM score is in the description');
  assert.ok(item.iconPath instanceof vscode.ThemeIcon);
});

test('settings take effect without a reload', async () => {
  const result = await withSettings({ strategy: 'bon', budget: 3 }, async () => (await vscode.commands.executeCommand('stepwise.solveProblem', 'Compute 4 * 5.')) as SolveResult);
  assert.equal(result.strategy, 'bon');
  assert.equal(result.budget, 3);
  assert.ok(result.tree.filter((n) => n.parentId === 0).length === 3, 'three samples');
});

test('bad input gets a message and no result', async () => {
  // The error message the user sees, caught on its way to the window.
  const shown: string[] = [];
  const original = vscode.window.showErrorMessage;
  (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string) => {
    shown.push(message);
    return Promise.resolve(undefined);
  };
  try {
    const result = await vscode.commands.executeCommand('stepwise.solveProblem', 'Write me a poem about spring');
    assert.equal(result, undefined);
  } finally {
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = original;
  }
  assert.equal(shown.length, 1);
  assert.match(shown[0], /^Stepwise: the problem has no numbers in it/);
});

test("hovering a wrong step shows the checker's verdict first, then the PRM score without a bar", async () => {
  const doc = await vscode.workspace.openTextDocument({ content: WRONG, language: 'plaintext' });
  await vscode.window.showTextDocument(doc);
  const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(2, 3))) as vscode.Hover[];
  // appendText escapes markdown: undo it to read what the user sees.
  const text = hovers
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value)))
    .join('\n')
    .replace(/\\(.)/g, '$1');
  assert.match(text, /7 \* 2 is 14, not 15/);
  assert.match(text, /✗ \*\*wrong\*\*: 7 \* 2 is 14, not 15\n\nPRM score \d\.\d\d given the lines above/);
  const started = Date.now();
  await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(2, 3));
  console.log(`[vscode-test] second hover took ${Date.now() - started} ms`);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('Verify Solution puts the reason on the wrong step in the Problems panel', async () => {
  const doc = await vscode.workspace.openTextDocument({ content: WRONG, language: 'plaintext' });
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('stepwise.verifySolution');
  const diagnostics = vscode.languages.getDiagnostics(doc.uri);
  const error = diagnostics.find((d) => d.severity === vscode.DiagnosticSeverity.Error);
  assert.ok(error, JSON.stringify(diagnostics.map((d) => d.message)));
  assert.equal(error.message, '7 * 2 is 14, not 15');
  assert.equal(error.range.start.line, 2);
  const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, error.range)) as vscode.CodeAction[];
  assert.ok(actions.some((a) => a.title === 'Stepwise: Solve from here'));
  // Fixing the step clears the error after the debounce.
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, doc.lineAt(2).range, '7 * 2 = 14');
  await vscode.workspace.applyEdit(edit);
  for (let i = 0; i < 40 && vscode.languages.getDiagnostics(doc.uri).some((d) => d.message === '7 * 2 is 14, not 15'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(!vscode.languages.getDiagnostics(doc.uri).some((d) => d.message === '7 * 2 is 14, not 15'));
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('the history keeps solves', async () => {
  const { history } = await api();
  assert.ok(history.entries().length >= 1);
  assert.ok(history.entries().some((e) => e.problem === 'Compute 4 * 5.'));
});
