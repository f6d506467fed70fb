import * as vscode from 'vscode';
import { checkSolution } from '../core/verify';

/** Checks the active document: first line the problem, then one step per line. */
export async function verifyActiveDocument(log: vscode.LogOutputChannel) {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('Stepwise: open a document with a problem on its first line and one step per line.');
    return undefined;
  }
  const lines = editor.document.getText().split(/\r?\n/);
  const [problem, ...steps] = lines;
  const result = checkSolution(problem ?? '', steps);
  log.info(`verified ${steps.length} lines of ${editor.document.uri.toString()}`);
  return result;
}
