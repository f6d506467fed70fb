// Both verifiers side by side on held-out StepMath problems (the test set of bench/lib/problems.ts,
// seed 7): PRM-only (`--verifier prm`, what docs/RESULTS.md measured) against checked search
// (`--verifier checked`: the checker drops a step whose own claims are wrong and the parent draws
// again; the PRM ranks the rest). Accuracy is graded by the reference answer (the bench may read
// it; no search does). Writes docs/RESULTS-verifiers.md and prints one JSON line.
//
//   npm run report:verifiers -- [--per-level 4] [--threads 2] [--shard i/n]
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { STEPMATH_PLAN_TABLES } from '../src/core/adapt/plan-table';
import { testSet } from './lib/problems';
import { argValue, loadBundled, shardArg, shardOf } from './lib/models';
import { mean, RunCache, sweep, type Config, type Run } from './lib/sweep';

const BUDGET = 16;
const CONFIGS: { config: Config; budgets: number[] }[] = [];
for (const verifier of ['prm', 'checked'] as const) {
  CONFIGS.push(
    { config: { label: `greedy/${verifier}`, strategy: 'greedy', verifier }, budgets: [1] },
    { config: { label: `majority/${verifier}`, strategy: 'majority', verifier }, budgets: [BUDGET] },
    { config: { label: `weighted-bon/${verifier}`, strategy: 'weighted-bon', verifier }, budgets: [BUDGET] },
    // Tagged: beam search shares its children by score since these runs (beam-loop.ts).
    { config: { label: `beam/${verifier}`, strategy: 'beam', width: 4, verifier, cacheTag: 'score-shares' }, budgets: [BUDGET] },
    // auto with the table calibrated for this verifier (its runs are redone when the table changes;
    // `rest`: with `checked`, a plan that finds no checked solution hands the rest of the cap to samples)
    { config: { label: `auto/${verifier}`, strategy: 'auto', verifier, cacheTag: createHash('sha256').update(JSON.stringify(STEPMATH_PLAN_TABLES[verifier])).digest('hex').slice(0, 12) + (verifier === 'checked' ? '-rest' : '') }, budgets: [BUDGET] },
  );
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

async function main(): Promise<void> {
  const problems = testSet(argValue('per-level', 4));
  const seed = 1;
  const shard = shardArg();
  const { engine, signature } = await loadBundled();
  mkdirSync(resolve(__dirname, 'results'), { recursive: true });
  const cache = new RunCache(resolve(__dirname, 'results/verifier-runs.jsonl'), signature);
  const runs = await sweep(engine, shardOf(problems, shard), CONFIGS, seed, cache);
  await engine.dispose();
  if (shard) return console.log(`shard ${shard.index}/${shard.of} done; run without --shard for the figures`);

  const cell = (label: string, filter: (r: Run) => boolean = () => true) => {
    const rs = runs.filter((r) => r.label === label && filter(r));
    return { n: rs.length, accuracy: mean(rs.map((r) => (r.correct ? 1 : 0))), tokens: mean(rs.map((r) => r.tokens)), answered: mean(rs.map((r) => (r.answer === null ? 0 : 1))) };
  };
  const ops = new Map(problems.map((p) => [p.id, p.ops]));
  const rows = CONFIGS.map(({ config, budgets }) => ({ label: config.label, budget: budgets[0], all: cell(config.label), hard: cell(config.label, (r) => (ops.get(r.problemId) ?? 0) >= 4) }));
  const get = (label: string) => rows.find((r) => r.label === label)!;
  const gain = get('beam/checked').all.accuracy - get('weighted-bon/prm').all.accuracy;
  const lines = [
    '# Checked search against PRM-only search (StepMath)',
    '',
    `Held-out StepMath test problems (seed 7, ${problems.length} problems: ${problems.length / 18} per operation count 1-6 and number size 9, 20, 99), seed ${seed}, bundled policy and PRM, N = ${BUDGET} (beam width 4).`,
    'Graded by the reference answer; no strategy reads it. `prm`: the PRM alone ranks steps (what docs/RESULTS.md measured).',
    '`checked`: the checker judges only what each step claims (its arithmetic, its rewrite of what is left to compute, each equation against the one before it, the answer against the value the steps reached); a step it proves wrong is dropped and its parent draws again (up to 3 times, at temperature 0.7 at least).',
    '"answered": the share of problems with any finished solution (checked search may keep none). `auto` at a cap of 16 uses the table calibrated for its verifier (`npm run calibrate -- --verifier checked|prm`, on the calibration set, seed 8).',
    '',
    '| strategy / verifier | N | accuracy | 4-6 operations | answered | generated tokens |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.label} | ${r.budget} | ${pct(r.all.accuracy)} | ${pct(r.hard.accuracy)} | ${pct(r.all.answered)} | ${r.all.tokens.toFixed(0)} |`),
    '',
    `Checked beam@${BUDGET} minus PRM-only weighted best-of-${BUDGET}: **${(100 * gain).toFixed(1)} points** (target: at least +15).`,
    '',
    `Command: \`npm run report:verifiers -- --per-level ${argValue('per-level', 4)}\``,
    '',
  ];
  writeFileSync(resolve(__dirname, '../docs/RESULTS-verifiers.md'), lines.join('\n'));
  console.log(lines.join('\n'));
  console.log(JSON.stringify({ problems: problems.length, gainPoints: Number((100 * gain).toFixed(1)), rows: rows.map((r) => ({ label: r.label, accuracy: Number(r.all.accuracy.toFixed(3)), tokens: Math.round(r.all.tokens) })) }));
}

void main();
