import {
  answerOf,
  computeText,
  evaluate,
  formatExpr,
  linearForm,
  MathError,
  parseExpr,
  parseProblem,
  ParseError,
  solveText,
  type Expr,
  type Problem,
} from '.';
import { BadInputError, MAX_PROBLEM_CHARS } from '../../bad-input';

/** Characters a `Compute` expression or a `Solve for x:` equation is written with (normalizeMath's spellings included). */
const COMPUTE_CHARS = /^[0-9\s.,+\-*/()×✕·÷−–—$%xX]*$/;
const SOLVE_CHARS = /^[0-9\s.,+\-*/()×✕·÷−–—$%x=]*$/;

/** An operator between two operands ("12 + 7", "3 x 4", "(5 - 3) * 2"): arithmetic, not a list of numbers. */
const BINARY = /[\d)%]\s*(?:[+\-*/×✕·÷−–—]|[xX](?=\s*[\d($.]))\s*[-+−–(\s$]*[\d.$(]/;

/**
 * Arithmetic typed with nothing around it ("12 + 7 * (5 - 3)", "12+7 =", "3 x 4?"): the
 * expression of a Compute problem, or null. A bare list of numbers ("4 7 8 8") is not one (Make 24
 * reads those first), nor is text with words.
 */
function bareExpression(text: string): string | null {
  const body = text.replace(/[\s=?!]+$/, '').replace(/\.$/, '').trim();
  return /\d/.test(body) && COMPUTE_CHARS.test(body) && BINARY.test(body) ? body : null;
}

const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);

/**
 * StepMath problems in the exact surface form the bundled models were trained on
 * ("Compute 12+7*(5-3)" -> "Compute 12 + 7 * ( 5 - 3 )."); null for text that is not one
 * (word problems outside the templates included). Throws BadInputError for a StepMath problem
 * with no answer or an expression that does not parse.
 */
export function prepareStepMath(text: string): string | null {
  const stated = /^(compute\b|solve for x:)\s*(.*?)[\s.?!]*$/i.exec(text);
  const bare = stated ? null : bareExpression(text);
  const spaced = stated
    ? `${stated[1].toLowerCase() === 'compute' ? 'Compute' : 'Solve for x:'} ${stated[2]}.`
    : bare !== null
      ? `Compute ${bare}.`
      : /[.?!]$/.test(text)
        ? text
        : `${text}.`;
  const problem = parseProblem(spaced);
  if (!problem) {
    if (stated) diagnose(stated[1].toLowerCase() === 'compute' ? 'compute' : 'solve', stated[2]);
    return null;
  }
  requireAnswer(problem);
  if (problem.family === 'word') return problem.text;
  // Written out with single spaces the problem may grow; it must still pass this check next time.
  const written = problem.family === 'compute' ? computeText(problem.expr) : solveText(problem.lhs, problem.rhs);
  if (written.length > MAX_PROBLEM_CHARS) throw new BadInputError(`the problem is ${written.length} characters long written out; the limit is ${MAX_PROBLEM_CHARS}`);
  return written;
}

/**
 * "Compute <expr>" / "Solve for x: <equation>" written only with arithmetic that did not parse:
 * the person meant an expression, so say what is wrong with it rather than let a model guess.
 * Anything with words in it, or a well-formed equation that is not linear, is left to the model.
 */
function diagnose(family: 'compute' | 'solve', body: string): void {
  const read = (side: string, allowVar: boolean): Expr => {
    try {
      return parseExpr(side, allowVar);
    } catch (e) {
      if (e instanceof ParseError) throw new BadInputError(`cannot read ${quote(side.trim())}: ${e.message}`);
      throw e;
    }
  };
  if (family === 'compute') {
    if (COMPUTE_CHARS.test(body)) read(body, false);
    return;
  }
  if (!SOLVE_CHARS.test(body)) return;
  const sides = body.split('=');
  if (sides.length !== 2) throw new BadInputError(`an equation to solve needs exactly one "=" (found ${sides.length - 1})`);
  for (const side of sides) {
    const e = read(side, true);
    const zero = zeroDivisor(e);
    if (zero) throw new BadInputError(`${formatExpr(zero)} divides by zero`);
  }
}

/** A problem whose answer does not exist (5 / 0, x = x + 1) is bad input, not a search. */
function requireAnswer(p: Problem): void {
  try {
    answerOf(p);
  } catch (e) {
    if (!(e instanceof MathError)) throw e;
    const zero = p.family === 'solve' ? (zeroDivisor(p.lhs) ?? zeroDivisor(p.rhs)) : zeroDivisor(p.expr);
    if (zero) throw new BadInputError(`${formatExpr(zero)} divides by zero, so the problem has no answer`);
    if (p.family === 'solve') {
      const l = linearForm(p.lhs);
      const r = linearForm(p.rhs);
      throw new BadInputError(l.b.equals(r.b) ? 'every x solves this equation, so it has no single answer' : 'no x solves this equation');
    }
    throw new BadInputError(`the problem has no answer (${e.message})`);
  }
}

/** The first division whose divisor is exactly zero, or null. */
function zeroDivisor(e: Expr): Expr | null {
  if (e.kind !== 'bin') return null;
  const inner = zeroDivisor(e.left) ?? zeroDivisor(e.right);
  if (inner) return inner;
  if (e.op !== '/') return null;
  try {
    return evaluate(e.right).equals(0) ? e : null;
  } catch {
    return null; // the divisor has x in it
  }
}
