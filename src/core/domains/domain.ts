import type { PolicyTable } from '../adapt/plan-table';
import type { Verifier } from '../search/params';
import type { DomainName } from '../protocol/results';

export type { DomainName };

/** The checker's verdict on one step: true right, false wrong, null nothing it can check. */
export interface StepVerdict {
  text: string;
  valid: boolean | null;
  reason: string;
}

export interface SolutionVerdict {
  steps: StepVerdict[];
  answer: string | null;
}

/**
 * A kind of problem Stepwise knows: how to recognise it, what the models are, when a solution
 * ends, how to check a step. The engine, CLI, report and extension see domains only through this,
 * so a new domain is one new folder under src/core/domains and one line in its index.
 */
export interface Domain {
  readonly name: DomainName;
  /** For people: "StepMath", "Make 24". */
  readonly title: string;
  /**
   * The problem in the surface form the bundled models read when the text is this domain's, or
   * null when it is not. Throws BadInputError when it is this domain's but cannot be solved as given.
   */
  recognise(text: string): string | null;
  /** The checker on a written solution: one verdict per step, and the answer it states. */
  check(problem: string, steps: readonly string[]): SolutionVerdict;
  /**
   * The checker on only what each step itself claims (its arithmetic, its rewrite of what is left,
   * an answer equal to the value the steps reached), never a worked-out answer: what a search with
   * Verifier `checked` may use. Where `selfChecking`, the same as `check`.
   */
  checkClaims(problem: string, steps: readonly string[]): SolutionVerdict;
  /** The answer a step states when it ends the solution (the stop rule), else null. */
  answerOf(step: string): string | null;
  /** Equal answers share a key (majority vote groups by it). */
  answerKey(answer: string): string;
  /**
   * The checker reads only the problem and what each step claims (never a worked-out answer), so
   * a search may use its verdicts: rank checked solutions first, score a step it proves wrong 0.
   */
  readonly selfChecking: boolean;
  /**
   * A step picks one of several legitimate moves (Make 24: which two numbers, which operation), so
   * a tree search asks for different steps below one node (`expand`'s `distinct`). Where a step
   * has one right content and the policy's alternatives to it are mostly slips (StepMath), false:
   * children stay independent samples (distinct ones measured 15 points worse on StepMath).
   */
  readonly stepsAreChoices: boolean;
  /** How big the problem is, 0..1 (operations, numbers): a feature of auto's difficulty estimate. */
  size(problem: string): number;
  /** Folders of the bundled models under models/. */
  readonly models: { readonly policy: string; readonly prm: string; readonly policy4x: string };
  /** auto's calibrated tables for this domain's problems, one per verifier. */
  readonly planTables: Readonly<Record<Verifier, PolicyTable>>;
}

