import { readFileSync } from 'node:fs';
import { NO_CANDIDATES, type SolveOptions, type SolveResult } from '../core/protocol/results';
import { KNOBS, type KnobName, type SearchParams } from '../core/search/params';
import { STRATEGY_NAMES } from '../core/search/registry';
import { answersEquivalent } from '../core/domains/stepmath/verify';
import { intFlag, rejectUnknown, stringFlag, UsageError, type ParsedArgs } from './args';
import { loadEngine, MODEL_FLAGS } from './models';
import { BadInputError, recogniseProblem } from '../core/input';
import { domainNamed } from '../core/domains';

const SOLVE_FLAGS = ['strategy', 'seed', 'json', 'input', ...Object.values(KNOBS).flatMap((k) => ('flag' in k ? [k.flag] : [])), ...MODEL_FLAGS];

function floatFlag(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || x < min || x > max) throw new UsageError(`--${name} must be a number between ${min} and ${max}`);
  return x;
}

/** The search knobs that have a flag, read with the ranges KNOBS declares. */
function knobFlags(args: ParsedArgs): Partial<SearchParams> {
  const out: Partial<Record<KnobName, number | string>> = {};
  for (const [name, knob] of Object.entries(KNOBS) as [KnobName, (typeof KNOBS)[KnobName]][]) {
    if (!('flag' in knob)) continue;
    if (knob.kind === 'choice') {
      const value = stringFlag(args, knob.flag);
      const choices: readonly string[] = knob.choices;
      if (value !== undefined && !choices.includes(value)) throw new UsageError(`--${knob.flag} must be one of ${choices.join(', ')}`);
      out[name] = value;
    } else out[name] = knob.kind === 'int' ? intFlag(args, knob.flag, undefined, knob.min, knob.max) : floatFlag(args, knob.flag, knob.min, knob.max);
  }
  return out as Partial<SearchParams>;
}

/** `--flag lo..hi  meaning` for every search knob with a flag: the solve help. */
export const KNOB_HELP = Object.values(KNOBS)
  .filter((k) => 'flag' in k)
  .map((k) => `    --${'flag' in k ? k.flag : ''} ${k.kind === 'choice' ? k.choices.join('|') : `${k.min}..${k.max}`} (default ${k.default}): ${k.description}`)
  .join('\n');

export function solveOptions(args: ParsedArgs): SolveOptions {
  const strategy = stringFlag(args, 'strategy');
  if (strategy !== undefined && !STRATEGY_NAMES.includes(strategy)) throw new UsageError(`--strategy must be one of ${STRATEGY_NAMES.join(', ')}`);
  return { strategy, seed: intFlag(args, 'seed', 0, 0, 2 ** 31), ...knobFlags(args) };
}

/** The JSON of the CLI contract: the result without the search tree. */
export function resultJson(r: SolveResult): Omit<SolveResult, 'tree'> {
  const { tree: _tree, ...rest } = r;
  return rest;
}

export async function runSolve(args: ParsedArgs, write: (line: string) => void): Promise<number> {
  rejectUnknown(args, SOLVE_FLAGS);
  const options = solveOptions(args);
  const input = stringFlag(args, 'input');
  if (input !== undefined) return solveFile(args, input, options, write);
  if (args.positional.length !== 1) throw new UsageError('give one problem in quotes, e.g. stepwise solve "Compute 12 + 7 * ( 5 - 3 )."');
  // Bad input is answered before any model loads (the engine checks again, at no cost).
  if (recogniseProblem(args.positional[0]).domain === null && !['model', 'prm', 'policy-url', 'prm-url'].some((f) => args.flags.has(f))) warnOutOfScope();
  const engine = await loadEngine(args);
  try {
    const result = await engine.solve(args.positional[0], options);
    if (args.flags.has('json')) write(JSON.stringify(resultJson(result)));
    else writeReadable(result, write);
  } finally {
    await engine.dispose();
  }
  return 0;
}

interface InputLine {
  id: unknown;
  problem: string;
  answer?: string;
}

