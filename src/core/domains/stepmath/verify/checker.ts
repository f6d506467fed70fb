import { fraction, type Fraction } from 'mathjs';
import {
  answerOf,
  evaluate,
  formatExpr,
  formatNumber,
  hasVar,
  linearForm,
  DivisionByZero,
  MathError,
  parseExpr,
  parseProblem,
  ParseError,
  replaceSubExpr,
  type Expr,
  type Problem,
} from '..';
import { answerLineValue, answerValue } from './answer';
import { findEquations, type FoundEquation } from './equations';

import type { SolutionVerdict, StepVerdict } from '../../domain';

export type { SolutionVerdict, StepVerdict };

const UNCHECKABLE = 'not an equation I can check';

const show = (e: Expr) => formatExpr(e);
const tidy = (s: string) => s.trim().replace(/\s+/g, ' ');

/**
 * Checks a solution step by step. For StepMath problems it follows the state of the problem
 * (the expression still to compute, the equation's solution set); for any other text it checks
 * the arithmetic of the equations found in each line.
 */
export class SolutionChecker {
  readonly problem: Problem | null;
  private readonly answer: Fraction | null;
  /** For Compute problems: what is left to compute after the steps so far. */
  private state: Expr | null;
  /** Solve problems: the solution of the last equation (the problem's own before any step). */
  private solution: Fraction | null;
  /** The result of the last equation line (its last side), for the answer of a word problem. */
  private lastResult: Fraction | null = null;

  /**
   * `claimsOnly`: judge only what each step itself claims, as a search may (Verifier `checked`):
   * the answer line against the value the steps reached, an equation in x against the equation
   * before it; never against the problem's answer worked out here.
   */
  constructor(
    problemText: string,
    private readonly claimsOnly = false,
  ) {
    this.problem = parseProblem(problemText);
    let answer: Fraction | null = null;
    try {
      answer = this.problem ? answerOf(this.problem) : null;
    } catch {
      answer = null;
    }
    this.answer = answer;
    this.state = this.problem?.family === 'compute' ? this.problem.expr : null;
    this.solution = this.problem?.family === 'solve' ? answer : null;
  }

  check(line: string): StepVerdict {
    const text = line.replace(/\r$/, '');
    try {
      return { text, ...this.verdict(text) };
    } catch (e) {
      if (e instanceof ParseError || e instanceof MathError || e instanceof RangeError) return { text, valid: null, reason: UNCHECKABLE };
      throw e;
    }
  }

  private verdict(line: string): Omit<StepVerdict, 'text'> {
    if (!line.trim()) return { valid: null, reason: 'empty line' };
    const answer = answerLineValue(line);
    if (answer !== null) return this.checkAnswer(answer);
    const variable = this.problem?.family === 'solve';
    const equations = findEquations(line, variable);
    if (!equations.length) return { valid: null, reason: UNCHECKABLE };
    const verdicts = equations.map((eq) => {
      try {
        return this.checkEquation(eq, variable);
      } catch (e) {
        if (e instanceof ParseError || e instanceof MathError || e instanceof RangeError) return { valid: null, reason: UNCHECKABLE };
        throw e;
      }
    });
    return verdicts.find((v) => v.valid === false) ?? verdicts.find((v) => v.valid === true) ?? verdicts[0];
  }

  private checkAnswer(text: string): Omit<StepVerdict, 'text'> {
    const value = answerValue(text);
    if (value === null) return { valid: null, reason: `cannot read "${tidy(text).slice(0, 40)}" as a number` };
    if (this.claimsOnly) return this.checkAnswerClaim(value);
    if (!this.answer) return { valid: null, reason: 'no known answer to compare with' };
    if (value.equals(this.answer)) return { valid: true, reason: `the answer is ${formatNumber(this.answer)}` };
    return { valid: false, reason: `the answer is ${formatNumber(this.answer)}, not ${formatNumber(value)}` };
  }

