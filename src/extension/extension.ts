import * as vscode from 'vscode';
import type { TreeRow } from './tree-rows';
import { API_KEY_SECRET, StepwiseController } from './controller';
import { SolvePanel } from './panel';
import { verifyActiveDocument } from './verify-command';
import { readSolution } from './solution-document';
import { SearchTreeProvider } from './tree-view';
import { HistoryProvider } from './history';
import { TreePictureView } from './tree-picture';
import { VerificationCache } from './verification';
import { StepHoverProvider } from './hover';
import { SolutionDiagnostics, SolveFromHereActions } from './diagnostics';
import { LiveSearch } from './live-search';
import { CursorSync } from './cursor-sync';
import { ExplainPanel, type StepToExplain } from './explain-panel';

/** What activation hands to tests (and nothing heavier: the engine's worker starts on first use). */
export interface StepwiseApi {
  /** Milliseconds from the bundle starting to load to the end of activate(). */
  activationMs: number;
  controller: StepwiseController;
  searchTree: SearchTreeProvider;
  history: HistoryProvider;
  hover: StepHoverProvider;
  diagnostics: SolutionDiagnostics;
}

const SOLUTION_DOCUMENTS: vscode.DocumentSelector = [{ language: 'markdown' }, { language: 'plaintext' }, { scheme: 'untitled' }];

