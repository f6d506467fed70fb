import type { Fraction } from 'mathjs';
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
import { findEquations } from './equations';

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

  constructor(problemText: string) {
    this.problem = parseProblem(problemText);
    let answer: Fraction | null = null;
    try {
      answer = this.problem ? answerOf(this.problem) : null;
    } catch {
      answer = null;
    }
    this.answer = answer;
    this.state = this.problem?.family === 'compute' ? this.problem.expr : null;
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
    const verdicts = equations.map((eq) => this.checkEquation(eq.sides, variable));
    return verdicts.find((v) => v.valid === false) ?? verdicts.find((v) => v.valid === true) ?? verdicts[0];
  }

  private checkAnswer(text: string): Omit<StepVerdict, 'text'> {
    const value = answerValue(text);
    if (value === null) return { valid: null, reason: `cannot read "${tidy(text).slice(0, 40)}" as a number` };
    if (!this.answer) return { valid: null, reason: 'no known answer to compare with' };
    if (value.equals(this.answer)) return { valid: true, reason: `the answer is ${formatNumber(this.answer)}` };
    return { valid: false, reason: `the answer is ${formatNumber(this.answer)}, not ${formatNumber(value)}` };
  }

  private checkEquation(sideTexts: string[], variable: boolean): Omit<StepVerdict, 'text'> {
    const sides = sideTexts.map((s) => parseExpr(s, variable));
    const zeroDivision = sides.find(dividesByZero);
    if (zeroDivision) return { valid: false, reason: `${tidy(show(zeroDivision))} divides by zero` };
    if (sides.some(hasVar)) return this.checkLinear(sides);
    const values = sides.map(evaluate);
    // Follow the writer's own state, even through a wrong result, so later steps are judged
    // on what they build on and the error is reported once, where it happened.
    const next = this.state && replaceSubExpr(this.state, sides[0], sides[sides.length - 1]);
    for (let i = 1; i < sides.length; i++) {
      if (!values[i].equals(values[0])) {
        if (next) this.state = next;
        const what = sides[0].kind === 'num' ? formatNumber(values[0]) : `${show(sides[0])} is ${formatNumber(values[0])}`;
        return { valid: false, reason: `${what}, not ${formatNumber(values[i])}` };
      }
    }
    if (this.state) {
      if (!next) return { valid: false, reason: `${show(sides[0])} does not appear in ${show(this.state)}` };
      this.state = next;
    }
    return { valid: true, reason: sides[0].kind === 'bin' ? `${show(sides[0])} is ${formatNumber(values[0])}` : 'both sides are equal' };
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
    if (!this.answer) return { valid: null, reason: `gives x = ${formatNumber(x)}, but the problem is not an equation I know` };
    if (x.equals(this.answer)) return { valid: true, reason: `still gives x = ${formatNumber(x)}` };
    return { valid: false, reason: `this gives x = ${formatNumber(x)}, but the problem's solution is x = ${formatNumber(this.answer)}` };
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

export function checkSolution(problemText: string, steps: readonly string[]): SolutionVerdict {
  const checker = new SolutionChecker(problemText);
  const verdicts = steps.map((s) => checker.check(s));
  let answer: string | null = null;
  for (const s of steps) {
    const v = answerLineValue(s);
    if (v !== null) answer = v;
  }
  return { steps: verdicts, answer };
}