  /** The answer against what the steps reached: the Compute expression reduced to one number, the last equation's x, or (word problems) the last result, which proves nothing when it differs. */
  private checkAnswerClaim(value: Fraction): Omit<StepVerdict, 'text'> {
    const family = this.problem?.family;
    const reached = family === 'compute' ? (this.state?.kind === 'num' ? this.state.value : null) : family === 'solve' ? this.solution : this.lastResult;
    if (reached === null) return { valid: null, reason: family === 'compute' ? 'the steps have not reduced the expression to one number yet' : 'the steps have not reached a value to compare with' };
    if (value.equals(reached)) return { valid: true, reason: `the steps reached ${formatNumber(reached)}` };
    if (family === 'compute' || family === 'solve') return { valid: false, reason: `the steps reached ${formatNumber(reached)}, not ${formatNumber(value)}` };
    return { valid: null, reason: `the last result was ${formatNumber(reached)}; the answer may be another quantity` };
  }

  /**
   * Free text (no StepMath problem, or one of its word problems) is read as people write it: a
   * percent sign may be a label ("100 - 50 = 50%"), a result may be rounded ("10 / 3 = 3.33"),
   * and an equation is called wrong only when nothing but its arithmetic could be meant.
   */
  private get freeText(): boolean {
    return this.problem === null || this.problem.family === 'word';
  }

  private checkEquation(eq: FoundEquation, variable: boolean): Omit<StepVerdict, 'text'> {
    const sides = eq.sides.map((s) => parseExpr(s, variable));
    const zeroDivision = sides.find(dividesByZero);
    if (zeroDivision) return { valid: false, reason: `${tidy(show(zeroDivision))} divides by zero` };
    if (sides.some(hasVar)) return this.checkLinear(sides);
    const free = this.freeText;
    // In the StepMath forms the reason speaks the problem's notation; in free text the person's.
    const shown = free ? eq.shown : sides.map(show);
    const values = sides.map(evaluate);
    this.lastResult = values[values.length - 1];
    // Follow the writer's own state, even through a wrong result, so later steps are judged
    // on what they build on and the error is reported once, where it happened.
    const next = this.state && replaceSubExpr(this.state, sides[0], sides[sides.length - 1]);
    const bad = values.findIndex((v) => !v.equals(values[0]));
    if (bad >= 0) {
      if (free) return judgeAsWritten(eq, variable);
      if (next) this.state = next;
      return { valid: false, reason: differs(eq, shown, values, bad) };
    }
    if (this.state) {
      if (!next) return { valid: false, reason: `${show(sides[0])} does not appear in ${show(this.state)}` };
      this.state = next;
    }
    const i = eq.single.findIndex((s) => !s);
    return { valid: true, reason: i >= 0 ? `${shown[i]} is ${free ? valueOf(eq.sides[i], values[i]) : about(values[i])}` : 'both sides are equal' };
  }

  /** Equation steps must keep the problem's solution set. */
  private checkLinear(sides: Expr[]): Omit<StepVerdict, 'text'> {
    if (sides.length !== 2) return { valid: null, reason: 'a chain of equations in x' };
    const l = linearForm(sides[0]);
    const r = linearForm(sides[1]);
    const a = l.a.sub(r.a);
    const b = r.b.sub(l.b);
    if (a.equals(0)) return { valid: false, reason: b.equals(0) ? 'this holds for every x, the problem has one solution' : 'this equation has no solution' };
    const x = b.div(a);
    const before = this.claimsOnly ? this.solution : this.answer;
    // A search follows the writer's own equations (each judged against the one before it).
    if (this.claimsOnly) this.solution = x;
    if (!before) return { valid: null, reason: `gives x = ${formatNumber(x)}, but the problem is not an equation I know` };
    if (x.equals(before)) return { valid: true, reason: `still gives x = ${formatNumber(x)}` };
    if (this.claimsOnly) return { valid: false, reason: `this gives x = ${formatNumber(x)}, but the equation before it gives x = ${formatNumber(before)}` };
    return { valid: false, reason: `this gives x = ${formatNumber(x)}, but the problem's solution is x = ${formatNumber(this.answer!)}` };
  }
}

function dividesByZero(e: Expr): boolean {
  try {
    linearForm(e);
    return false;
  } catch (err) {
    if (err instanceof DivisionByZero) return true;
    if (err instanceof MathError) return false;
    throw err;
  }
}

export function checkSolution(problemText: string, steps: readonly string[], claimsOnly = false): SolutionVerdict {
  const checker = new SolutionChecker(problemText, claimsOnly);
  const verdicts = steps.map((s) => checker.check(s));
  let answer: string | null = null;
  for (const s of steps) {
    const v = answerLineValue(s);
    if (v !== null) answer = v;
  }
  return { steps: verdicts, answer };
}

