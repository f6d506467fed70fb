import { fraction, type Fraction } from 'mathjs';

/** Arithmetic expression tree shared by the generator, the solver and the checker. */
export type Op = '+' | '-' | '*' | '/';
export type Expr =
  | { kind: 'num'; value: Fraction }
  | { kind: 'var' }
  | { kind: 'bin'; op: Op; left: Expr; right: Expr };

export const num = (v: number | bigint | Fraction | string): Expr => ({ kind: 'num', value: fraction(v as number) });
export const bin = (op: Op, left: Expr, right: Expr): Expr => ({ kind: 'bin', op, left, right });
export const X: Expr = { kind: 'var' };

export const PRECEDENCE: Record<Op, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

export function formatNumber(v: Fraction): string {
  const s = v.s < 0n ? '-' : '';
  if (v.d === 1n) return s + v.n.toString();
  // Terminating decimals read naturally ("4.5"); others stay as a fraction. Written digit by digit
  // from the exact value: going through a float would print 0.0000001 as "1e-7" (which does not
  // parse back) and round away digits beyond the 16th.
  let d = v.d;
  let places = 0;
  for (const p of [2n, 5n]) {
    let k = 0;
    for (; d % p === 0n; k++) d /= p;
    places = Math.max(places, k);
  }
  if (d === 1n) {
    const digits = ((v.n * 10n ** BigInt(places)) / v.d).toString().padStart(places + 1, '0');
    return `${s}${digits.slice(0, -places)}.${digits.slice(-places)}`;
  }
  return `${s}${v.n}/${v.d}`;
}

/** Surface form with single spaces and only the parentheses precedence needs. */
export function formatExpr(e: Expr): string {
  if (e.kind === 'num') return formatNumber(e.value);
  if (e.kind === 'var') return 'x';
  const p = PRECEDENCE[e.op];
  const left = e.left.kind === 'bin' && PRECEDENCE[e.left.op] < p ? `( ${formatExpr(e.left)} )` : formatExpr(e.left);
  // A right child of equal precedence needs parentheses to parse back to the same tree.
  const right = e.right.kind === 'bin' && PRECEDENCE[e.right.op] <= p ? `( ${formatExpr(e.right)} )` : formatExpr(e.right);
  return `${left} ${e.op} ${right}`;
}

export class MathError extends Error {}
/** A step that divides by zero is wrong, not merely uncheckable. */
export class DivisionByZero extends MathError {
  constructor() {
    super('division by zero');
  }
}

export function applyOp(op: Op, a: Fraction, b: Fraction): Fraction {
  switch (op) {
    case '+':
      return a.add(b);
    case '-':
      return a.sub(b);
    case '*':
      return a.mul(b);
    case '/':
      if (b.equals(0)) throw new DivisionByZero();
      return a.div(b);
  }
}

/** Exact value of an expression without x. */
export function evaluate(e: Expr): Fraction {
  if (e.kind === 'num') return e.value;
  if (e.kind === 'var') throw new MathError('expression contains x');
  return applyOp(e.op, evaluate(e.left), evaluate(e.right));
}

/** a*x + b, exact; throws MathError when not linear in x. */
export interface Linear {
  a: Fraction;
  b: Fraction;
}
export function linearForm(e: Expr): Linear {
  if (e.kind === 'num') return { a: fraction(0), b: e.value };
  if (e.kind === 'var') return { a: fraction(1), b: fraction(0) };
  const l = linearForm(e.left);
  const r = linearForm(e.right);
  switch (e.op) {
    case '+':
      return { a: l.a.add(r.a), b: l.b.add(r.b) };
    case '-':
      return { a: l.a.sub(r.a), b: l.b.sub(r.b) };
    case '*':
      if (!l.a.equals(0) && !r.a.equals(0)) throw new MathError('not linear in x');
      return { a: l.a.mul(r.b).add(r.a.mul(l.b)), b: l.b.mul(r.b) };
    case '/':
      if (!r.a.equals(0)) throw new MathError('x in a denominator');
      if (r.b.equals(0)) throw new DivisionByZero();
      return { a: l.a.div(r.b), b: l.b.div(r.b) };
  }
}

export function countOps(e: Expr): number {
  return e.kind === 'bin' ? 1 + countOps(e.left) + countOps(e.right) : 0;
}

export function hasVar(e: Expr): boolean {
  return e.kind === 'var' || (e.kind === 'bin' && (hasVar(e.left) || hasVar(e.right)));
}

/** Structural equality; numbers compared by value; + and * may have their operands swapped. */
export function sameExpr(a: Expr, b: Expr, commute = true): boolean {
  if (a.kind === 'num') return b.kind === 'num' && a.value.equals(b.value);
  if (a.kind === 'var') return b.kind === 'var';
  if (b.kind !== 'bin' || a.op !== b.op) return false;
  if (sameExpr(a.left, b.left, commute) && sameExpr(a.right, b.right, commute)) return true;
  return commute && (a.op === '+' || a.op === '*') && sameExpr(a.left, b.right, commute) && sameExpr(a.right, b.left, commute);
}

/** Replaces the leftmost sub-tree equal to `target`; null when it does not occur. */
export function replaceSubExpr(e: Expr, target: Expr, replacement: Expr): Expr | null {
  if (sameExpr(e, target)) return replacement;
  if (e.kind !== 'bin') return null;
  const left = replaceSubExpr(e.left, target, replacement);
  if (left) return { ...e, left };
  const right = replaceSubExpr(e.right, target, replacement);
  if (right) return { ...e, right };
  return null;
}

/** The leftmost operation whose operands are both numbers: the next one to compute. */
export function nextReducible(e: Expr): Extract<Expr, { kind: 'bin' }> | null {
  if (e.kind !== 'bin') return null;
  return nextReducible(e.left) ?? nextReducible(e.right) ?? (e.left.kind === 'num' && e.right.kind === 'num' ? e : null);
}

/** One gold reduction step: the line written and the expression after it. */
export interface Reduction {
  line: string;
  next: Expr;
}
export function reduceOnce(e: Expr): Reduction | null {
  const r = nextReducible(e);
  if (!r) return null;
  const value = num(evaluate(r));
  return { line: `${formatExpr(r)} = ${formatExpr(value)}`, next: replaceSubExpr(e, r, value)! };
}
