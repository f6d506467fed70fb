import { bin, evaluate, formatExpr, formatNumber, linearForm, num, reduceOnce, X, type Expr } from './expr';
import { answerOf, type Problem } from './problem';

/** Step lines of the gold solution, one checkable equation each, ending with `Answer: v`. */
export function referenceSolution(p: Problem): string[] {
  const lines = p.family === 'solve' ? solveSteps(p.lhs, p.rhs) : reductionSteps(p.expr);
  lines.push(`Answer: ${formatNumber(answerOf(p))}`);
  return lines;
}

function reductionSteps(expr: Expr): string[] {
  const lines: string[] = [];
  for (let r = reduceOnce(expr); r; r = reduceOnce(r.next)) lines.push(r.line);
  return lines;
}

const eq = (l: Expr, r: Expr) => `${formatExpr(l)} = ${formatExpr(r)}`;

/** Isolates x in the generator's linear forms, one rewrite per line. */
function solveSteps(lhs: Expr, rhsStart: Expr): string[] {
  const lines: string[] = [];
  let rhs = rhsStart;
  if (!containsX(rhs)) {
    // Reduce the right side first when it is plain arithmetic.
    for (let r = reduceOnce(rhs); r; r = reduceOnce(r.next)) {
      rhs = r.next;
      lines.push(eq(lhs, rhs));
    }
  }
  let l = lhs;
  for (let guard = 0; guard < 8 && l.kind === 'bin'; guard++) {
    if (containsX(rhs)) {
      // a * x + b = c * x + d  ->  a * x - c * x = d - b  ->  k * x = m
      const L = linearForm(l);
      const R = linearForm(rhs);
      lines.push(`${formatExpr(bin('*', num(L.a), X))} - ${formatExpr(bin('*', num(R.a), X))} = ${formatExpr(bin('-', num(R.b), num(L.b)))}`);
      l = bin('*', num(L.a.sub(R.a)), X);
      rhs = num(R.b.sub(L.b));
      lines.push(eq(l, rhs));
      continue;
    }
    const value = evaluate(rhs);
    if (l.op === '*' && l.left.kind === 'num') {
      // a * inner = r  ->  inner = r / a
      lines.push(eq(l.right, bin('/', num(value), l.left)));
      rhs = num(value.div(l.left.value));
      l = l.right;
    } else if ((l.op === '+' || l.op === '-') && l.right.kind === 'num') {
      // inner + b = r  ->  inner = r - b
      const inverse = l.op === '+' ? '-' : '+';
      lines.push(eq(l.left, bin(inverse, num(value), l.right)));
      rhs = num(inverse === '-' ? value.sub(l.right.value) : value.add(l.right.value));
      l = l.left;
    } else if (l.op === '+' && l.left.kind === 'num') {
      lines.push(eq(l.right, bin('-', num(value), l.left)));
      rhs = num(value.sub(l.left.value));
      l = l.right;
    } else break;
    lines.push(eq(l, rhs));
  }
  return lines;
}

function containsX(e: Expr): boolean {
  return e.kind === 'var' || (e.kind === 'bin' && (containsX(e.left) || containsX(e.right)));
}
