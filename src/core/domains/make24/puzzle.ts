/**
 * Make 24 puzzles: reach a target from three to five numbers 1-13, each used exactly once, with
 * + - * /. Integer rules: a - b only when a >= b, a / b only when the division is exact.
 */
export interface Puzzle {
  /** The given numbers, ascending. */
  readonly numbers: readonly number[];
  readonly target: number;
}

export const MIN_NUMBER = 1;
export const MAX_NUMBER = 13;
export const MIN_COUNT = 3;
export const MAX_COUNT = 5;
export const DEFAULT_TARGET = 24;
export const MAX_TARGET = 999;

/** The one surface form the bundled models read and write: `Make 24 with 4 7 8 8.` */
export function puzzleText(p: Puzzle): string {
  return `Make ${p.target} with ${p.numbers.join(' ')}.`;
}

const LIST = String.raw`(\d+(?:\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+))\d+(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s+)\d+)*)`;
const FORMS: readonly { re: RegExp; list: number; target?: number }[] = [
  // Make 24 with 4 7 8 8. / Make 10 from 1, 2, 3 and 4 / Get 24 using ...
  { re: new RegExp(String.raw`^(?:make|get|reach)\s+(\d+)\s+(?:with|from|using|out of)\s+(?:the\s+numbers\s+)?${LIST}$`, 'i'), list: 2, target: 1 },
  // Use 3, 5, 6, 9 to make 24
  { re: new RegExp(String.raw`^use\s+(?:the\s+numbers\s+)?${LIST}\s+to\s+(?:make|get|reach)\s+(\d+)$`, 'i'), list: 1, target: 2 },
  // 4 7 8 8 (target 24) / 4 7 8 8 -> 24
  { re: new RegExp(String.raw`^${LIST}(?:\s*(?:->|→|=>)\s*(\d+))?$`), list: 1, target: 2 },
];

/** What a text says as a Make 24 puzzle, or null when it is not one (a puzzle with bad numbers is one, and says why). */
export type ReadPuzzle = { puzzle: Puzzle } | { error: string } | null;

/** Recognises the ways people type a Make 24 puzzle. */
export function readPuzzle(text: string): ReadPuzzle {
  const t = text.trim().replace(/[.!?]+$/, '').trim();
  for (const form of FORMS) {
    const m = form.re.exec(t);
    if (!m) continue;
    const numbers = (m[form.list].match(/\d+/g) ?? []).map(Number);
    const target = form.target !== undefined && m[form.target] !== undefined ? Number(m[form.target]) : DEFAULT_TARGET;
    // A bare list of numbers is a puzzle only when it could be one; "12 7 5" with a 3 in it is.
    if (form.target === 2 && form.list === 1 && m[2] === undefined && (numbers.length < MIN_COUNT || numbers.length > MAX_COUNT)) return null;
    if (numbers.length < MIN_COUNT || numbers.length > MAX_COUNT) return { error: `a Make ${target} puzzle has ${MIN_COUNT} to ${MAX_COUNT} numbers (this one has ${numbers.length})` };
    const out = numbers.find((n) => n < MIN_NUMBER || n > MAX_NUMBER);
    if (out !== undefined) {
      if (form.list === 1 && m[2] === undefined) return null; // bare numbers outside 1-13: not meant as a puzzle
      return { error: `the numbers of a Make ${target} puzzle are ${MIN_NUMBER} to ${MAX_NUMBER} (found ${out})` };
    }
    if (target < 1 || target > MAX_TARGET) return { error: `the target must be 1 to ${MAX_TARGET} (found ${target})` };
    return { puzzle: { numbers: [...numbers].sort((a, b) => a - b), target } };
  }
  return null;
}
