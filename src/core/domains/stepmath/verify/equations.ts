/**
 * Finds the equations inside a line of free text, as people write them: "She makes 9 * 2 = $18
 * every day.", "25 miles per gallon x 12 gallons = 300 miles", "1000 – 250 = 750",
 * "15% of 80 = 12", "$65/month x 4 months = $260".
 *
 * A line is read as tokens; an equation is a run of arithmetic (numbers, operators, parentheses,
 * "=") in which words may stand only as units: after a number and before the next operator or "="
 * ("3 green hard hats + 16 pink hard hats = 19 hard hats"), or as a short label between an
 * operator and its number ("+ Cynthia's 8 gallons"). Each side comes back twice: as arithmetic for
 * parseExpr and as the person wrote it (for reasons), with the doubts a reader would have before
 * calling the equation wrong (units that convert, a word before it that changes what it means, a
 * letter that may be an unknown). A side that cannot be read whole ("S + 143", "3 + 4 = 7 + the
 * rest") splits the equation there: only what is read whole is compared.
 */
export interface FoundEquation {
  /** The sides as arithmetic for parseExpr: units and currency dropped, "x"/"of"/"times" as "*". */
  sides: string[];
  /** The sides as the person wrote them, units and currency dropped ("15% of 80", "26 x 3"). */
  shown: string[];
  /** For each side: a lone number, nothing worked out in it. */
  single: boolean[];
  /** Why "wrong" would be a guess: empty when the arithmetic is all there is to it. */
  doubts: string[];
  /**
   * Why the first side may not be what it says ("20 less than 50 - 5", "Week 1 + Week 2 = 35 + 35"):
   * the rest of a chain may still be checked.
   */
  lead: string[];
  /** Units, currency or scale words anywhere in it. */
  units: boolean;
  /** The equation of sides from..to, its doubts worked out again for those sides. */
  slice(from: number, to?: number): FoundEquation;
}

type Kind = 'num' | 'op' | 'lp' | 'rp' | 'eq' | 'var' | 'word' | 'punct' | 'other';
interface Token {
  text: string;
  kind: Kind;
  /** Whitespace right before / after the token in the line. */
  spaceBefore: boolean;
  spaceAfter: boolean;
  /** num: written with a percent sign or "percent". */
  pct?: boolean;
  /** num: a currency sign before or after it ($, €, £, ¢). */
  currency?: string;
  /** op: the arithmetic operator it stands for. */
  op?: string;
  /** num: why a false verdict on an equation with it would be a guess ("200g", "16.66..."). */
  doubt?: string;
  /** word: a single capital letter ("plan A", "S"): a name inside a unit, else an unknown. */
  letter?: boolean;
  /** op "-": spaced, right after this unit word ("5 apples - 3"). */
  afterWord?: string;
}

const NUMBER = String.raw`(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)`;
const TOKEN = new RegExp(
  String.raw`(?<cur>[$€£¢]\s?)?(?<num>${NUMBER})(?<pct>\s?%|\s?percent\b|¢|\s?[€£](?!\p{L}))?|(?<word>\p{L}[\p{L}\p{M}'’&]*(?:-\p{L}[\p{L}\p{M}'’&]*)*)|(?<pow>\*\*|\/\/)|(?<sym>\S)`,
  'gu',
);

const OPS: Record<string, string> = { '+': '+', '-': '-', '−': '-', '–': '-', '—': '-', '*': '*', '×': '*', '·': '*', '/': '/', '÷': '/' };
const PUNCT = new Set([',', '.', ';', ':', '?', '!', '"', '“', '”', "'", '‘', '’']);

/** Words that end a unit: a clause goes on ("so", "is"), the words are not a noun phrase. */
const BREAKERS = new Set(
  'is are was were be been being am will would could should has have had so then thus therefore hence because since if when which but equals equal gives means becomes yet'.split(' '),
);
/** Words that, right before an equation or among its units, may change what its numbers mean ("20 less than 50 - 5", "5 and a half hours * 2"). */
const CHANGERS = new Set('than less more fewer times twice half halves double doubled triple tripled thrice quadruple minus plus over percent'.split(' '));
/** Words that join what follows to a number just before them ("5 and 3 + 2", "10 cards to the 29 + 24", "multiply 5 by 3 + 2"). */
const LINKERS = new Set(['of', 'and', 'to', 'with', 'as', 'or', 'from', 'by', 'into', 'plus', 'minus', 'times']);
const NUMBER_WORDS =
  'zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands million millions billion billions trillion dozen dozens';
