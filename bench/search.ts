// `npm run bench:search`: accuracy vs budget for every strategy on the held-out test set, oracle
// pass@N, per operation count; writes bench/results/search.json and search.svg.
// `npm run report` (adds --report): the same run plus auto, difficulty bins, compute efficiency,
// and docs/RESULTS.md with its plots.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { probeFeatures, difficultyBin, difficultyScore } from '../src/core/adapt/difficulty';
import { STEPMATH_PLAN_TABLES } from '../src/core/adapt/plan-table';

// The StepMath report is PRM-only (as docs/RESULTS.md was measured): auto runs on the prm table.
const POLICY_TABLE = STEPMATH_PLAN_TABLES.prm;
import { testSet, type BenchProblem } from './lib/problems';
import { mean, rerankRun, RunCache, runOne, summarize, sweep, type Cell, type Config, type Run } from './lib/sweep';
import { argValue, BIG_POLICY_DIR, loadBundled, shardArg, shardOf } from './lib/models';
import { count, max, sum } from '../src/core/search/rank';
import { accuracyPlot, renderSvg } from './lib/plot';
import { writeReport } from './lib/report';
import { stepmath } from '../src/core/domains/stepmath/domain';

// The StepMath report is PRM-only, as docs/RESULTS.md was measured; bench/verifiers.ts sets both verifiers side by side.
export const STRATEGY_CONFIGS: Config[] = [
  { label: 'majority', strategy: 'majority', verifier: 'prm' },
  { label: 'bon', strategy: 'bon', verifier: 'prm' },
  { label: 'weighted-bon', strategy: 'weighted-bon', verifier: 'prm' },
  { label: 'beam', strategy: 'beam', verifier: 'prm', width: 4 },
  { label: 'lookahead', strategy: 'lookahead', verifier: 'prm', width: 4, lookahead: 1 },
  { label: 'dvts', strategy: 'dvts', verifier: 'prm', width: 4 },
  { label: 'rebase', strategy: 'rebase', verifier: 'prm', rebaseTemperature: 0.2 },
  { label: 'revisions', strategy: 'revisions', verifier: 'prm' },
];

async function main() {
  const report = process.argv.includes('--report');
  const perLevel = argValue('per-level', 20);
  const big = argValue('big-budget', 64);
  const seed = 1;
  const problems: BenchProblem[] = testSet(perLevel);
  const shard = shardArg();
  const { engine, signature } = await loadBundled();
  const cache = new RunCache(resolve(__dirname, 'results/search-runs.jsonl'), signature);
  // Budget 64 is costly on 2 cores: the strategies the comparisons need get it.
  const withBig = new Set(['majority', 'weighted-bon']);
  const plan = [
    { config: { label: 'greedy', strategy: 'greedy', verifier: 'prm' } as Config, budgets: [1] },
    ...STRATEGY_CONFIGS.map((config) => ({ config, budgets: withBig.has(config.label) ? [4, 16, big] : [4, 16] })),
    // auto's runs depend on the policy table too: a recalibrated table must not reuse them
    ...(report ? [{ config: { label: 'auto', strategy: 'auto', verifier: 'prm', cacheTag: createHash('sha256').update(JSON.stringify(POLICY_TABLE)).digest('hex').slice(0, 12) } as Config, budgets: [4, 16, big] }] : []),
  ];
  console.log(`test set: ${problems.length} problems (seed 7, held out from training), seed ${seed}`);
  const mine = shardOf(problems, shard);
  const runs = await sweep(engine, mine, plan, seed, cache);
  await engine.dispose();
  // FLOPs-matched: the 4x policy's runs, set against the small policy at no more measured FLOPs.
  const withBigPolicy = report && existsSync(BIG_POLICY_DIR);
  const bigPolicy = withBigPolicy ? await sweepBigPolicy(mine, seed) : null;
  if (shard) {
    console.log(`shard ${shard.index}/${shard.of} done; run without --shard for the figures`);
    return;
  }

  const cells = cellsOf(runs);
  const opsOf = new Map(problems.map((p) => [p.id, p.ops]));
  const byOps: Record<string, Record<string, Record<string, number>>> = {};
  for (const { config, budgets } of plan)
    for (const b of budgets)
      for (let ops = 1; ops <= 6; ops++) {
        const list = runs.filter((r) => r.label === config.label && r.budget === b && opsOf.get(r.problemId) === ops);
        ((byOps[config.label] ??= {})[b] ??= {})[ops] = mean(list.map((r) => (r.correct ? 1 : 0)));
      }

  console.log(`\n${'strategy'.padEnd(14)} ${plan[1].budgets.map((b) => `N=${b}`.padStart(16)).join('')}`);
  for (const { config, budgets } of plan) console.log(`${config.label.padEnd(14)} ${budgets.map((b) => `${(100 * cells[config.label][b].accuracy).toFixed(1)}% ${Math.round(cells[config.label][b].tokens)}t`.padStart(16)).join('')}`);
  console.log(`${'oracle pass@N'.padEnd(14)} ${[4, 16, big].map((b) => `${(100 * cells.majority[b].oracle).toFixed(1)}%`.padStart(16)).join('')}`);
  const hardest = (label: string, b: number) => mean([5, 6].map((o) => byOps[label]?.[b]?.[o] ?? 0));
  console.log(`\nhardest level (5-6 ops): beam ${[4, 16].map((b) => `N=${b} ${(100 * hardest('beam', b)).toFixed(1)}%`).join(', ')} vs weighted-bon ${[4, 16].map((b) => `N=${b} ${(100 * hardest('weighted-bon', b)).toFixed(1)}%`).join(', ')}`);

  mkdirSync(resolve(__dirname, 'results'), { recursive: true });
  writeFileSync(resolve(__dirname, 'results/search.json'), JSON.stringify({ problems: problems.length, seed, cells, byOps }, null, 2) + '\n');
  const points = pointsOf(cells);
  // majority's samples are every sampler's samples (same seed): their pass@N is the ceiling
  const oracle = [4, 16, big].map((b) => ({ strategy: 'oracle pass@N', budget: b, tokens: cells.majority[b].tokens, flops: cells.majority[b].flops, accuracy: cells.majority[b].oracle }));
  const svg = await renderSvg(accuracyPlot([...points, ...oracle], 'tokens', 'generated tokens per problem (log2)'));
  writeFileSync(resolve(__dirname, 'results/search.svg'), svg);
  console.log('wrote bench/results/search.json and bench/results/search.svg');

  const figures: Record<string, number | null> = {
    problems: problems.length,
    greedy: cells.greedy[1].accuracy,
    beam_16: cells.beam[16].accuracy,
    weighted_bon_16: cells['weighted-bon'][16].accuracy,
    beam_hard_16: hardest('beam', 16),
    weighted_bon_hard_16: hardest('weighted-bon', 16),
    oracle_16: cells.majority[16].oracle,
  };
  if (report) {
    // Difficulty bins as auto sees them: the greedy run is exactly auto's probe.
    const binOf = new Map(
      runs
        .filter((r) => r.label === 'greedy')
        .map((r) => {
          const p = problems.find((x) => x.id === r.problemId)!;
          return [r.problemId, difficultyBin(difficultyScore(probeFeatures(stepmath.size(p.problem), p.problem, r.steps, r.answer), POLICY_TABLE.difficulty), POLICY_TABLE.difficulty.edges)];
        }),
    );
    const goldOf = new Map(problems.map((p) => [p.id, p.answer]));
    const bigPolicyRuns = bigPolicy?.runs ?? [];
    const bigRuns = [
      ...bigPolicyRuns.filter((r) => r.label === 'greedy').map((r) => ({ ...r, label: '4x greedy' })),
      ...bigPolicyRuns.filter((r) => r.label === 'majority').flatMap((r) =>
      (
        [
          ['4x majority', count],
          ['4x best-of-N', max],
          ['4x weighted-bon', sum],
        ] as const
      ).map(([label, weight]) => rerankRun(r, label, weight, goldOf.get(r.problemId)!)),
      ),
    ];
    const bigCells = cellsOf(bigRuns);
    const flopsSvg = await renderSvg(accuracyPlot([...points, ...oracle, ...pointsOf(bigCells)], 'flops', 'FLOPs per problem (log2)'));
    const extra = await writeReport({ runs, plan, cells, byOps, binOf, problems, big, flopsSvg, tokensSvg: svg, bigRuns, bigCells, rerankCheck: bigPolicy?.rerankCheck ?? null });
    Object.assign(figures, extra);
  }
  console.log(JSON.stringify(figures));
}