export function activate(context: vscode.ExtensionContext): StepwiseApi {
  const log = vscode.window.createOutputChannel('Stepwise', { log: true });
  const controller = new StepwiseController(context, log);
  const searchTree = new SearchTreeProvider();
  const history = new HistoryProvider(context.workspaceState);
  const cache = new VerificationCache(controller);
  const diagnostics = new SolutionDiagnostics(cache);
  const hover = new StepHoverProvider(cache, controller);

  const revealNode = (nodeId: number) => {
    const search = controller.last;
    if (!search) return;
    const holder = search.candidateThrough(nodeId);
    if (!holder) return;
    if (holder.nodeId !== nodeId && !search.pathTo(holder.nodeId).some((n) => n.id === nodeId)) void vscode.window.setStatusBarMessage('Stepwise: no candidate finished below this step; showing the one it branched from', 4000);
    controller.showSearch(search, holder.nodeId);
  };
  const picture = new TreePictureView(context.extensionUri, revealNode, log);
  const treeView = vscode.window.createTreeView('stepwise.searchTree', { treeDataProvider: searchTree, showCollapseAll: true });
  const cursorSync = new CursorSync(controller, searchTree, treeView);

  /** The step to explain: a tree row's path, a step handed over (panel, hover), or the cursor's line. */
  const explainTarget = (arg: TreeRow | StepToExplain | undefined): StepToExplain | null => {
    if (arg && 'node' in arg) {
      const search = controller.last;
      const steps = searchTree.pathText(arg.node.id);
      return search && steps.length ? { problem: search.state.problem, steps, index: steps.length - 1 } : null;
    }
    if (arg) return arg;
    const editor = vscode.window.activeTextEditor;
    const solution = editor && readSolution(editor.document);
    const index = solution?.steps.findIndex((s) => s.line === editor!.selection.active.line) ?? -1;
    return solution && index >= 0 ? { problem: solution.problem, steps: solution.steps.slice(0, index + 1).map((s) => s.text), index } : null;
  };

  const selectionOrLine = (editor: vscode.TextEditor | undefined): string => {
    if (!editor) return '';
    const selected = editor.document.getText(editor.selection).trim();
    return selected || editor.document.lineAt(editor.selection.active.line).text.trim();
  };

  context.subscriptions.push(
    log,
    controller,
    treeView,
    cursorSync,
    diagnostics,
    controller.onSearch((s) => {
      searchTree.show(s);
      picture.show(s);
    }),
    controller.onResult((r) => void history.add(r)),
    vscode.commands.registerCommand('stepwise.solveProblem', async (problem?: string) => {
      const text =
        typeof problem === 'string'
          ? problem
          : await vscode.window.showInputBox({
              title: 'Stepwise: Solve Problem',
              prompt: 'A problem, e.g. "Compute 12 + 7 * ( 5 - 3 )." or "Solve for x: 3 * x + 5 = 20."',
              value: selectionOrLine(vscode.window.activeTextEditor),
              ignoreFocusOut: true,
              validateInput: (s) => (s.trim() ? undefined : 'Type a problem to solve.'),
            });
      if (!text?.trim()) return undefined;
      return controller.solve(text);
    }),
    vscode.commands.registerCommand('stepwise.solveSelection', () => {
      const text = selectionOrLine(vscode.window.activeTextEditor);
      if (!text) {
        void vscode.window.showInformationMessage('Stepwise: select a problem (or put the cursor on its line) first.');
        return undefined;
      }
      return controller.solve(text);
    }),
    vscode.commands.registerCommand('stepwise.verifySolution', () => verifyActiveDocument(cache, diagnostics)),
    vscode.commands.registerCommand('stepwise.cancel', () => controller.cancel()),
    vscode.commands.registerCommand('stepwise.showLog', () => log.show()),
    vscode.commands.registerCommand('stepwise.revealNode', (nodeId: number) => revealNode(nodeId)),
    vscode.commands.registerCommand('stepwise.continueFrom', (row?: TreeRow) => {
      const target = row ?? treeView.selection[0];
      const search = controller.last;
      if (!target || !search) return undefined;
      return controller.solve(search.state.problem, { prefix: searchTree.pathText(target.node.id) });
    }),
    vscode.commands.registerCommand('stepwise.explainStep', (arg?: TreeRow | StepToExplain) => {
      const target = explainTarget(arg ?? treeView.selection[0]);
      if (!target) {
        void vscode.window.showInformationMessage('Stepwise: put the cursor on a step of a solution (or choose a step in the Search Tree) to explain it.');
        return undefined;
      }
      return ExplainPanel.show(target, context.extensionUri, controller, log);
    }),
    vscode.commands.registerCommand('stepwise.copyPath', async (row?: TreeRow) => {
      const target = row ?? treeView.selection[0];
      const search = controller.last;
      if (!target || !search) return;
      await vscode.env.clipboard.writeText([search.state.problem, ...searchTree.pathText(target.node.id)].join('\n'));
      void vscode.window.setStatusBarMessage('Stepwise: path copied as a solution', 3000);
    }),
    vscode.commands.registerCommand('stepwise.openHistory', (time: number) => {
      const entry = history.entries().find((e) => e.time === time);
      if (!entry) return;
      const search = new LiveSearch(entry.problem, entry.strategy, entry.result.budget, []);
      search.finish(entry.result);
      controller.showSearch(search);
    }),
    vscode.commands.registerCommand('stepwise.clearHistory', () => history.clear()),
    vscode.commands.registerCommand('stepwise.setApiKey', async (key?: string) => {
      const value = typeof key === 'string' ? key : await vscode.window.showInputBox({ title: 'Stepwise: API key for the model servers', password: true, ignoreFocusOut: true, prompt: 'Stored in VS Code secret storage; sent as a Bearer token to stepwise.policyUrl and stepwise.prmUrl.' });
      if (value === undefined) return;
      if (value) await context.secrets.store(API_KEY_SECRET, value);
      else await context.secrets.delete(API_KEY_SECRET);
    }),
    context.secrets.onDidChange((e) => e.key === API_KEY_SECRET && void controller.reconfigure()),
    vscode.commands.registerCommand('stepwise.solveFromLine', (uri: vscode.Uri, line: number) => {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const solution = doc && readSolution(doc);
      if (!solution) return undefined;
      return controller.solve(solution.problem, { prefix: solution.steps.filter((s) => s.line < line).map((s) => s.text.trim()) });
    }),
    vscode.window.registerTreeDataProvider('stepwise.history', history),
    vscode.window.registerWebviewViewProvider(TreePictureView.viewType, picture),
    vscode.languages.registerHoverProvider(SOLUTION_DOCUMENTS, hover),
    vscode.languages.registerCodeActionsProvider(SOLUTION_DOCUMENTS, new SolveFromHereActions(), { providedCodeActionKinds: SolveFromHereActions.kinds }),
    vscode.window.registerWebviewPanelSerializer(SolvePanel.viewType, {
      deserializeWebviewPanel: async (panel, state) => controller.revivePanel(panel, state),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('stepwise') && void controller.reconfigure()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void controller.reconfigure()),
    vscode.workspace.onDidCloseTextDocument((doc) => cache.forget(doc)),
  );
  const loadStart = (globalThis as { __stepwiseLoadStart?: number }).__stepwiseLoadStart ?? performance.now();
  const activationMs = Math.round((performance.now() - loadStart) * 10) / 10;
  log.info(`activated in ${activationMs} ms (no model loaded: the engine starts on first use)`);
  return { activationMs, controller, searchTree, history, hover, diagnostics };
}

export function deactivate(): void {}
