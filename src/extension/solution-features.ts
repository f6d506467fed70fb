import * as vscode from 'vscode';
import type { StepwiseController } from './controller';
import { VerificationCache } from './verification';
import { SolutionDiagnostics, SolveFromHereActions } from './diagnostics';
import { StepHoverProvider } from './hover';
import { verifyActiveDocument } from './verify-command';
import { readSolution } from './solution-document';

const SOLUTION_DOCUMENTS: vscode.DocumentSelector = [{ language: 'markdown' }, { language: 'plaintext' }, { scheme: 'untitled' }];

/** What the editor offers on a written solution: Verify, diagnostics as you type, hovers, Solve from here. */
export function registerSolutionFeatures(context: vscode.ExtensionContext, controller: StepwiseController): { hover: StepHoverProvider; diagnostics: SolutionDiagnostics } {
  const cache = new VerificationCache(controller);
  const diagnostics = new SolutionDiagnostics(cache);
  const hover = new StepHoverProvider(cache, controller);
  context.subscriptions.push(
    diagnostics,
    vscode.commands.registerCommand('stepwise.verifySolution', () => verifyActiveDocument(cache, diagnostics)),
    vscode.commands.registerCommand('stepwise.solveFromLine', (uri: vscode.Uri, line: number) => {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const solution = doc && readSolution(doc);
      if (!solution) return undefined;
      return controller.solve(solution.problem, { prefix: solution.steps.filter((s) => s.line < line).map((s) => s.text.trim()) });
    }),
    vscode.languages.registerHoverProvider(SOLUTION_DOCUMENTS, hover),
    vscode.languages.registerCodeActionsProvider(SOLUTION_DOCUMENTS, new SolveFromHereActions(), { providedCodeActionKinds: SolveFromHereActions.kinds }),
    vscode.workspace.onDidCloseTextDocument((doc) => cache.forget(doc)),
  );
  return { hover, diagnostics };
}
