import type { ExplainResult } from '../core/protocol/results';
import { recogniseProblem } from '../core/input';
import { intFlag, rejectUnknown, stringFlag, UsageError, type ParsedArgs } from './args';
import { loadEngine, MODEL_FLAGS } from './models';
import { readSolutionInput } from './verify';

/** `stepwise explain`: a written solution through the models' eyes, token by token. */
export async function runExplain(args: ParsedArgs, write: (line: string) => void): Promise<number> {
  rejectUnknown(args, ['json', 'temperature', 'top', ...MODEL_FLAGS]);
  const t = stringFlag(args, 'temperature');
  const temperature = t === undefined ? 1 : Number(t);
  if (!Number.isFinite(temperature) || temperature < 0.05 || temperature > 5) throw new UsageError('--temperature must be a number between 0.05 and 5');
  const top = intFlag(args, 'top', 5, 1, 50)!;
  const { problem, steps } = readSolutionInput();
  recogniseProblem(problem); // bad input answered before any model loads
  const engine = await loadEngine(args);
  try {
    const result = await engine.explain(problem, steps, { temperature, top });
    if (args.flags.has('json')) write(JSON.stringify(result));
    else writeTable(result, write);
  } finally {
    await engine.dispose();
  }
  return 0;
}

const shown = (token: string) => (token === '\n' ? '⏎' : token === ' ' ? '␣' : token);

function writeTable(r: ExplainResult, write: (line: string) => void): void {
  write(`temperature ${r.temperature}; p: the policy's probability of the token written, then its most likely tokens there`);
  for (const s of r.steps) {
    write('');
    write(`${s.valid === true ? '✓' : s.valid === false ? '✗' : '?'} ${s.text}    PRM ${s.score === null ? '-' : s.score.toFixed(3)} · ${s.reason}`);
    for (const t of s.tokens) write(`   ${shown(t.token).padEnd(3)} ${t.p.toFixed(3)}   ${t.top.map((x) => `${shown(x.token)} ${x.p.toFixed(2)}`).join('  ')}`);
  }
}
