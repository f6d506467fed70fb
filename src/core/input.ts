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
} from './domain';

/** The user's input cannot be solved as given; the message says why, in one line. */
export class BadInputError extends Error {}

export const MAX_PROBLEM_CHARS = 2000;

/**
 * Most digits in one number. The bundled models read one token per digit and were trained on
 * numbers up to 999; beyond 15 digits a decimal no longer survives the round trip through the
 * surface form exactly, so a longer number is a typo or a paste, not a problem.
 */
export const MAX_NUMBER_DIGITS = 15;

/** Characters a `Compute` expression or a `Solve for x:` equation is written with (normalizeMath's spellings included). */
const COMPUTE_CHARS = /^[0-9\s.,+\-*/()×✕·÷−–—$%xX]*$/;
const SOLVE_CHARS = /^[0-9\s.,+\-*/()×✕·÷−–—$%x=]*$/;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);

/**
 * Checks a problem typed by a person and rewrites StepMath problems into the exact surface form
 * the bundled models were trained on ("Compute 12+7*(5-3)" -> "Compute 12 + 7 * ( 5 - 3 ).").
 * Throws BadInputError, with a one-line reason, for text no model should be asked to solve.
 */
export function prepareProblem(raw: string): string {
  if (raw.length > MAX_PROBLEM_CHARS) throw new BadInputError(`the problem is ${raw.length} characters long; the limit is ${MAX_PROBLEM_CHARS}`);
  // Control characters, replacement characters (invalid UTF-8) and lone surrogates: bytes, not text.
  if (/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]|\p{Cs}/u.test(raw)) throw new BadInputError('the problem contains binary data, not text');
  // Embedding, override and isolate controls reorder what is shown: the problem on screen would
  // not be the problem solved ("Trojan source"). Right-to-left text itself is fine.
  const bidi = /[\u202a-\u202e\u2066-\u2069]/.exec(raw);
  if (bidi) throw new BadInputError(`the problem contains an invisible direction control (${codePoint(bidi[0])}) that makes it display differently from what it says; remove it`);
  // Direction marks carry no content; NFC then composes decomposed accents (e + U+0301 -> é),
  // including a mark that only met its letter once a direction mark between them was removed.
  const text = raw.replace(/[\u200e\u200f\u061c]/g, '').normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!text) throw new BadInputError('the problem is empty');
  const mark = /([0-9+\-*/=().])(\p{M})/u.exec(text);
  if (mark) throw new BadInputError(`"${mark[1]}" carries a combining mark (${codePoint(mark[2])}); retype the problem without marks on its digits and symbols`);
  if (!/[0-9]/.test(text)) {
    const other = /\p{Nd}/u.exec(text);
    if (other) throw new BadInputError(`write the numbers with the digits 0-9 (found "${other[0]}", ${codePoint(other[0])})`);
    throw new BadInputError('the problem has no numbers in it: Stepwise solves arithmetic, equations and word problems');
  }
  for (const n of text.match(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g) ?? []) {
    const digits = n.replace(/\D/g, '').length;
    if (digits > MAX_NUMBER_DIGITS) throw new BadInputError(`a number with ${digits} digits is too long: Stepwise works with numbers of up to ${MAX_NUMBER_DIGITS} digits`);
  }
  const stated = /^(compute\b|solve for x:)\s*(.*?)[\s.?!]*$/i.exec(text);
  const spaced = stated
    ? `${stated[1].toLowerCase() === 'compute' ? 'Compute' : 'Solve for x:'} ${stated[2]}.`
    : /[.?!]$/.test(text)
      ? text
      : `${text}.`;
  const problem = parseProblem(spaced);
  if (!problem) {
    if (stated) diagnose(stated[1].toLowerCase() === 'compute' ? 'compute' : 'solve', stated[2]);
    return text;
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
