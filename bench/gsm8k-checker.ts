// The StepMath checker on solutions written by people: GSM8K (github.com/openai/grade-school-math,
// MIT). Every solution goes through exactly what `stepwise verify` does (recogniseProblem on the
// question, then the domain's check on the lines), one step per line.
//
//   node --import tsx bench/gsm8k-checker.ts --data <train.jsonl|test.jsonl> [--limit N] [--seed S] [--show K]
//
// What the checker sees. A GSM8K answer is lines of reasoning with calculator annotations
// ("Natalia sold 48/2 = <<48/2=24>>24 clips in May.") and a last line "#### 72". The annotations are
// the calculator, not the person's text: they are removed ("Natalia sold 48/2 = 24 clips in May."),
// and "#### 72" becomes "Answer: 72". The checker never sees an annotation.
//
// Ground truth, from the annotations alone (never from the checker or its parser):
// - An annotation "<<e=r>>" is exact when e, evaluated exactly (mathjs with fractions, on the
//   annotation's own text), equals r, and the number the person wrote right after it is r.
// - A *true line* has at least one annotation and every annotation in it is exact. (Rounded ones,
//   "<<10/3=3.33>>", and GSM8K's few slips are not true lines; lines without annotations have no
//   reference and are left out of the first figure.) A true line may still hold an arithmetic slip
//   the calculator never saw, so "true lines called wrong" is an upper bound on false alarms; --show
//   prints them for reading.
// - A *line with an equation* shows an equation to a reader: an annotation right after "=" (a "$"
//   between is fine) and at least two numbers between that "=" and the start of its clause (line
//   start, or the previous "=", ". ", ": ", "; ", "? ", "! "). "Total = 8" is not one; "5 * $4 = $20" is.
// - A *corrupted line*: one such equation of a true line (chosen with the seed) gets a wrong result:
//   the number the person wrote after "=" becomes r + 1 or r x 10 (r + 1 when r is 0), so the shown
//   equation is false; the solution is checked again with that one line changed.
//
// Figures: true lines called wrong (valid false), lines with an equation judged (valid not null),
// corrupted lines called right (valid true), solutions refused (recogniseProblem or check throws).
// Also printed, for reading: how many corrupted lines are called wrong (the rest get null), and the
// lines with "=" but no annotation that are called wrong (no reference: read them with --show K,
// which prints up to K lines of each list).
//
// Develop on the train split; the test split is for the held-out figure.
import { readFileSync } from 'node:fs';
import { all, create, type Fraction } from 'mathjs';
import { DEFAULT_DOMAIN } from '../src/core/domains';
import { recogniseProblem } from '../src/core/input';
import type { StepVerdict } from '../src/core/domains/domain';
import { Rng } from '../src/core/rng';

const math = create(all, { number: 'Fraction' });

export interface GsmRecord {
  question: string;
  answer: string;
}

/** One line of a solution: the person's text, and where each annotation stood in it. */
export interface HumanLine {
  raw: string;
  text: string;
  sites: { expr: string; result: string; at: number }[];
}

const NUMBER = /^\s*(-?(?:\d[\d,]*(?:\.\d+)?|\.\d+))/;

/** The lines a person wrote: annotations removed, "#### 72" as "Answer: 72". */
export function humanLines(answer: string): HumanLine[] {
  return answer.split('\n').map((raw) => {
    const final = /^####\s*(.*)$/.exec(raw);
    if (final) return { raw, text: `Answer: ${final[1].trim()}`, sites: [] };
    let text = '';
    let pos = 0;
    const sites: HumanLine['sites'] = [];
    for (const m of raw.matchAll(/<<([^<>]*)>>/g)) {
      text += raw.slice(pos, m.index);
      const eq = m[1].lastIndexOf('=');
      sites.push({ expr: m[1].slice(0, eq), result: m[1].slice(eq + 1), at: text.length });
      pos = m.index! + m[0].length;
    }
    text += raw.slice(pos);
    return { raw, text, sites };
  });
}

function exact(s: string): Fraction | null {
  try {
    const v = math.evaluate(s.replace(/,/g, '')) as unknown;
    return v && typeof v === 'object' && 'n' in (v as object) ? (v as Fraction) : null;
  } catch {
    return null;
  }
}

/** The number written right after an annotation, as text, or null. */
function shownAfter(line: HumanLine, at: number): string | null {
  const m = NUMBER.exec(line.text.slice(at));
  return m ? m[1] : null;
}

/** Is the annotation exact, and is its result what the person wrote after it? */
export function siteExact(line: HumanLine, i: number): boolean {
  const s = line.sites[i];
  if (!s.expr.trim()) return false;
  const e = exact(s.expr);
  const r = exact(s.result);
  const shown = shownAfter(line, s.at);
  const w = shown === null ? null : exact(shown);
  return !!(e && r && w && e.equals(r) && w.equals(r));
}

/** Is the annotation shown as the right side of an equation a reader sees? */
export function siteIsEquation(line: HumanLine, i: number): boolean {
  const before = line.text.slice(0, line.sites[i].at).replace(/[\s$€£¢]+$/, '');
  if (!before.endsWith('=')) return false;
  const clause = before.slice(0, -1).split(/=|[.:;?!]\s/).pop()!;
  return (clause.match(/\d[\d,]*(?:\.\d+)?|\.\d+/g) ?? []).length >= 2;
}

export const isTrueLine = (l: HumanLine) => l.sites.length > 0 && l.sites.every((_, i) => siteExact(l, i));
export const hasEquation = (l: HumanLine) => l.sites.some((_, i) => siteIsEquation(l, i));