const FRACTION_WORDS = 'half halves third thirds quarter quarters fourth fourths fifth fifths sixth sixths seventh sevenths eighth eighths ninth ninths tenth tenths';
const MULTIPLIERS = new Set([...NUMBER_WORDS.split(' '), ...FRACTION_WORDS.split(' '), 'twice', 'double', 'doubled', 'triple', 'tripled', 'thrice']);
/** A unit word that scales the number before it ("1.5 million", "4 dozen"): the digits are not the value. */
const SCALES = new Set('hundred hundreds thousand thousands million millions billion billions trillion dozen dozens'.split(' '));
/** Nouns that name a number rather than count with it ("Week 1 + Week 2", "day 1 * 2", "House 4"). */
const LABELS = new Set(
  'day days week weeks month months year years step steps house room floor level grade chapter part round game question problem number no item team row column line section test quiz trip stage phase lap class period session episode season volume page bus station box store shop group gate table'.split(' '),
);
/** Skipped when looking at the word before an equation. */
const ARTICLES = new Set('the a an his her their its my your our these those this that each every another'.split(' '));

/** Units that convert into each other: two of one family in an equation ("2 hours = 120 minutes") may be a conversion. */
const FAMILIES: { family: string; unit: string; re: RegExp }[] = [
  ['time', 'second', /^(seconds?|secs?)$/],
  ['time', 'minute', /^(minutes?|mins?)$/],
  ['time', 'hour', /^(hours?|hrs?)$/],
  ['time', 'day', /^days?$/],
  ['time', 'week', /^weeks?$/],
  ['time', 'month', /^months?$/],
  ['time', 'year', /^(years?|yrs?)$/],
  ['time', 'decade', /^decades?$/],
  ['time', 'century', /^(century|centuries)$/],
  ['length', 'inch', /^(inch|inches)$/],
  ['length', 'foot', /^(foot|feet|ft)$/],
  ['length', 'yard', /^(yards?|yds?)$/],
  ['length', 'mile', /^miles?$/],
  ['length', 'mm', /^(mm|millimet(er|re)s?)$/],
  ['length', 'cm', /^(cm|centimet(er|re)s?)$/],
  ['length', 'meter', /^(met(er|re)s?)$/],
  ['length', 'km', /^(km|kilomet(er|re)s?)$/],
  ['weight', 'ounce', /^(ounces?|oz)$/],
  ['weight', 'pound', /^(pounds?|lbs?)$/],
  ['weight', 'ton', /^(tons?|tonnes?)$/],
  ['weight', 'gram', /^grams?$/],
  ['weight', 'kg', /^(kg|kgs|kilograms?|kilos?)$/],
  ['weight', 'mg', /^(mg|milligrams?)$/],
  ['volume', 'fluid ounce', /^(ounces?|oz)$/],
  ['volume', 'cup', /^cups?$/],
  ['volume', 'pint', /^pints?$/],
  ['volume', 'quart', /^quarts?$/],
  ['volume', 'gallon', /^gallons?$/],
  ['volume', 'liter', /^(lit(er|re)s?)$/],
  ['volume', 'ml', /^(ml|millilit(er|re)s?)$/],
  ['volume', 'teaspoon', /^(teaspoons?|tsp)$/],
  ['volume', 'tablespoon', /^(tablespoons?|tbsp)$/],
  ['money', 'dollar', /^(dollars?|\$|bucks?)$/],
  ['money', 'cent', /^(cents?|¢)$/],
  ['money', 'penny', /^(penny|pennies)$/],
  ['money', 'nickel', /^nickels?$/],
  ['money', 'dime', /^dimes?$/],
  ['money', 'euro', /^(euros?|€)$/],
  ['money', 'pound sterling', /^£$/],
].map(([family, unit, re]) => ({ family: family as string, unit: unit as string, re: re as RegExp }));

/** Single letters that are units after a number ("10 m", "500 g", "2 L"); k is thousands. */
const UNIT_LETTER = /^[gmlLhkK]$/;
/** Words after which a single letter is a unit ("sq m", "cubic m"). */
const UNIT_PREFIX = new Set(['sq', 'cu', 'square', 'cubic', 'per']);

/** Longest line we scan: beyond this nobody wrote a step by hand. */
export const MAX_LINE_CHARS = 10_000;
/** Most words in one unit ("meters after the 2nd turn"); more is a sentence, not a unit. */
const MAX_UNIT_WORDS = 10;
/** Most words between an operator and its number ("+ Cynthia's 8 gallons", "- the 3"). */
const MAX_PREFIX_WORDS = 3;