/**
 * The 4x policy's greedy runs and majority runs at N = 1, 4, 16 (best-of-N and weighted best-of-N
 * are re-ranked from them), and a check of that re-ranking against real weighted best-of-N runs
 * on the first 12 problems.
 */
async function sweepBigPolicy(problems: BenchProblem[], seed: number): Promise<{ runs: Run[]; rerankCheck: { same: number; of: number } }> {
  const { engine, signature } = await loadBundled(BIG_POLICY_DIR);
  const cache = new RunCache(resolve(__dirname, 'results/search-runs.jsonl'), signature);
  console.log(`4x policy (${BIG_POLICY_DIR}): greedy, and majority at N = 1, 4, 16`);
  const plan: { config: Config; budgets: number[] }[] = [
    { config: { label: 'greedy', strategy: 'greedy', verifier: 'prm' }, budgets: [1] },
    { config: { label: 'majority', strategy: 'majority', verifier: 'prm' }, budgets: [1, 4, 16] },
  ];
  const runs = await sweep(engine, problems, plan, seed, cache);
  const checked = problems.slice(0, 12);
  let same = 0;
  for (const p of checked) {
    const majority = await runOne(engine, p, { label: 'majority', strategy: 'majority', verifier: 'prm' }, 4, seed, cache);
    const weighted = await runOne(engine, p, { label: 'weighted-bon', strategy: 'weighted-bon', verifier: 'prm' }, 4, seed, cache);
    if (rerankRun(majority, 'check', sum, p.answer).answer === weighted.answer) same++;
  }
  await engine.dispose();
  return { runs, rerankCheck: { same, of: checked.length } };
}

/** Runs summarised per strategy label and budget (insertion order: the order they ran in). */
function cellsOf(runs: Run[]): Record<string, Record<string, Cell>> {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const key = `${r.label}|${r.budget}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const cells: Record<string, Record<string, Cell>> = {};
  for (const list of groups.values()) (cells[list[0].label] ??= {})[list[0].budget] = summarize(list);
  return cells;
}

/** Plot points of every strategy and budget in `cells`. */
function pointsOf(cells: Record<string, Record<string, Cell>>) {
  return Object.entries(cells).flatMap(([strategy, byBudget]) => Object.entries(byBudget).map(([b, c]) => ({ strategy, budget: Number(b), tokens: c.tokens, flops: c.flops, accuracy: c.accuracy })));
}

if (require.main === module) void main();
