import { bin, evaluate, num, X, PRECEDENCE, type Expr, type Op } from './expr';
import { computeText, solveText, wordExpr, wordText, answerText, type Family, type Problem, FAMILIES } from './problem';
import { Rng } from '../../rng';
import { NAMES, TEMPLATES } from './templates';
import { referenceSolution } from './solution';

/** The difficulty knob: how many operations, how big the numbers, how deep the parentheses. */
export interface DifficultyOptions {
  ops: number;
  maxNumber?: number;
  maxNesting?: number;
}
export const MAX_OPS = 6;
export const MAX_WORD_OPS = 5;
const MAX_INTERMEDIATE = 9999;
/** The grammar's literals are 0..999. */
const MAX_LITERAL = 999;

function constantsWithin(e: Expr, max: number): boolean {
  if (e.kind === 'num') return e.value.compare(max) <= 0;
  return e.kind === 'var' || (constantsWithin(e.left, max) && constantsWithin(e.right, max));
}
const OPS: readonly Op[] = ['+', '-', '*', '/'];

export interface GeneratedProblem {
  id: string;
  family: Family;
  problem: string;
  answer: string;
  ops: number;
  solution: string;
}

function leaf(rng: Rng, maxNumber: number): Expr {
  return num(rng.int(1, maxNumber));
}

/** Random expression with exactly k operations whose every intermediate is a non-negative integer. */
function randomExpr(rng: Rng, k: number, maxNumber: number): Expr {
  if (k === 0) return leaf(rng, maxNumber);
  const leftOps = rng.int(0, k - 1);
  const rightOps = k - 1 - leftOps;
  const left = randomExpr(rng, leftOps, maxNumber);
  const L = evaluate(left);
  for (let attempt = 0; attempt < 20; attempt++) {
    const op = rng.pick(OPS);
    if (op === '/' && rightOps === 0) {
      const divisors = [];
      for (let d = 2; d <= Math.min(12, maxNumber); d++) if (L.mod(d).equals(0)) divisors.push(d);
      if (divisors.length && !L.equals(0)) return bin('/', left, num(rng.pick(divisors)));
      continue;
    }
    const right = op === '*' && rightOps === 0 ? num(rng.int(2, Math.min(12, Math.max(2, maxNumber)))) : randomExpr(rng, rightOps, maxNumber);
    const R = evaluate(right);
    if (op === '/' && (R.equals(0) || L.div(R).d !== 1n)) continue;
    const v = evaluate(bin(op, left, right));
    if (v.s < 0n || v.d !== 1n || v.compare(MAX_INTERMEDIATE) > 0) continue;
    return bin(op, left, right);
  }
  return bin('+', left, randomExpr(rng, rightOps, maxNumber));
}

function parenDepth(e: Expr): number {
  if (e.kind !== 'bin') return 0;
  const p = PRECEDENCE[e.op];
  const l = parenDepth(e.left) + (e.left.kind === 'bin' && PRECEDENCE[e.left.op] < p ? 1 : 0);
  const r = parenDepth(e.right) + (e.right.kind === 'bin' && PRECEDENCE[e.right.op] <= p ? 1 : 0);
  return Math.max(l, r);
}

export function generateCompute(rng: Rng, d: DifficultyOptions): Problem {
  const maxNumber = d.maxNumber ?? 99;
  const maxNesting = d.maxNesting ?? 2;
  let expr = randomExpr(rng, d.ops, maxNumber);
  for (let i = 0; i < 200 && parenDepth(expr) > maxNesting; i++) expr = randomExpr(rng, d.ops, maxNumber);
  return { family: 'compute', text: computeText(expr), expr };
}