function tokenize(line: string, variable: boolean): Token[] {
  const tokens: Token[] = [];
  for (const m of line.matchAll(TOKEN)) {
    const g = m.groups!;
    const start = m.index!;
    const end = start + m[0].length;
    const base = { spaceBefore: start === 0 || /\s/.test(line[start - 1]), spaceAfter: end >= line.length || /\s/.test(line[end]) };
    if (g.num !== undefined) {
      const suffix = g.pct?.trim();
      const pct = suffix === '%' || suffix === 'percent';
      const currency = g.cur?.trim() || (suffix && !pct ? suffix : undefined);
      tokens.push({ ...base, text: m[0].replace(/\s+(?=%)/, '').replace(/\s?percent$/, '%'), kind: 'num', pct, currency });
    } else if (g.word !== undefined) tokens.push({ ...base, text: g.word, kind: 'word' });
    else if (g.pow !== undefined) tokens.push({ ...base, text: g.pow, kind: 'other' });
    else {
      const c = g.sym;
      const kind: Kind = c in OPS ? 'op' : c === '(' || c === '[' ? 'lp' : c === ')' || c === ']' ? 'rp' : c === '=' ? 'eq' : PUNCT.has(c) ? 'punct' : 'other';
      tokens.push({ ...base, text: c, kind, op: OPS[c] });
    }
  }
  // An em dash is a minus only between numbers ("3 — 2"); elsewhere it is punctuation.
  tokens.forEach((t, i) => {
    if (t.text !== '—') return;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (!(prev && (prev.kind === 'num' || prev.kind === 'rp') && next && (next.kind === 'num' || next.kind === 'lp'))) Object.assign(t, { kind: 'punct', op: undefined });
  });
  // What glues to a number: "1st" and "1990s" are words (after "=" or an operator, "= 6th floor",
  // a number); "4x" and "9S" a term with an unknown (between numbers "2x3" is times); "200g" a
  // unit or an unknown (doubtful); "10am", "11:00" and "0730" times of day; "20-pound" a unit.
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    if (t.kind !== 'num') continue;
    if (/^[$€£¢]?0\d/.test(t.text) && tokens[i - 1]?.kind !== 'num') t.kind = 'other'; // 0730
    if (!next || t.spaceAfter) continue;
    if (next.kind === 'word') {
      const prev = tokens[i - 1];
      if (/^(st|nd|rd|th|ths|s|ST|ND|RD|TH)$/.test(next.text) && !t.pct && !t.currency) {
        if (!(prev && (prev.kind === 'eq' || prev.kind === 'op'))) tokens.splice(i, 2, { ...t, text: t.text + next.text, kind: 'word', spaceAfter: next.spaceAfter });
      } else if (/^[xX]$/.test(next.text)) {
        const after = tokens[i + 2];
        if (variable && next.text === 'x') next.kind = 'var';
        else if (after && (after.kind === 'num' || after.kind === 'lp')) Object.assign(next, { kind: 'op', op: '*' });
        else t.kind = next.kind = 'var';
      } else if (/^[ap]\.?m$/i.test(next.text)) {
        t.kind = next.kind = 'other'; // 10am
      } else if (next.text.length === 1 && (variable || !UNIT_LETTER.test(next.text))) t.kind = next.kind = 'var';
    } else if (next.text === ':' && !next.spaceAfter && tokens[i + 2]?.kind === 'num' && /^\d\d$/.test(tokens[i + 2].text)) {
      t.kind = 'other'; // 11:00
      tokens[i + 2].kind = 'other';
    } else if (next.text === '-' && !next.spaceAfter && tokens[i + 2]?.kind === 'word') {
      next.kind = 'word'; // "20-pound bag": the hyphen joins a unit
    } else if ((next.text === '.' && tokens[i + 2]?.text === '.' && !next.spaceAfter) || next.text === '…') {
      t.doubt = `"${t.text}..." is cut short`;
    }
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'word' || !/^\p{L}$/u.test(t.text)) continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (/^[xX]$/.test(t.text)) {
      if (variable && t.text === 'x') t.kind = 'var';
      // x means times between a number (or its unit) and the next number: "3 x 4", "25 mpg x 12".
      else if (prev && (prev.kind === 'num' || prev.kind === 'rp' || (prev.kind === 'word' && !isUnknown(prev))) && next && (next.kind === 'num' || next.kind === 'lp' || wordsThenNumber(tokens, i + 1))) Object.assign(t, { kind: 'op', op: '*' });
      else t.kind = 'var';
      continue;
    }
    const glued = prev?.kind === 'num' && !prev.spaceAfter;
    if (/^[aAI]$/.test(t.text) && !glued) continue;
    // "10 m", "200g", "$6/m", "sq m": a unit; it may still be an unknown (the equation says so)
    const unit = !variable && UNIT_LETTER.test(t.text) && !!prev && (prev.kind === 'num' || prev.op === '/' || UNIT_PREFIX.has(lower(prev)));
    if (unit) {
      const owner = tokens.slice(Math.max(0, i - 4), i).reverse().find((x) => x.kind === 'num');
      if (owner && !owner.doubt) owner.doubt = /^[kK]$/.test(t.text) ? `"${owner.text} ${t.text}" may mean thousands` : `"${t.text}" may be an unknown, not a unit`;
    } else if (!variable && !glued && /^\p{Lu}$/u.test(t.text)) t.letter = true;
    else t.kind = 'var';
  }
  return tokens;
}

