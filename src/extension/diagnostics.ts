import * as vscode from 'vscode';
import type { VerificationCache } from './verification';

/** Below this PRM score a step gets a warning: it rarely leads to a right answer. */
export const LOW_SCORE = 0.3;
const WRONG_STEP = 'wrong-step';

/**
 * `Stepwise: Verify Solution` diagnostics: errors on steps the checker marks wrong, warnings on
 * low PRM scores; documents verified once are re-verified as they change (debounced).
 */
export class SolutionDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('stepwise');
  private readonly watched = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly cache: VerificationCache) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.watched.delete(doc.uri.toString());
        this.collection.delete(doc.uri);
      }),
    ];
  }

  async verify(doc: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
    this.watched.add(doc.uri.toString());
    const v = await this.cache.get(doc);
    const diagnostics: vscode.Diagnostic[] = [];
    v?.result.steps.forEach((step, i) => {
      const line = doc.lineAt(v.solution.steps[i].line);
      const range = new vscode.Range(line.lineNumber, line.firstNonWhitespaceCharacterIndex, line.lineNumber, line.text.length);
      if (step.valid === false) {
        const d = new vscode.Diagnostic(range, step.reason, vscode.DiagnosticSeverity.Error);
        d.code = WRONG_STEP;
        d.source = 'Stepwise';
        diagnostics.push(d);
      } else if (step.score !== null && step.score < LOW_SCORE) {
        const d = new vscode.Diagnostic(range, `low PRM score ${step.score.toFixed(2)}: this step rarely leads to a right answer`, vscode.DiagnosticSeverity.Warning);
        d.source = 'Stepwise';
        diagnostics.push(d);
      }
    });
    if (doc.isClosed) return diagnostics;
    this.collection.set(doc.uri, diagnostics);
    return diagnostics;
  }

  private changed(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    if (!this.watched.has(key)) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.verify(doc).catch(() => {});
      }, 600),
    );
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}

/** "Solve from here" on a wrong step: search again with the steps above it kept. */
export class SolveFromHereActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return context.diagnostics
      .filter((d) => d.source === 'Stepwise' && d.code === WRONG_STEP)
      .slice(0, 1)
      .map((d) => {
        const action = new vscode.CodeAction('Stepwise: Solve from here', vscode.CodeActionKind.QuickFix);
        action.command = { command: 'stepwise.solveFromLine', title: 'Solve from here', arguments: [doc.uri, d.range.start.line] };
        action.diagnostics = [d];
        action.isPreferred = true;
        return action;
      });
  }
}
