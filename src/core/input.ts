import { computeText, parseProblem, solveText } from './domain';

/** The user's input cannot be solved as given; the message says why, in one line. */
export class BadInputError extends Error {}

export const MAX_PROBLEM_CHARS = 2000;

/**
 * Checks a problem typed by a person and rewrites StepMath problems into the exact surface form
 * the bundled models were trained on ("Compute 12+7*(5-3)" -> "Compute 12 + 7 * ( 5 - 3 ).").
 */
export function prepareProblem(raw: string): string {
  const text = raw.replace(/\s+/g, ' ').trim();
  if (!text) throw new BadInputError('the problem is empty');
  if (raw.length > MAX_PROBLEM_CHARS) throw new BadInputError(`the problem is ${raw.length} characters long; the limit is ${MAX_PROBLEM_CHARS}`);
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(raw)) throw new BadInputError('the problem contains binary data, not text');
  if (!/[0-9]/.test(text)) throw new BadInputError('the problem has no numbers in it: Stepwise solves arithmetic, equations and word problems');
  const withStop = /[.?!]$/.test(text) ? text : `${text}.`;
  const spaced = withStop.replace(/^(compute|solve for x:)\s*/i, (m) => (m.toLowerCase().startsWith('compute') ? 'Compute ' : 'Solve for x: '));
  const problem = parseProblem(spaced);
  if (problem?.family === 'compute') return computeText(problem.expr);
  if (problem?.family === 'solve') return solveText(problem.lhs, problem.rhs);
  return problem ? problem.text : text;
}