const isUnknown = (t: Token) => t.kind === 'var' || !!t.letter;
const lower = (t: Token | undefined) => (t?.kind === 'word' ? t.text.toLowerCase().replace(/’/g, "'") : '');

/** "the height of 12": a few plain words, then a number (what may stand between an operator and its number). */
function wordsThenNumber(tokens: Token[], i: number): boolean {
  let j = i;
  while (j < tokens.length && j - i < MAX_PREFIX_WORDS && tokens[j].kind === 'word' && !/^\p{L}$/u.test(tokens[j].text) && !BREAKERS.has(lower(tokens[j]))) j++;
  return j > i && tokens[j]?.kind === 'num';
}

/** Words that stand for an operator between two operands: "times", "plus", "minus", "divided by", "multiplied by", "of" after a percentage or a fraction, "at" before a price. */
function wordOperator(tokens: Token[], i: number, items: Item[]): { op: string; width: number } | null {
  const w = lower(tokens[i]);
  const startsOperand = (t: Token | undefined) => !!t && (t.kind === 'num' || t.kind === 'lp');
  if ((w === 'times' || w === 'plus' || w === 'minus') && startsOperand(tokens[i + 1])) return { op: w === 'times' ? '*' : w === 'plus' ? '+' : '-', width: 1 };
  // "90 bulbs at $.50", "3 shirts at $5 each"
  if (w === 'at' && tokens[i + 1]?.kind === 'num' && tokens[i + 1].currency && tokens[i + 1].currency !== '¢' && items.some((it) => it.kind === 'num')) return { op: '*', width: 1 };
  if ((w === 'divided' || w === 'multiplied') && lower(tokens[i + 1]) === 'by' && startsOperand(tokens[i + 2])) return { op: w === 'divided' ? '/' : '*', width: 2 };
  if (w === 'of' && startsOperand(tokens[i + 1])) {
    const last = items[items.length - 1];
    const before = items[items.length - 2];
    // 15% of 80, 3/4 of 20
    if (last?.kind === 'num' && (last.token.pct || before?.op === '/') && last.units.length === (last.token.currency ? 1 : 0)) return { op: '*', width: 1 };
  }
  return null;
}

interface Item {
  kind: 'num' | 'op' | 'lp' | 'rp' | 'eq' | 'var';
  token: Token;
  /** The arithmetic it stands for. */
  math: string;
  /** As the person wrote it. */
  shown: string;
  op?: string;
  /** num: the unit words after it ('/' where a rate's "per" part starts). */
  units: string[];
  /** Why a false verdict on an equation with this item would be a guess. */
  doubts: string[];
}

interface Run {
  items: Item[];
  /** The tokens before the run (for the words just before it). */
  before: Token[];
  /** A symbol we do not read glued to its end ("= 8^2", "= 8²"): the last side is not all there. */
  cut?: boolean;
}

const item = (kind: Item['kind'], token: Token, math: string, shown = token.text, op?: string): Item => ({ kind, token, math, shown, op, units: [], doubts: [] });