function readInput(path: string): InputLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const items: InputLine[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let item: Partial<InputLine>;
    try {
      item = JSON.parse(line);
    } catch {
      throw new UsageError(`${path}:${i + 1}: not JSON`);
    }
    if (typeof item?.problem !== 'string') throw new UsageError(`${path}:${i + 1}: expected {"id", "problem", "answer"?}`);
    // Every problem is checked before the first solve, so a bad line costs milliseconds, not a batch.
    try {
      recogniseProblem(item.problem);
    } catch (e) {
      if (e instanceof BadInputError) throw new BadInputError(`${path}:${i + 1}: ${e.message}`);
      throw e;
    }
    items.push({ id: item.id ?? items.length, problem: item.problem, answer: item.answer === undefined ? undefined : String(item.answer) });
  });
  return items;
}

async function solveFile(args: ParsedArgs, path: string, options: SolveOptions, write: (line: string) => void): Promise<number> {
  const items = readInput(path);
  const engine = await loadEngine(args);
  const progress = process.stderr.isTTY ? (i: number) => process.stderr.write(`\r${bar(i, items.length)} ${i}/${items.length}`) : () => {};
  let correct = 0;
  let graded = 0;
  let tokens = 0;
  let ms = 0;
  try {
    for (const [i, item] of items.entries()) {
      progress(i);
      const result = await engine.solve(item.problem, options);
      tokens += result.tokens;
      ms += result.ms;
      const isCorrect = gradeOf(result, item.answer);
      if (isCorrect !== undefined) {
        graded++;
        if (isCorrect) correct++;
      }
      const out = { id: item.id, ...resultJson(result), expected: item.answer, correct: isCorrect };
      if (args.flags.has('json')) write(JSON.stringify(out));
      else write(`${String(item.id)}\t${result.answer ?? '(none)'}${isCorrect === undefined ? '' : isCorrect ? '\tcorrect' : `\twrong (expected ${item.answer})`}`);
    }
    progress(items.length);
    if (process.stderr.isTTY) process.stderr.write('\n');
  } finally {
    await engine.dispose();
  }
  const summary = { summary: true, count: items.length, graded, correct, accuracy: graded ? correct / graded : null, tokens, ms };
  write(args.flags.has('json') ? JSON.stringify(summary) : `accuracy ${summary.accuracy === null ? 'n/a' : (100 * summary.accuracy).toFixed(1) + '%'} over ${graded}, ${tokens} tokens, ${ms} ms`);
  return 0;
}

/**
 * Whether the first candidate is right: in a domain whose checker needs only the problem (Make 24)
 * a checked solution is right whatever the expected answer says; elsewhere, by the expected answer.
 */
function gradeOf(result: SolveResult, expected: string | undefined): boolean | undefined {
  if (result.domain && domainNamed(result.domain)?.selfChecking) return result.candidates[0]?.verified ?? false;
  return expected === undefined ? undefined : result.answer !== null && answersEquivalent(result.answer, expected);
}

function warnOutOfScope(): void {
  process.stderr.write('stepwise: warning: the bundled models were not trained for this kind of problem (they know StepMath: Compute, Solve for x and its word-problem templates; and Make 24 puzzles), so the answer is a guess; a bigger model can be used with --model or --policy-url (README "Bigger models")\n');
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total ? Math.round((width * done) / total) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function writeReadable(r: SolveResult, write: (line: string) => void): void {
  const difficulty = r.difficulty ? `, difficulty ${r.difficulty.bin}/5` : '';
  write(`${r.problem}`);
  const chosen = r.chosen ? ` → ${r.chosen.strategy} (budget ${r.chosen.budget}${r.chosen.width ? `, width ${r.chosen.width}` : ''})${r.chosen.samplesAfter ? `, then ${r.chosen.samplesAfter} sample${r.chosen.samplesAfter === 1 ? '' : 's'}` : ''}` : '';
  write(`strategy ${r.strategy}${chosen}, budget ${r.budget}${difficulty}: ${r.tokens} tokens, ${(r.flops / 1e9).toFixed(2)} GFLOP, ${r.ms} ms`);
  r.candidates.slice(0, 5).forEach((c, i) => {
    write('');
    write(`#${i + 1}  answer ${c.answer ?? '(none)'}  score ${c.score.toFixed(3)}${c.verified ? '  verified' : ''}`);
    for (const s of c.steps) write(`   ${s.valid === true ? '✓' : s.valid === false ? '✗' : '?'} ${s.score === null ? '  -  ' : s.score.toFixed(2)}  ${s.text}`);
  });
  if (!r.candidates.length) write(NO_CANDIDATES);
  if (r.candidates.length > 5) write(`\n(${r.candidates.length - 5} more candidates; --json shows all)`);
}
