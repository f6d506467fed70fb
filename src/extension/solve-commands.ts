import * as vscode from 'vscode';
import { API_KEY_SECRET, type StepwiseController } from './controller';
import { SolvePanel } from './panel';

/** The text to solve: the selection, or the cursor's line. */
function selectionOrLine(editor: vscode.TextEditor | undefined): string {
  if (!editor) return '';
  const selected = editor.document.getText(editor.selection).trim();
  return selected || editor.document.lineAt(editor.selection.active.line).text.trim();
}

/** Solving from the palette or the editor, cancelling, the API key, and settings that apply at once. */
export function registerSolveCommands(context: vscode.ExtensionContext, controller: StepwiseController, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('stepwise.solveProblem', async (problem?: string) => {
      const text =
        typeof problem === 'string'
          ? problem
          : await vscode.window.showInputBox({
              title: 'Stepwise: Solve Problem',
              prompt: 'A problem, e.g. "Compute 12 + 7 * ( 5 - 3 ).", "Solve for x: 3 * x + 5 = 20." or "Make 24 with 4 7 8 8."',
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
    vscode.commands.registerCommand('stepwise.cancel', () => controller.cancel()),
    vscode.commands.registerCommand('stepwise.showLog', () => log.show()),
    vscode.commands.registerCommand('stepwise.setApiKey', async (key?: string) => {
      const value = typeof key === 'string' ? key : await vscode.window.showInputBox({ title: 'Stepwise: API key for the model servers', password: true, ignoreFocusOut: true, prompt: 'Stored in VS Code secret storage; sent as a Bearer token to stepwise.policyUrl and stepwise.prmUrl.' });
      if (value === undefined) return;
      if (value) await context.secrets.store(API_KEY_SECRET, value);
      else await context.secrets.delete(API_KEY_SECRET);
    }),
    context.secrets.onDidChange((e) => e.key === API_KEY_SECRET && void controller.reconfigure()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('stepwise') && void controller.reconfigure()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void controller.reconfigure()),
    vscode.window.registerWebviewPanelSerializer(SolvePanel.viewType, {
      deserializeWebviewPanel: async (panel, state) => controller.revivePanel(panel, state),
    }),
  );
}