export function findEquations(line: string, variable: boolean): FoundEquation[] {
  if (line.length > MAX_LINE_CHARS) return [];
  const tokens = tokenize(line, variable);
  const found: FoundEquation[] = [];
  let run: Run | null = null;
  const close = () => {
    if (run && run.items.some((it) => it.kind === 'eq')) found.push(...equationsOf(run));
    run = null;
  };
  const open = (i: number): Run => (run ??= { items: [], before: tokens.slice(Math.max(0, i - 6), i) });
  /**
   * Unit words after a number, from token i: up to the next operator or "=", none of them a
   * clause word. Returns the index of the last token consumed; closes the run when the words
   * are not a unit (a sentence goes on).
   */
  const units = (i: number): number => {
    const r = run!;
    const owner = [...r.items].reverse().find((it) => it.kind === 'num');
    const doubts: string[] = [];
    /** Said of the number whatever the words turn out to be: "= 24/Y", "= 20% of the price". */
    const always: string[] = [];
    const words: string[] = [];
    let j = i;
    let unit = false;
    for (; j < tokens.length && words.length <= MAX_UNIT_WORDS; j++) {
      const u = tokens[j];
      if (u.kind === 'word') {
        if (!r.items.some((it) => it.kind === 'eq') && wordOperator(tokens, j, r.items)) {
          unit = true;
          break;
        }
        const w = lower(u);
        if (BREAKERS.has(w)) break;
        if (!words.length && w === 'of' && owner && (owner.token.pct || r.items[r.items.length - 2]?.op === '/'))
          always.push(`"${owner.shown} of ${tokens[j + 1]?.text ?? ''}" takes a share of something`); // "1/3 of Solomon"
        if (CHANGERS.has(w) || MULTIPLIERS.has(w)) doubts.push(`"${w}" may change what the numbers mean`);
        if (u.letter) always.push(`"${u.text}" may be an unknown`);
        words.push(w);
      } else if (u.kind === 'op' && u.op === '/' && tokens[j + 1]?.kind === 'word') {
        words.push('/'); // "snakes/jaguar", "$65/month"
      } else if (u.kind === 'lp' && u.spaceBefore && remarkEnd(tokens, j) > j) {
        j = remarkEnd(tokens, j); // "(Samuel)", "(house and food)"
      } else if ((u.text === '.' && !u.spaceBefore && !u.spaceAfter && tokens[j + 1]?.kind === 'word') || /^[²³]$/.test(u.text)) {
        continue; // "sq.ft", "cm³"
      } else {
        unit = u.kind === 'op' || u.kind === 'eq' || u.kind === 'rp';
        // "5 apples - 3 + 2": after words a spaced dash may be punctuation
        if (u.op === '-' && u.spaceBefore && u.spaceAfter && words.length) u.afterWord = words[words.length - 1];
        // "30 minutes/60 minutes" divides, but "3 degrees/5% increase" is "per 5% increase"
        if (u.op === '/' && !u.spaceBefore && !u.spaceAfter) doubts.push(`"${tokens[j - 1].text}/${tokens[j + 1]?.text ?? ''}" may be a unit`);
        break;
      }
    }
    if (owner) owner.units.push(...words.slice(0, MAX_UNIT_WORDS));
    owner?.doubts.push(...always);
    if (unit && words.length <= MAX_UNIT_WORDS) owner?.doubts.push(...doubts);
    else close();
    return j - 1;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const items: Item[] | undefined = (run as Run | null)?.items;
    const last = items?.[items.length - 1];
    const afterOperand = !!last && (last.kind === 'num' || last.kind === 'rp' || last.kind === 'var');
    switch (t.kind) {
      case 'num': {
        // "18 000": thousands set off by a space (it may still be two numbers).
        if (last?.kind === 'num' && /^\d{1,3}$/.test(last.math) && /^\d{3}$/.test(t.text) && last.token.spaceAfter && !last.units.length) {
          last.math += t.text;
          last.shown += ` ${t.text}`;
          last.token = { ...last.token, spaceAfter: t.spaceAfter };
          last.doubts.push(`"${last.shown}" may be two numbers`);
          break;
        }
        // "1 1/2": a whole number and a proper fraction written after it are one number.
        const over = tokens[i + 1];
        const denominator = tokens[i + 2];
        if (
          last?.kind === 'num' &&
          /^\d+$/.test(last.math) &&
          last.token.spaceAfter &&
          !last.units.length &&
          /^\d+$/.test(t.text) &&
          over?.op === '/' &&
          !over.spaceBefore &&
          !over.spaceAfter &&
          denominator?.kind === 'num' &&
          /^\d+$/.test(denominator.text) &&
          Number(t.text) < Number(denominator.text)
        ) {
          last.math = `(${last.math} + ${t.text}/${denominator.text})`;
          last.shown += ` ${t.text}/${denominator.text}`;
          last.token = { ...last.token, spaceAfter: denominator.spaceAfter };
          i += 2;
          break;
        }
        // Two numbers in a row ("Step 3 5 + 4", "= 8 2 more") are not one expression, and the
        // side before them may not be all there.
        if (afterOperand) {
          (run as Run | null)!.cut = true;
          close();
        }
        const it = item('num', t, t.text.replace(/[$€£¢]\s?/g, ''), t.text.replace(/[$€£¢]\s?/g, ''));
        if (t.currency) it.units.push(t.currency);
        if (t.doubt) it.doubts.push(t.doubt);
        open(i).items.push(it);
        break;
      }
      case 'var':
        if (!variable || t.text !== 'x') close();
        else open(i).items.push(item('var', t, 'x'));
        break;
      case 'op':
        // "$65/month", "5 snakes/jaguar": a slash before a word is "per", part of the unit.
        if (t.op === '/' && afterOperand && tokens[i + 1]?.kind === 'word') i = units(i);
        else open(i).items.push(item('op', t, t.op!, t.text, t.op));
        break;
      case 'lp':
        // "8 friends + 1 (Samuel) + 1 (Cathy)", "$240 (house and food) + $9": a remark in the unit.
        if (afterOperand && t.spaceBefore && remarkEnd(tokens, i) > i) i = units(i);
        else if (afterOperand && t.spaceBefore) {
          // "= 4 (15 minutes)": a remark with a number in it, or a product; the side before it is not all there
          (run as Run | null)!.cut = true;
          close();
          open(i).items.push(item('lp', t, '('));
        } else open(i).items.push(item('lp', t, '('));
        break;
      case 'rp':
        open(i).items.push(item('rp', t, ')'));
        break;
      case 'eq':
        open(i).items.push(item('eq', t, '='));
        break;
      case 'word': {
        const r = run as Run | null;
        if (r && last?.kind === 'op' && r.items.length > 1) {
          // "+ Cynthia's 8 gallons", "- the 3 eaten": a few words between an operator and its number.
          let j = i;
          while (j < tokens.length && j - i < MAX_PREFIX_WORDS && tokens[j].kind === 'word' && !BREAKERS.has(lower(tokens[j]))) j++;
          if (j > i && tokens[j]?.kind === 'num') {
            for (let k = i; k < j; k++) {
              const w = lower(tokens[k]);
              if (CHANGERS.has(w) || MULTIPLIERS.has(w)) last.doubts.push(`"${tokens[k].text}" may change what the numbers mean`);
              if (tokens[k].letter) last.doubts.push(`"${tokens[k].text}" may be an unknown`);
            }
            if (LABELS.has(lower(tokens[j - 1]))) last.doubts.push(`"${tokens[j - 1].text} ${tokens[j].text}" may name a ${lower(tokens[j - 1])}, not count`);
            i = j - 1;
            break;
          }
        }
        if (!r || !afterOperand) {
          close();
          break;
        }
        // After "=", words that read as an operator go on with the sentence: "8*45 = 360 divided by 5 is 72".
        const wop = r.items.some((it) => it.kind === 'eq') ? null : wordOperator(tokens, i, r.items);
        if (wop) {
          r.items.push(item('op', t, wop.op, tokens.slice(i, i + wop.width).map((x) => x.text).join(' '), wop.op));
          i += wop.width - 1;
          break;
        }
        i = units(i);
        break;
      }
      default:
        if (run && t.kind === 'other' && !t.spaceBefore) (run as Run).cut = true;
        close();
    }
  }
  close();
  return found;
}

