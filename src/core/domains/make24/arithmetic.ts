/** The four moves under integer rules, and expressions written with as few parentheses as precedence allows. */
export type Op = '+' | '-' | '*' | '/';
export const OPS: readonly Op[] = ['+', '-', '*', '/'];

/** a op b under integer rules, or why the move is not allowed. */
export function applyOp(a: number, op: Op, b: number): { value: number } | { error: string } {
  switch (op) {
    case '+':
      return { value: a + b };
    case '*':
      return { value: a * b };
    case '-':
      return a >= b ? { value: a - b } : { error: `${a} - ${b} is negative, and every number must stay a whole number of at least 0` };
    case '/':
      if (b === 0) return { error: `${a} / 0 divides by zero` };
      return a % b === 0 ? { value: a / b } : { error: `${a} / ${b} is not a whole number` };
  }
}

/** An expression built from moves: its text and the precedence of its outermost operator. */
export interface Built {
  readonly text: string;
  readonly value: number;
  /** 3 for a number, 2 for * and /, 1 for + and -. */
  readonly prec: number;
}

const PREC: Record<Op, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

export const leaf = (n: number): Built => ({ text: String(n), value: n, prec: 3 });

export function combine(a: Built, op: Op, b: Built, value: number): Built {
  const p = PREC[op];
  const left = a.prec < p ? `(${a.text})` : a.text;
  // The right side also needs parentheses under - and /: 8 - (3 - 1), 8 / (4 / 2).
  const right = b.prec < p || (b.prec === p && (op === '-' || op === '/')) ? `(${b.text})` : b.text;
  return { text: `${left} ${op} ${right}`, value, prec: p };
}

/** Spellings people use for the operators, mapped to ours. */
export function normalizeOp(s: string): Op | null {
  switch (s) {
    case '+':
      return '+';
    case '-':
    case '−':
    case '–':
    case '—':
      return '-';
    case '*':
    case 'x':
    case 'X':
    case '×':
    case '·':
      return '*';
    case '/':
    case '÷':
      return '/';
    default:
      return null;
  }
}
