import type { Fraction } from 'mathjs';
import { evaluate, formatExpr, formatNumber, linearForm, MathError, type Expr } from './expr';
import { parseExpr, ParseError } from './parse';
import { TEMPLATES, type WordTemplate } from './templates';

export type Family = 'compute' | 'solve' | 'word';
export const FAMILIES: readonly Family[] = ['compute', 'solve', 'word'];

export type Problem =
  | { family: 'compute'; text: string; expr: Expr }
  | { family: 'solve'; text: string; lhs: Expr; rhs: Expr }
  | { family: 'word'; text: string; template: string; name: string | null; values: Record<string, number>; expr: Expr };

export function computeText(expr: Expr): string {
  return `Compute ${formatExpr(expr)}.`;
}
export function solveText(lhs: Expr, rhs: Expr): string {
  return `Solve for x: ${formatExpr(lhs)} = ${formatExpr(rhs)}.`;
}
export function wordText(t: WordTemplate, name: string | null, values: Record<string, number>): string {
  return t.text.replace(/\{(\w+)\}/g, (_, key: string) => (key === 'name' ? name ?? '' : String(values[key])));
}
export function wordExpr(t: WordTemplate, values: Record<string, number>): Expr {
  return parseExpr(t.expr.replace(/\b([a-f])\b/g, (_, key: string) => String(values[key])));
}

/** The exact answer of a problem: the value for compute/word, x for solve. */
export function answerOf(p: Problem): Fraction {
  if (p.family !== 'solve') return evaluate(p.expr);
  const l = linearForm(p.lhs);
  const r = linearForm(p.rhs);
  const a = l.a.sub(r.a);
  if (a.equals(0)) throw new MathError('the equation has no single solution');
  return r.b.sub(l.b).div(a);
}
export const answerText = (p: Problem): string => formatNumber(answerOf(p));

const templateMatchers = TEMPLATES.map((t) => {
  const keys: string[] = [];
  const pattern = t.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{(\w+)\\\}/g, (_, key: string) => {
    keys.push(key);
    return key === 'name' ? '([A-Z][a-z]+)' : '(\\d+)';
  });
  return { template: t, keys, regex: new RegExp(`^${pattern}$`) };
});

/** Reads a problem in the exact StepMath surface grammar; null when the text is not one. */
export function parseProblem(text: string): Problem | null {
  const t = text.trim();
  try {
    let m = /^Compute (.+)\.$/.exec(t);
    if (m) {
      const expr = parseExpr(m[1]);
      return { family: 'compute', text: t, expr };
    }
    m = /^Solve for x: ([^=]+)=([^=]+)\.$/.exec(t);
    if (m) {
      const p: Problem = { family: 'solve', text: t, lhs: parseExpr(m[1], true), rhs: parseExpr(m[2], true) };
      linearForm(p.lhs);
      linearForm(p.rhs);
      return p;
    }
  } catch (e) {
    if (e instanceof ParseError || e instanceof MathError) return null;
    throw e;
  }
  for (const { template, keys, regex } of templateMatchers) {
    const m = regex.exec(t);
    if (!m) continue;
    const values: Record<string, number> = {};
    let name: string | null = null;
    let consistent = true;
    keys.forEach((key, i) => {
      const v = m[i + 1];
      if (key === 'name') {
        if (name !== null && name !== v) consistent = false;
        name = v;
      } else {
        values[key] = Number(v);
        // A number too big to hold exactly (24 digits reads as 1e+23) is not one of our problems.
        if (!Number.isSafeInteger(values[key])) consistent = false;
      }
    });
    if (consistent) return { family: 'word', text: t, template: template.id, name, values, expr: wordExpr(template, values) };
  }
  return null;
}