/**
 * Index of the ")" closing a remark in parentheses after a number: words, and numbers with no
 * operator between them ("(Samuel)", "(house and food)", "(15 minutes)"), else -1.
 */
function remarkEnd(tokens: Token[], i: number): number {
  let j = i + 1;
  while (j < tokens.length && (tokens[j].kind === 'word' || tokens[j].kind === 'num' || tokens[j].text === ',')) j++;
  return j > i + 1 && tokens[j]?.kind === 'rp' && tokens.slice(i + 1, j).some((t) => t.kind === 'word') ? j : -1;
}

/** Splits a run at its "=" signs into the equations of the sides read whole. */
function equationsOf(run: Run): FoundEquation[] {
  const sides: Item[][] = [[]];
  for (const it of run.items) {
    if (it.kind === 'eq') sides.push([]);
    else sides[sides.length - 1].push(it);
  }
  const context = contextDoubt(run);
  const before = run.before[run.before.length - 1];
  // "√16 + 2", "2^3": a symbol we do not read glued to the first side
  const cutStart = !!before && before.kind === 'other' && !before.spaceAfter;
  // Drop empty sides at the ends ("= 5" after words); an empty side inside ("3 = = 4") breaks.
  const readable: (Item[] | null)[] = sides.map((side, k) => {
    if (!side.length) return null;
    if ((k === 0 && cutStart) || (k === sides.length - 1 && run.cut)) return null;
    const first = side[0];
    const lastItem = side[side.length - 1];
    if (lastItem.kind === 'op' || lastItem.kind === 'lp') return null;
    if (first.kind === 'op' || first.kind === 'rp') {
      if (first.kind === 'rp' || first.op !== '-') return null; // "S + 143", ") * 2": part of something unread
      if (k === 0 && !unaryAtStart(run, first)) return null;
    }
    if (side.some((it, n) => it.kind === 'op' && side[n + 1]?.kind === 'op' && side[n + 1].op !== '-')) return null;
    return side;
  });
  const out: FoundEquation[] = [];
  let group: Item[][] = [];
  const flush = () => {
    if (group.length >= 2) out.push(equation(group, group[0] === readable[0] && context ? [context] : []));
    group = [];
  };
  for (const side of readable) {
    if (side) group.push(side);
    else flush();
  }
  flush();
  return out;
}

