import * as vscode from 'vscode';

/** Activation stays cheap: commands are registered here, the engine loads on first use. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Stepwise', { log: true });
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('stepwise.verifySolution', async () => {
      const { verifyActiveDocument } = await import('./verify-command');
      return verifyActiveDocument(log);
    }),
  );
}

export function deactivate(): void {}
