/**
 * Finds the equations inside a line of free text ("She makes 9 * 2 = $18 every day."):
 * maximal runs of arithmetic tokens that contain '=', split into their sides.
 */
export interface FoundEquation {
  sides: string[];
}

type Kind = 'num' | 'op' | 'lp' | 'rp' | 'eq' | 'var' | 'word' | 'other';
interface Token {
  text: string;
  kind: Kind;
}

const TOKEN = /\$?\d+(?:,\d{3})*(?:\.\d+)?\s?%?|\$?\.\d+%?|[+\-*/×÷·−=()]|[A-Za-z]+|\S/g;

function classify(text: string): Kind {
  if (/^\$?\.?\d/.test(text)) return 'num';
  if (/^[+\-*/×÷·−]$/.test(text)) return 'op';
  if (text === '(') return 'lp';
  if (text === ')') return 'rp';
  if (text === '=') return 'eq';
  if (/^[A-Za-z]+$/.test(text)) return 'word';
  return 'other';
}

/** Longest line we scan: beyond this nobody wrote a step by hand. */
export const MAX_LINE_CHARS = 10_000;

export function findEquations(line: string, variable: boolean): FoundEquation[] {
  if (line.length > MAX_LINE_CHARS) return [];
  const tokens: Token[] = (line.match(TOKEN) ?? []).map((text) => ({ text: text.trim(), kind: classify(text.trim()) }));
  // x means times between numbers ("3 x 4"); with a variable it is the unknown.
  tokens.forEach((t, i) => {
    if (t.kind !== 'word' || (t.text !== 'x' && t.text !== 'X')) return;
    const prev = tokens[i - 1]?.kind;
    const next = tokens[i + 1]?.kind;
    if (variable && t.text === 'x') t.kind = 'var';
    else if ((prev === 'num' || prev === 'rp') && (next === 'num' || next === 'lp')) t.kind = 'op';
  });
  // A unit word right after a number and before an operator is dropped ("3 hours * 4").
  const kept = tokens.filter((t, i) => !(t.kind === 'word' && tokens[i - 1]?.kind === 'num' && (tokens[i + 1]?.kind === 'op' || tokens[i + 1]?.kind === 'eq')));
  const found: FoundEquation[] = [];
  let run: Token[] = [];
  const close = () => {
    if (run.some((t) => t.kind === 'eq')) {
      const sides: string[] = [];
      let side: string[] = [];
      for (const t of run) {
        if (t.kind === 'eq') {
          sides.push(side.join(' '));
          side = [];
        } else side.push(t.kind === 'op' && /^[xX]$/.test(t.text) ? '*' : t.text);
      }
      sides.push(side.join(' '));
      const trimmed = trimSides(sides);
      if (trimmed.length >= 2) found.push({ sides: trimmed });
    }
    run = [];
  };
  for (const t of kept) {
    if (t.kind === 'word' || t.kind === 'other') close();
    else run.push(t);
  }
  close();
  return found;
}

/** Drops empty sides at the ends and dangling operators ("so - 5 = 5" stays as "- 5 = 5"). */
function trimSides(sides: string[]): string[] {
  const s = sides.map((x) => x.trim().replace(/^[*/×÷]\s*|\s*[+\-*/×÷−]$/g, '').trim());
  while (s.length && !s[0]) s.shift();
  while (s.length && !s[s.length - 1]) s.pop();
  return s.some((x) => !x) ? [] : s;
}
