import * as vscode from 'vscode';
import type { VerifyResult } from '../core/protocol/results';
import type { SolutionDiagnostics } from './diagnostics';
import type { VerificationCache } from './verification';

/** A document read as a solution: the first non-empty line is the problem, the rest are steps. */
export interface SolutionDocument {
  problem: string;
  problemLine: number;
  steps: { text: string; line: number }[];
}

export function readSolution(doc: vscode.TextDocument): SolutionDocument | null {
  let problemLine = -1;
  const steps: { text: string; line: number }[] = [];
  for (let i = 0; i < doc.lineCount; i++) {
    const text = doc.lineAt(i).text;
    if (problemLine < 0) {
      if (text.trim()) problemLine = i;
      continue;
    }
    if (text.trim()) steps.push({ text, line: i });
  }
  return problemLine < 0 ? null : { problem: doc.lineAt(problemLine).text.trim(), problemLine, steps };
}

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