/** A leading minus is a sign at the start of the line, after punctuation or glued to its number ("is -5"); after a word ("S - 5") it is an operator with an operand we did not read. */
function unaryAtStart(run: Run, minus: Item): boolean {
  const prev = run.before[run.before.length - 1];
  if (!prev || prev.kind === 'punct' || prev.kind === 'lp' || prev.kind === 'eq') return true;
  return !minus.token.spaceAfter && minus.token.spaceBefore && prev.kind === 'word' && !isUnknown(prev);
}

/**
 * The words right before an equation that change what it says: "20 less than 50 - 5",
 * "half of the 40 + 10", "5 and 3 + 2", "Week 1 + Week 2", "√(144)". Not a label before "="
 * ("Third = 7 + 5").
 */
function contextDoubt(run: Run): string | null {
  const before = run.before;
  if (run.items[0]?.kind === 'eq') return null;
  let k = before.length - 1;
  const prev = before[k];
  if (!prev) return null;
  if (prev.kind === 'num') return 'a number right before it';
  if (prev.kind === 'rp') return `"${prev.text}" right before it`; // "(1/2) 278 + 11"
  if (prev.kind === 'other' || prev.kind === 'var' || prev.kind === 'op' || prev.letter) return `"${prev.text}" right before it`;
  // "14, 400 / 80", ".8 + . 84": punctuation inside a number or an expression
  if (prev.kind === 'punct' && (before[k - 1]?.kind === 'num' || before[k - 1]?.kind === 'op') && (!prev.spaceBefore || before[k - 1].kind === 'op')) return `"${before[k - 1].text}${prev.text}" right before it`;
  if (LABELS.has(lower(prev))) return `"${prev.text} ${run.items[0]?.token.text ?? ''}" may name a ${lower(prev)}, not count`;
  // "7 adults + Shonda (1) + 2": the words are an operand, and this is the end of a longer sum
  for (let b = k; b >= Math.max(0, k - 3); b--) {
    if (before[b].kind === 'op' && before[b].op !== '/') return `"${before[b].text}" a few words before it`;
    if (before[b].kind !== 'word' && before[b].kind !== 'lp' && before[b].kind !== 'rp') break;
  }
  while (k >= 0 && ARTICLES.has(lower(before[k]))) k--;
  const w = lower(before[k]);
  if (!w) return null;
  if (CHANGERS.has(w) || MULTIPLIERS.has(w)) return `"${w}" right before it`;
  if (LINKERS.has(w)) {
    const b1 = before[k - 1];
    const b2 = before[k - 2];
    const counts = (t: Token | undefined) => !!t && (t.kind === 'num' || MULTIPLIERS.has(lower(t)));
    if (counts(b1)) return `"${b1.text} ${w}" right before it`;
    if (b1?.kind === 'word' && counts(b2)) return `"${b2.text} ${b1.text} ${w}" right before it`;
  }
  return null;
}

const spaced = (it: Item) => it.token.spaceBefore || it.token.spaceAfter;

