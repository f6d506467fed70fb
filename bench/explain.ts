// `npm run bench:explain`: how long `explain` takes for one step of about 40 tokens on the bundled
// models with the engine warm (median and spread of repeats), the speed the Explain view needs.
import { resolve } from 'node:path';
import { createEngine } from '../src/core/backends';
import { bundledModels } from '../src/core/domains';
import { argValue } from './lib/models';

async function main(): Promise<void> {
  const repeats = argValue('repeats', 30);
  const engine = await createEngine({ ...bundledModels(resolve(__dirname, '../models')), threads: argValue('threads', 1) });
  const cases = [
    { problem: 'Compute 47 * 3 - 58 + 96 / 12 + 35 * 2 - 14.', steps: ['47 * 3 = 141', '96 / 12 = 8', '35 * 2 = 70', '141 - 58 = 83', '83 + 8 = 91', '91 + 70 + 100 - 14 - 2 = 245 - 100'] },
    { problem: 'Make 24 with 1 5 10 12 13.', steps: ['13 - 5 = 8 (left: 1 8 10 12)', '10 - 8 = 2 (left: 1 2 12)', '12 * 2 = 24 (left: 1 24)', 'Answer: 12 * (10 - (13 - 5)) * 1 = 24'] },
  ];
  for (const c of cases) {
    const last = c.steps.at(-1)!;
    const tokens = (await engine.explain(c.problem, c.steps)).steps.at(-1)!.tokens.length;
    const ms: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await engine.explain(c.problem, c.steps);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    const q = (f: number) => ms[Math.min(ms.length - 1, Math.floor(f * ms.length))].toFixed(1);
    console.log(`${c.problem}  (last step "${last}": ${tokens} tokens; whole solution explained)  median ${q(0.5)} ms, p10 ${q(0.1)}, p90 ${q(0.9)} over ${repeats} runs`);
  }
  await engine.dispose();
}

void main();
