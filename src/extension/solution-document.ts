import type * as vscode from 'vscode';

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
