import type { Fraction } from 'mathjs';
import { parseExpr, evaluate } from '..';

const ANSWER_LINE = /^\s*(?:so,?\s+)?(?:the\s+)?(?:final\s+)?answer\s*(?:is|:|=)\s*(.*)$/i;

/** The stated answer when the line is an answer line (`Answer: 26`, `... \boxed{26}`), else null. */
export function answerLineValue(line: string): string | null {
  const boxed = lastBoxed(line);
  if (boxed !== null) return boxed.trim();
  const m = ANSWER_LINE.exec(line);
  return m ? m[1].trim() : null;
}

/** Content of the last \boxed{...}, braces balanced. */
function lastBoxed(text: string): string | null {
  const at = text.lastIndexOf('\\boxed{');
  if (at < 0) return null;
  let depth = 0;
  for (let i = at + 6; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(at + 7, i);
  }
  return null;
}

/** Final answer of a solution: the `Answer:` line, else \boxed{}, else the last number. */
export function extractAnswer(solution: string): string | null {
  const lines = solution.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const v = answerLineValue(lines[i]);
    if (v !== null && v !== '') return v;
  }
  const boxed = lastBoxed(solution);
  if (boxed !== null) return boxed.trim();
  const numbers = solution.match(/-?\d[\d,]*(?:\.\d+)?|-?\.\d+/g);
  return numbers ? numbers[numbers.length - 1] : null;
}

/** Exact value of an answer as people write it (`26.0`, `52/2`, `\frac{1}{2}`, `- 3`, `$18`, `x = 5`). */
export function answerValue(answer: string): Fraction | null {
  let s = answer.trim();
  const boxed = lastBoxed(s);
  if (boxed !== null) s = boxed;
  s = s
    .replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, '($1)/($2)')
    .replace(/\\left|\\right|\\,|\\!|\\\$/g, '')
    .replace(/^\s*x\s*=\s*/, '')
    .replace(/[.\s]+$/, '')
    .replace(/\s*(dollars?|units?|km|m|cm|kg|g|ml|liters?|years?( old)?)$/i, '');
  if (!s || s.length > 500) return null;
  try {
    return evaluate(parseExpr(s));
  } catch {
    return null;
  }
}

export function answersEquivalent(a: string, b: string): boolean {
  const x = answerValue(a);
  const y = answerValue(b);
  if (x && y) return x.equals(y);
  return a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Answers with the same exact value share a key (`26`, `26.0`, `52/2`); others compare as text. */
export function answersKey(answer: string): string {
  const v = answerValue(answer);
  return v ? v.toFraction() : answer.trim();
}
