import * as vscode from 'vscode';
import { StepwiseController } from './controller';
import { SolvePanel } from './panel';
import { verifyActiveDocument } from './verify-command';

/** Activation stays cheap: commands are registered here, the engine's worker starts on first use. */
export function activate(context: vscode.ExtensionContext): StepwiseController {
  const log = vscode.window.createOutputChannel('Stepwise', { log: true });
  const controller = new StepwiseController(context, log);

  const selectionOrLine = (editor: vscode.TextEditor | undefined): string => {
    if (!editor) return '';
    const selected = editor.document.getText(editor.selection).trim();
    return selected || editor.document.lineAt(editor.selection.active.line).text.trim();
  };

  context.subscriptions.push(
    log,
    controller,
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
    vscode.commands.registerCommand('stepwise.verifySolution', () => verifyActiveDocument(controller)),
    vscode.commands.registerCommand('stepwise.cancel', () => controller.cancel()),
    vscode.commands.registerCommand('stepwise.showLog', () => log.show()),
    vscode.window.registerWebviewPanelSerializer(SolvePanel.viewType, {
      deserializeWebviewPanel: async (panel, state) => controller.revivePanel(panel, state),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('stepwise') && controller.reconfigure()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => controller.reconfigure()),
  );
  return controller;
}

export function deactivate(): void {}