function equation(sides: Item[][], lead: string[]): FoundEquation {
  const doubts = sides.flatMap((side) => side.flatMap((it) => it.doubts));
  const single = sides.map((s) => s.filter((it) => it.kind === 'num' || it.kind === 'var').length === 1 && !s.some((it) => it.kind === 'op' && !(it === s[0] && it.op === '-')));
  // "25 / 1/3", "$2000 / 2/3": a fraction written tight after a spaced "/" is one number.
  const tight = (it: Item | undefined) => it?.op === '/' && !spaced(it);
  const math = sides.map((side) =>
    side.map((it, n) => {
      if (it.kind === 'num' && tight(side[n + 1]) && side[n + 2]?.kind === 'num' && side[n - 1]?.op === '/' && spaced(side[n - 1])) return { ...it, math: `(${it.math}` };
      if (it.kind === 'num' && tight(side[n - 1]) && side[n - 2]?.kind === 'num' && side[n - 3]?.op === '/' && spaced(side[n - 3])) return { ...it, math: `${it.math})` };
      return it;
    }),
  );
  // "5 apples - 3 + 2": a spaced dash after words, before a bare number, may be punctuation
  // ("24 clownfish - 8 clownfish" is not: the number after it has its unit too).
  for (const side of sides)
    side.forEach((it, n) => {
      if (it.kind === 'op' && it.token.afterWord && side[n + 1]?.kind === 'num' && !side[n + 1].units.length) doubts.push(`the "${it.token.text}" after "${it.token.afterWord}" may be a dash`);
    });
  // "$50 - 20% = $40": a percentage added to or taken off a number may be a share of it
  for (const side of sides)
    side.forEach((it, n) => {
      if ((it.op === '+' || it.op === '-') && n > 0 && side[n + 1]?.token.pct && !side[n - 1].token.pct) doubts.push(`"${side[n - 1].shown} ${it.shown} ${side[n + 1].shown}" may take ${side[n + 1].shown} of ${side[n - 1].shown}`);
    });
  for (const side of sides)
    if (side.some((it, n) => it.op === '/' && side[n + 1]?.kind === 'num' && side[n + 2]?.op === '/' && side[n + 3]?.kind === 'num' && !(spaced(it) && !spaced(side[n + 2]))))
      doubts.push('"a / b / c" may be meant as a / (b / c)');
  // Units that convert, added or compared without a factor: "3 hours + 30 minutes = 3.5 hours",
  // "2 hours = 120 minutes", "$1 / 2 = 50 cents".
  const mainUnit = (it: Item) => {
    for (const word of it.units) {
      if (word === 'per' || word === '/') return [];
      const f = FAMILIES.filter((u) => u.re.test(word));
      if (f.length) return f;
    }
    return [];
  };
  const additive = (side: Item[]) => side.some((it, n) => it.kind === 'op' && (it.op === '+' || it.op === '-') && n > 0);
  const sideUnits = sides.map((side) => side.filter((it) => it.kind === 'num').flatMap(mainUnit));
  const allUnits = sides.map((side) => side.flatMap((it) => it.units.flatMap((w) => FAMILIES.filter((u) => u.re.test(w)))));
  sides.forEach((side, k) => {
    if (additive(side) || single[k])
      for (const [m, other] of sideUnits.entries()) {
        if (m !== k && !(additive(sides[m]) || single[m])) continue;
        for (const a of sideUnits[k]) for (const b of other) if (a.family === b.family && a.unit !== b.unit) doubts.push(`it mixes ${a.unit}s and ${b.unit}s`);
      }
    if (single[k])
      for (const a of sideUnits[k])
        for (const [m, other] of allUnits.entries())
          if (m !== k && other.some((b) => b.family === a.family) && !other.some((b) => b.unit === a.unit)) doubts.push(`it turns ${other.find((b) => b.family === a.family)!.unit}s into ${a.unit}s`);
  });
  for (const side of sides) for (const it of side) for (const u of it.units) if (SCALES.has(u)) doubts.push(`"${u}" scales the number before it`);
  return {
    sides: math.map((s) => join(s, 'math')),
    shown: sides.map((s) => join(s, 'shown')),
    single,
    doubts: [...new Set(doubts)],
    lead,
    units: sides.some((s) => s.some((it) => it.units.length > 0)),
    slice: (from, to = sides.length) => equation(sides.slice(from, to), from === 0 ? lead : []),
  };
}

function join(items: Item[], key: 'math' | 'shown'): string {
  let out = '';
  items.forEach((it, n) => {
    const prev = items[n - 1];
    const glue =
      !prev ||
      prev.kind === 'lp' ||
      it.kind === 'rp' ||
      (prev.kind === 'op' && prev.op === '-' && !prev.token.spaceAfter && (n === 1 || items[n - 2].kind === 'op' || items[n - 2].kind === 'lp')) ||
      // "2/5" as written (a fraction), where "2 / 5" is a division
      (key === 'shown' && ((prev.op === '/' && !spaced(prev)) || (it.op === '/' && !spaced(it))));
    out += (glue ? '' : ' ') + it[key];
  });
  return out;
}
