import * as vscode from 'vscode';
import type { VerifyResult } from '../core/protocol/results';
import type { StepwiseController } from './controller';
import { readSolution, type SolutionDocument } from './solution-document';

export interface Verification {
  solution: SolutionDocument;
  result: VerifyResult;
}

/**
 * Checker verdicts and PRM scores of a document, computed once per document version and shared
 * by hovers and diagnostics (so a hover after the first costs a map lookup).
 */
export class VerificationCache {
  private readonly entries = new Map<string, { version: number; promise: Promise<Verification | null> }>();

  constructor(private readonly controller: StepwiseController) {}

  get(doc: vscode.TextDocument): Promise<Verification | null> {
    const key = doc.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version) return hit.promise;
    const solution = readSolution(doc);
    const promise = solution
      ? this.controller
          .ready()
          .then((engine) => engine.verify(solution.problem, solution.steps.map((s) => s.text)))
          .then((result) => ({ solution, result }))
      : Promise.resolve(null);
    promise.catch(() => this.entries.delete(key));
    this.entries.set(key, { version: doc.version, promise });
    return promise;
  }

  forget(doc: vscode.TextDocument): void {
    this.entries.delete(doc.uri.toString());
  }
}
