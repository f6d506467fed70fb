import { readFileSync } from 'node:fs';
import { extractAnswer } from '../core/domains/stepmath/verify';
import { DEFAULT_DOMAIN, domainOf } from '../core/domains';
import type { VerifyResult } from '../core/protocol/results';
import { loadEngine, MODEL_FLAGS } from './models';
import { recogniseProblem } from '../core/input';
import { rejectUnknown, UsageError, type ParsedArgs } from './args';

/** Largest solution we accept on stdin. */
const MAX_INPUT_BYTES = 1 << 20;
/** Most steps in one solution: nobody writes more by hand, and a paste of a whole file is a mistake. */
const MAX_STEPS = 1000;

function readStdin(): string {
  let data: Buffer;
  try {
    data = readFileSync(0);
  } catch (e) {
    throw new UsageError(`cannot read stdin: ${(e as Error).message}`);
  }
  if (data.length > MAX_INPUT_BYTES) throw new UsageError(`input is ${data.length} bytes; the limit is ${MAX_INPUT_BYTES}`);
  return data.toString('utf8');
}

/** A written solution on stdin (verify, explain): the problem on the first line, then one step per line. */
export function readSolutionInput(input = readStdin()): { problem: string; steps: string[] } {
  // NUL and other control bytes, or invalid UTF-8 (decoded as U+FFFD): not a solution someone wrote.
  if (/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]/.test(input)) throw new UsageError('stdin is binary, not text');
  const lines = input.split(/\r?\n/);
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  if (!lines.length || !lines[0].trim()) throw new UsageError('no solution on stdin: the first line is the problem, then one step per line');
  const [problem, ...steps] = lines;
  if (steps.length > MAX_STEPS) throw new UsageError(`the solution has ${steps.length} steps; the limit is ${MAX_STEPS} (the first line is the problem, then one step per line)`);
  return { problem, steps };
}

export async function runVerify(args: ParsedArgs, write: (line: string) => void): Promise<number> {
  rejectUnknown(args, ['json', 'jsonl', ...MODEL_FLAGS]);
  const input = readStdin();
  if (args.flags.has('jsonl')) return verifyJsonl(input, write);
  const { problem, steps } = readSolutionInput(input);
  // The same checks and normal form as a solve (and as Verify in the editor), so an unreadable
  // problem is one clear line (exit 1) and "Compute 12+7*(5-3)" is followed step by step.
  const { domain } = recogniseProblem(problem);
  // Bad input is answered above, before any model loads; then the PRM scores every step (one pass).
  const engine = await loadEngine(args);
  let result: VerifyResult;
  try {
    result = await engine.verify(problem, steps);
  } finally {
    await engine.dispose();
  }
  // Free-form text may state its answer without an Answer: line; a Make 24 answer is the line itself.
  const answer = result.answer ?? (steps.length && !(domain?.selfChecking ?? false) ? extractAnswer(steps.join('\n')) : null);
  if (args.flags.has('json')) {
    write(JSON.stringify({ problem, steps: result.steps, answer }));
  } else {
    const mark = (v: boolean | null) => (v === true ? '✓' : v === false ? '✗' : '?');
    write(problem);
    for (const s of result.steps) write(`${mark(s.valid)} ${s.score === null ? '  -  ' : s.score.toFixed(2)}  ${s.text}    (${s.reason})`);
    write(`answer: ${answer ?? '(none)'}`);
  }
  // A script can tell a wrong step from a clean check by the exit code alone.
  return result.steps.some((s) => s.valid === false) ? 3 : 0;
}

/** Batch mode for the training pipeline: one `{problem, steps}` per line in, the checker's verdicts per line out (no PRM). */
function verifyJsonl(input: string, write: (line: string) => void): number {
  let n = 0;
  for (const line of input.split('\n')) {
    if (!line.trim()) continue;
    n++;
    let item: { problem?: unknown; steps?: unknown };
    try {
      item = JSON.parse(line);
    } catch {
      throw new UsageError(`line ${n}: not JSON`);
    }
    if (typeof item.problem !== 'string' || !Array.isArray(item.steps) || !item.steps.every((s) => typeof s === 'string'))
      throw new UsageError(`line ${n}: expected {"problem": string, "steps": string[]}`);
    write(JSON.stringify((domainOf(item.problem) ?? DEFAULT_DOMAIN).check(item.problem, item.steps as string[])));
  }
  return 0;
}