/** Linear equations of the forms the reference solver isolates, with an integer solution. */
export function generateSolve(rng: Rng, d: DifficultyOptions): Problem {
  const maxNumber = d.maxNumber ?? 99;
  for (;;) {
    const forms = d.ops === 4 ? ['x+b', 'x-b', 'ax', 'ax+b', 'ax-b', 'a(x+b)', 'ax+b=cx+d'] : d.ops >= 2 ? ['x+b', 'x-b', 'ax', 'ax+b', 'ax-b', 'a(x+b)'] : ['x+b', 'x-b', 'ax'];
    const form = rng.pick(forms);
    const x = rng.int(1, 20);
    const a = rng.int(2, 9);
    if (form === 'ax+b=cx+d') {
      if (a < 3) continue;
      const c = rng.int(2, a - 1);
      const b = rng.int(1, maxNumber);
      const dd = (a - c) * x + b;
      if (dd > MAX_LITERAL) continue;
      const lhs = bin('+', bin('*', num(a), X), num(b));
      const rhs = bin('+', bin('*', num(c), X), num(dd));
      return { family: 'solve', text: solveText(lhs, rhs), lhs, rhs };
    }
    const lhsOps = form.startsWith('x') || form === 'ax' ? 1 : 2;
    const rhs = randomExpr(rng, Math.max(0, d.ops - lhsOps), maxNumber);
    const r = Number(evaluate(rhs).valueOf());
    let lhs: Expr | null = null;
    if (form === 'x+b' && r - x >= 1) lhs = bin('+', X, num(r - x));
    else if (form === 'x-b') lhs = bin('-', X, num(rng.int(1, maxNumber)));
    else if (form === 'ax' && r % a === 0 && r > 0) lhs = bin('*', num(a), X);
    else if (form === 'ax+b' && r - a * x >= 1) lhs = bin('+', bin('*', num(a), X), num(r - a * x));
    else if (form === 'ax-b' && a * x - r >= 1) lhs = bin('-', bin('*', num(a), X), num(a * x - r));
    else if (form === 'a(x+b)' && r % a === 0 && r / a - x >= 1) lhs = bin('*', num(a), bin('+', X, num(r / a - x)));
    if (lhs && constantsWithin(lhs, MAX_LITERAL)) return { family: 'solve', text: solveText(lhs, rhs), lhs, rhs };
  }
}

export function generateWord(rng: Rng, d: DifficultyOptions): Problem {
  const maxNumber = d.maxNumber ?? 99;
  const ops = Math.min(Math.max(d.ops, 1), MAX_WORD_OPS);
  const candidates = TEMPLATES.filter((t) => t.ops === ops);
  for (;;) {
    const t = rng.pick(candidates);
    const values: Record<string, number> = {};
    for (const [key, kind] of Object.entries(t.slots)) values[key] = kind === 's' ? rng.int(2, 9) : rng.int(2, maxNumber);
    const expr = wordExpr(t, values);
    if (!allIntermediatesNatural(expr)) continue;
    const name = t.text.includes('{name}') ? rng.pick(NAMES) : null;
    return { family: 'word', text: wordText(t, name, values), template: t.id, name, values, expr };
  }
}

function allIntermediatesNatural(e: Expr): boolean {
  if (e.kind !== 'bin') return true;
  if (!allIntermediatesNatural(e.left) || !allIntermediatesNatural(e.right)) return false;
  try {
    const v = evaluate(e);
    return v.s >= 0n && v.d === 1n && v.compare(MAX_INTERMEDIATE) <= 0;
  } catch {
    return false;
  }
}

export const GENERATORS: Record<Family, (rng: Rng, d: DifficultyOptions) => Problem> = {
  compute: generateCompute,
  solve: generateSolve,
  word: generateWord,
};

export function countProblemOps(p: Problem): number {
  const count = (e: Expr): number => (e.kind === 'bin' ? 1 + count(e.left) + count(e.right) : 0);
  return p.family === 'solve' ? count(p.lhs) + count(p.rhs) : count(p.expr);
}

export interface GenerateOptions {
  family: Family | 'mixed';
  /** Fixed operation count, or undefined for a uniform mix of 1..6. */
  ops?: number;
  count: number;
  seed: number;
  maxNumber?: number;
  maxNesting?: number;
}

export function* generateProblems(o: GenerateOptions): Generator<GeneratedProblem> {
  const rng = new Rng(o.seed);
  for (let i = 0; i < o.count; i++) {
    const family = o.family === 'mixed' ? rng.pick(FAMILIES) : o.family;
    const ops = o.ops ?? rng.int(1, family === 'word' ? MAX_WORD_OPS : MAX_OPS);
    const p = GENERATORS[family](rng, { ops, maxNumber: o.maxNumber, maxNesting: o.maxNesting });
    yield {
      id: `${family}-${o.seed}-${i}`,
      family,
      problem: p.text,
      answer: answerText(p),
      ops: countProblemOps(p),
      solution: referenceSolution(p).join('\n'),
    };
  }
}