/** The line with the result of annotation i written wrong (r + 1, or r x 10 unless r is 0). */
export function corrupt(line: HumanLine, i: number, times10: boolean): string {
  const at = line.sites[i].at;
  const shown = shownAfter(line, at)!;
  const start = at + line.text.slice(at).indexOf(shown);
  const r = exact(shown)!;
  const wrong = times10 && !r.equals(0) ? r.mul(10) : r.add(1);
  return line.text.slice(0, start) + decimal(wrong) + line.text.slice(start + shown.length);
}

function decimal(v: Fraction): string {
  return (v.valueOf() as number).toString().replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** What `stepwise verify` does with a problem and its lines. */
export function verify(problem: string, steps: string[]): StepVerdict[] {
  const { problem: prepared, domain } = recogniseProblem(problem);
  return (domain ?? DEFAULT_DOMAIN).check(prepared, steps).steps;
}

interface Tally {
  solutions: number;
  lines: number;
  trueLines: number;
  trueWrong: string[];
  equationLines: number;
  judged: number;
  unjudged: string[];
  corrupted: number;
  corruptedRight: string[];
  corruptedWrong: number;
  corruptedUnjudged: string[];
  refused: string[];
  noReference: number;
  noReferenceWrong: string[];
}

export function run(records: GsmRecord[], seed: number): Tally {
  const t: Tally = { solutions: 0, lines: 0, trueLines: 0, trueWrong: [], equationLines: 0, judged: 0, unjudged: [], corrupted: 0, corruptedRight: [], corruptedWrong: 0, corruptedUnjudged: [], refused: [], noReference: 0, noReferenceWrong: [] };
  const rng = new Rng(seed);
  for (const rec of records) {
    t.solutions++;
    const lines = humanLines(rec.answer);
    const steps = lines.map((l) => l.text);
    let verdicts: StepVerdict[];
    try {
      verdicts = verify(rec.question, steps);
    } catch (e) {
      t.refused.push(`${rec.question.slice(0, 80)}: ${(e as Error).message}`);
      continue;
    }
    lines.forEach((l, i) => {
      t.lines++;
      const v = verdicts[i];
      const show = `${l.text}    (${v.reason})`;
      if (isTrueLine(l)) {
        t.trueLines++;
        if (v.valid === false) t.trueWrong.push(show);
      } else if (!l.sites.length && /=/.test(l.text)) {
        t.noReference++;
        if (v.valid === false) t.noReferenceWrong.push(show);
      }
      if (hasEquation(l)) {
        t.equationLines++;
        if (v.valid !== null) t.judged++;
        else t.unjudged.push(show);
      }
      if (isTrueLine(l) && hasEquation(l)) {
        const eligible = l.sites.map((_, k) => k).filter((k) => siteIsEquation(l, k));
        const k = rng.pick(eligible);
        const changed = corrupt(l, k, rng.chance(0.5));
        let again: StepVerdict;
        try {
          again = verify(rec.question, [...steps.slice(0, i), changed, ...steps.slice(i + 1)])[i];
        } catch (e) {
          t.refused.push(`${changed}: ${(e as Error).message}`);
          return;
        }
        t.corrupted++;
        if (again.valid === true) t.corruptedRight.push(`${changed}    (${again.reason})`);
        if (again.valid === false) t.corruptedWrong++;
        if (again.valid === null) t.corruptedUnjudged.push(`${changed}    (${again.reason})`);
      }
    });
  }
  return t;
}

const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(2) : '-') + ' %';

function main(): void {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const data = arg('data');
  if (!data) {
    console.error('usage: node --import tsx bench/gsm8k-checker.ts --data <gsm8k.jsonl> [--limit N] [--seed S] [--show K]');
    process.exit(1);
  }
  const limit = Number(arg('limit') ?? Infinity);
  const seed = Number(arg('seed') ?? 1);
  const showK = Number(arg('show') ?? 0);
  const records = readFileSync(data, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, limit)
    .map((l) => JSON.parse(l) as GsmRecord);
  const started = performance.now();
  const t = run(records, seed);
  const ms = performance.now() - started;
  const out = console.log;
  const list = (title: string, items: string[]) => {
    if (!showK || !items.length) return;
    out(`  ${title}:`);
    for (const s of items.slice(0, showK)) out(`    ${s}`);
  };
  out(`GSM8K checker bench: ${data}, ${t.solutions} solutions, ${t.lines} lines, seed ${seed}, ${(ms / 1000).toFixed(1)} s`);
  out(`true lines called wrong:           ${t.trueWrong.length} of ${t.trueLines} (${pct(t.trueWrong.length, t.trueLines)})   target <= 0.5 %`);
  list('true lines called wrong', t.trueWrong);
  out(`lines with an equation judged:     ${t.judged} of ${t.equationLines} (${pct(t.judged, t.equationLines)})   target >= 95 %`);
  list('not judged', t.unjudged);
  out(`corrupted lines called right:      ${t.corruptedRight.length} of ${t.corrupted} (${pct(t.corruptedRight.length, t.corrupted)})   target <= 2 %`);
  out(`corrupted lines called wrong:      ${t.corruptedWrong} of ${t.corrupted} (${pct(t.corruptedWrong, t.corrupted)})`);
  list('corrupted lines called right', t.corruptedRight);
  list('corrupted lines not judged', t.corruptedUnjudged);
  out(`solutions refused:                 ${t.refused.length} of ${t.solutions}   target 0`);
  list('refused', t.refused);
  out(`lines with "=" and no annotation called wrong (no reference; read them): ${t.noReferenceWrong.length} of ${t.noReference}`);
  list('no reference, called wrong', t.noReferenceWrong);
}

if (require.main === module) main();