/** A value as people read it: 4.5, 2/3 (about 0.667). */
function about(v: Fraction): string {
  const f = formatNumber(v);
  return f.includes('/') ? `${f} (about ${(v.valueOf() as number).toFixed(3).replace(/\.?0+$/, '')})` : f;
}

/** A side's value as its writer would say it: "50% - 20%" is 30%, "15% of 80" is 12. */
function valueOf(side: string, v: Fraction): string {
  return side.includes('%') && !/[*/]/.test(side) ? `${about(v.mul(100))}%` : about(v);
}

/**
 * Why the sides differ, in words: "7 * 2 is 14, not 15", "15% of 80 is 12, not 14",
 * "3 + 4 is 7, but 2 * 3 is 6". Never a bare "80, not 12".
 */
function differs(eq: FoundEquation, shown: string[], values: Fraction[], bad: number): string {
  const [a, b] = eq.single[0] && !eq.single[bad] ? [bad, 0] : [0, bad];
  if (eq.single[a] && eq.single[b]) return `${shown[a]} is not ${shown[b]}`;
  if (eq.single[b] && eq.sides[b].includes('%')) {
    // "100 - 50 = 40%": 50, not 40%; "50% - 20% = 40%": 30%, not 40%; "15% of 80 = 14%": 12, not 14%
    return `${shown[a]} is ${valueOf(eq.sides[a], values[a])}, not ${shown[b]}`;
  }
  if (eq.single[b]) return `${shown[a]} is ${about(values[a])}, not ${formatNumber(values[b])}`;
  return `${shown[a]} is ${about(values[a])}, but ${shown[b]} is ${about(values[b])}`;
}

type Verdict = Omit<StepVerdict, 'text'>;

/** Sides k.. go on from side k-1's result: "7 x 60 = 420 + 23 = 443" (side k starts with that value). */
function continues(eq: FoundEquation, k: number, previous: Fraction, variable: boolean): boolean {
  if (eq.single[k]) return false;
  const lead = /^(-?[\d.,]+%?)\s*[-+*/]/.exec(eq.sides[k]);
  if (!lead) return false;
  try {
    return evaluate(parseExpr(lead[1], variable)).equals(previous);
  } catch {
    return false;
  }
}

/** Longest chain of "=" read as a person meant it (people write two to five sides). */
const MAX_CHAIN = 12;

/** Conversion factors between units people leave out ("$1 / 2 = 50 cents", "600 x 30 = 18 kW"). */
const FACTORS = [100, 1000, 1_000_000, 1_000_000_000, 60, 3600, 24, 12, 16].map((n) => fraction(n));

/**
 * An equation in free text whose exact arithmetic fails, judged as a person meant it: the verdict,
 * false only when nothing but its arithmetic could be meant. People write % both as "/ 100"
 * ("20% * 50 = 10") and as a label ("100 - 50 = 50%"); round results ("10 / 3 = 3.33"); start a
 * chain with a description ("3 times Darcy's age = 3 * 15 = 45"); run a computation on
 * ("7 x 60 = 420 + 23 = 443"). A doubt (units that convert, a word before the equation that
 * changes it) makes the verdict null rather than false.
 */
