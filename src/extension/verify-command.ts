import * as vscode from 'vscode';
import type { VerifyResult } from '../core/protocol/results';
import type { SolutionDiagnostics } from './diagnostics';
import type { VerificationCache } from './verification';
import { readSolution } from './solution-document';

/** `Stepwise: Verify Solution`: the checker and the PRM on the active document's steps, as diagnostics. */
export async function verifyActiveDocument(cache: VerificationCache, diagnostics: SolutionDiagnostics): Promise<VerifyResult | undefined> {
  const editor = vscode.window.activeTextEditor;
  const solution = editor && readSolution(editor.document);
  if (!editor || !solution) {
    void vscode.window.showWarningMessage('Stepwise: open a document with a problem on its first line and one step per line.');
    return undefined;
  }
  try {
    const found = await diagnostics.verify(editor.document);
    const result = (await cache.get(editor.document))?.result;
    const wrong = found.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
    void vscode.window.showInformationMessage(wrong ? `Stepwise: ${wrong} wrong step${wrong > 1 ? 's' : ''} — see the Problems panel.` : 'Stepwise: no wrong step found.');
    return result;
  } catch (e) {
    void vscode.window.showErrorMessage(`Stepwise: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
