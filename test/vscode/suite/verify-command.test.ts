// stepwise.verifySolution inside a real (code-server) extension host.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { test } from '../runner';

const EXTENSION_ID = 'stepwise-dev.stepwise';
const SOLUTION = 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 15';

interface StepResult {
  valid: boolean;
  reason: string;
}

test('the extension is present and stepwise.verifySolution is registered once it activates', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is loaded as a development extension`);
  // activationEvents is empty: the command's contribution activates it on first use, and
  // getCommands() lists only commands registered so far, so activate it first.
  await ext.activate();
  const commands = await vscode.commands.getCommands(true);
  assert.ok(commands.includes('stepwise.verifySolution'), 'stepwise.verifySolution is registered');
});

test('stepwise.verifySolution flags the wrong step of an untitled document', async () => {
  const doc = await vscode.workspace.openTextDocument({ content: SOLUTION });
  await vscode.window.showTextDocument(doc);
  const result = (await vscode.commands.executeCommand('stepwise.verifySolution')) as { steps: StepResult[] } | undefined;
  assert.ok(result, 'the command returns a result');
  assert.equal(result.steps[1]?.valid, false);
  assert.equal(result.steps[1]?.reason, '7 * 2 is 14, not 15');
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});