function judgeAsWritten(eq: FoundEquation, variable: boolean): Verdict {
  const values = eq.sides.map((s) => evaluate(parseExpr(s, variable)));
  if (values.every((v) => v.equals(values[0]))) {
    const i = eq.single.findIndex((x) => !x);
    return { valid: true, reason: i >= 0 ? `${eq.shown[i]} is ${valueOf(eq.sides[i], values[i])}` : 'both sides are equal' };
  }
  if (eq.sides.length > MAX_CHAIN) return { valid: null, reason: `a chain of ${eq.sides.length} sides that are not all equal: not checked` };
  // A description before a chain: check the rest.
  if ((eq.single[0] || eq.lead.length) && eq.sides.length >= 3) return judgeAsWritten(eq.slice(1), variable);
  for (let k = 1; k < eq.sides.length; k++) {
    if (values[k].equals(values[k - 1]) || !continues(eq, k, values[k - 1], variable)) continue;
    const parts = [k >= 2 ? judgeAsWritten(eq.slice(0, k), variable) : null, judgeAsWritten(eq.slice(k), variable)].filter((v) => v !== null);
    return parts.find((v) => v.valid === false) ?? parts.find((v) => v.valid === null) ?? parts[parts.length - 1];
  }
  if (eq.sides.length < 2) return { valid: true, reason: 'both sides are equal' };
  const ref = Math.max(0, eq.single.findIndex((s) => !s));
  const others = eq.shown.filter((_, i) => i !== ref).join(' = ');
  const readings = percentReadings(eq, variable);
  let cut = false;
  for (const [n, reading] of readings.entries()) {
    const target = reading[ref];
    const fits = reading.map((v, i) => {
      if (v.equals(target)) return 'exact';
      if (!eq.single[i] || i === ref) return null;
      // "16.66%" read as 0.1666 has four places
      const pctPlaces = eq.sides[i].includes('%') && v.equals(readings[0][i]) ? 2 : 0;
      return roundedTo(target, v, eq.sides[i], pctPlaces);
    });
    if (fits.some((f) => f === null)) continue;
    const label = n > 0 ? ', with % as a label' : '';
    if (fits.every((f) => f === 'exact')) return { valid: true, reason: `${eq.shown[ref]} is ${about(target)}${label}` };
    if (fits.every((f) => f !== 'cut')) return { valid: true, reason: `${eq.shown[ref]} is ${about(target)}${label}, and ${others} is that rounded` };
    cut = true;
  }
  if (cut) return { valid: null, reason: `${eq.shown[ref]} is ${about(values[ref])}; ${others} may be that rounded up or down: not checked` };
  const bad = values.findIndex((v) => !v.equals(values[0]));
  const doubts = [...(eq.single[0] ? ['nothing is worked out before "="'] : []), ...eq.lead, ...eq.doubts];
  if (eq.units && !values[0].equals(0) && !values[bad].equals(0)) {
    const ratio = values[0].div(values[bad]).abs();
    const factor = FACTORS.find((f) => ratio.equals(f) || ratio.equals(fraction(1).div(f)));
    if (factor) doubts.push(`the sides differ by a factor of ${formatNumber(factor)}, a change of units`);
  }
  if (doubts.length) return { valid: null, reason: `reads as ${eq.shown.join(' = ')}, but ${doubts[0]}: not checked` };
  return { valid: false, reason: differs(eq, eq.shown, values, bad) };
}

/** Each side's value under every reading of its % signs (as "/ 100" or as a label); the literal reading first. */
function percentReadings(eq: FoundEquation, variable: boolean): Fraction[][] {
  const literal = eq.sides.map((s) => evaluate(parseExpr(s, variable)));
  const withPct = eq.sides.map((s, i) => (s.includes('%') ? i : -1)).filter((i) => i >= 0).slice(0, 4);
  const label = eq.sides.map((s) => (s.includes('%') ? evaluate(parseExpr(s.replace(/%/g, ''), variable)) : null));
  const out: Fraction[][] = [];
  for (let mask = 0; mask < 1 << withPct.length; mask++)
    out.push(literal.map((x, i) => (withPct.indexOf(i) >= 0 && mask & (1 << withPct.indexOf(i)) ? label[i]! : x)));
  return out;
}

/**
 * A stated number that is the exact value rounded ("10 / 3 = 3.33", "1000 / 7 = 143"):
 * 'nearest' when it is the value rounded to the places written, 'cut' when it is within one unit
 * of the last place (rounded up or down), else null. An exact value never counts as rounded.
 */
function roundedTo(value: Fraction, claimed: Fraction, written: string, extraPlaces: number): 'nearest' | 'cut' | null {
  const digits = written.replace(/[^0-9.]/g, '');
  const places = (digits.includes('.') ? digits.length - digits.indexOf('.') - 1 : 0) + extraPlaces;
  const scale = 10n ** BigInt(places);
  // Exact in that many places: not a rounding, a wrong result.
  if ((value.n * scale) % value.d === 0n) return null;
  const unit = fraction(`1/${scale}`);
  const gap = claimed.sub(value).abs();
  if (gap.compare(unit.div(2)) <= 0) return 'nearest';
  if (gap.compare(unit) < 0) return 'cut';
  return null;
}
