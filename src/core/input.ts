import { BadInputError, MAX_PROBLEM_CHARS } from './bad-input';
import type { Domain } from './domains/domain';

export { BadInputError, MAX_PROBLEM_CHARS };
import { recogniseDomain } from './domains';


/**
 * Most digits in one number. The bundled models read one token per digit and were trained on
 * numbers up to 999; beyond 15 digits a decimal no longer survives the round trip through the
 * surface form exactly, so a longer number is a typo or a paste, not a problem.
 */
export const MAX_NUMBER_DIGITS = 15;


/**
 * Numbers written as words ("Cindy has four pets", "twice as many", "two dozen"): a word problem
 * with no digits still has numbers in it.
 */
const NUMBER_WORD =
  /\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|half|halves|twice|double|triple|dozens?)\b/i;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Checks a problem typed by a person and rewrites it into the exact surface form of the domain it
 * belongs to ("Compute 12+7*(5-3)" -> "Compute 12 + 7 * ( 5 - 3 ).", "4 7 8 8" -> "Make 24 with
 * 4 7 8 8."); `domain` is null for text no bundled model was trained on (it is still solved, with the
 * default models). Throws BadInputError, with a one-line reason, for text no model should be asked to solve.
 */
export function recogniseProblem(raw: string): { problem: string; domain: Domain | null } {
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
    if (!NUMBER_WORD.test(text)) throw new BadInputError('the problem has no numbers in it: Stepwise solves arithmetic, equations and word problems');
  }
  for (const n of text.match(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g) ?? []) {
    const digits = n.replace(/\D/g, '').length;
    if (digits > MAX_NUMBER_DIGITS) throw new BadInputError(`a number with ${digits} digits is too long: Stepwise works with numbers of up to ${MAX_NUMBER_DIGITS} digits`);
  }
  return recogniseDomain(text);
}

/** The problem in its domain's surface form (recogniseProblem without the domain). */
export function prepareProblem(raw: string): string {
  return recogniseProblem(raw).problem;
}
