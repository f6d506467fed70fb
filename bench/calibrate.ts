// `npm run calibrate -- [--verifier checked|prm] [--per-level 24] [--shard i/n]`: fits the difficulty
// estimate and picks, per difficulty bin and budget cap, the strategy with the best accuracy on the
// calibration set under that verifier; writes src/core/adapt/plan-table-<verifier>.json.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { difficultyBin, difficultyScore, probeFeatures, quintileEdges, type DifficultyModel, type ProbeFeatures } from '../src/core/adapt/difficulty';
import type { PlanChoice, PolicyTable } from '../src/core/adapt/plan-table';
import { calibrationSet } from './lib/problems';
import { mean, RunCache, sweep, type Config, type Run } from './lib/sweep';
import { argValue, loadBundled, shardArg, shardOf, verifierArg } from './lib/models';
import { fitDifficulty, pickSignificant } from './lib/select';
import { stepmath } from '../src/core/domains/stepmath/domain';

/** Significance a strategy needs over greedy, per bin, to be chosen (the bins hold ~20 problems). */
const ALPHA = 0.1;

/** Every strategy with the hyper-parameters worth choosing between (Snell et al.'s search space, scaled down). */
export const CALIBRATION_CONFIGS: Config[] = [
  { label: 'majority', strategy: 'majority' },
  { label: 'bon', strategy: 'bon' },
  { label: 'bon/min', strategy: 'bon', aggregation: 'min' },
  { label: 'weighted-bon', strategy: 'weighted-bon' },
  { label: 'beam/M2', strategy: 'beam', width: 2 },
  { label: 'beam/M4', strategy: 'beam', width: 4 },
  { label: 'lookahead/k1', strategy: 'lookahead', width: 4, lookahead: 1 },
  { label: 'dvts/M4', strategy: 'dvts', width: 4 },
  { label: 'rebase/T0.1', strategy: 'rebase', rebaseTemperature: 0.1 },
  { label: 'rebase/T0.5', strategy: 'rebase', rebaseTemperature: 0.5 },
  { label: 'revisions', strategy: 'revisions' },
];

async function main() {
  const verifier = verifierArg();
  const configs = CALIBRATION_CONFIGS.map((c) => ({ ...c, verifier }));
  const greedyConfig: Config = { label: 'greedy', strategy: 'greedy', verifier };
  const perLevel = argValue('per-level', 24);
  const budgets = process.argv.includes('--with-64') ? [4, 16, 64] : [4, 16];
  const seed = 1;
  const shard = shardArg();
  const problems = calibrationSet(perLevel);
  const { engine, signature } = await loadBundled();
  const cache = new RunCache(resolve(__dirname, 'results/calibration-runs.jsonl'), signature);
  console.log(`calibration set: ${problems.length} problems (seed 8, disjoint from the test set)`);
  if (shard) {
    const mine = shardOf(problems, shard);
    await sweep(engine, mine, [{ config: greedyConfig, budgets: [1] }, ...configs.map((config) => ({ config, budgets }))], seed, cache);
    await engine.dispose();
    console.log(`shard ${shard.index}/${shard.of} done; run without --shard to fit and write the table`);
    return;
  }

  const greedy = await sweep(engine, problems, [{ config: greedyConfig, budgets: [1] }], seed, cache);
  const features = problems.map((p, i) => probeFeatures(stepmath.size(p.problem), p.problem, greedy[i].steps, greedy[i].answer));
  const weights = fitDifficulty(features, greedy.map((r) => !r.correct));
  const difficulty: DifficultyModel = { weights, edges: [] };
  const scoreOf = (f: ProbeFeatures) => difficultyScore(f, difficulty);
  difficulty.edges = quintileEdges(features.map(scoreOf)).map((e) => Math.round(e * 1000) / 1000);
  const binOf = new Map(problems.map((p, i) => [p.id, difficultyBin(scoreOf(features[i]), difficulty.edges)]));

  const runs = [...greedy, ...(await sweep(engine, problems, configs.map((config) => ({ config, budgets })), seed, cache))];
  const byConfig = new Map<string, Run[]>();
  for (const r of runs) byConfig.set(`${r.label}|${r.budget}`, [...(byConfig.get(`${r.label}|${r.budget}`) ?? []), r]);

  const bins: PolicyTable['bins'] = {};
  console.log(`\nbin  cap  choice               accuracy  greedy   tokens  sign-test p (a choice other than greedy needs p <= ${ALPHA})`);
  for (let bin = 1; bin <= 5; bin++) {
    bins[String(bin)] = {};
    for (const cap of [1, ...budgets]) {
      const inBin = (key: string) => (byConfig.get(key) ?? []).filter((r) => binOf.get(r.problemId) === bin);
      const options = [...byConfig.keys()].filter((key) => key !== 'greedy|1' && Number(key.split('|')[1]) <= cap).map((key) => ({ key, runs: inBin(key) }));
      const baseline = { key: 'greedy|1', runs: inBin('greedy|1') };
      if (!baseline.runs.length) continue;
      const best = pickSignificant(baseline, options, ALPHA);
      const [label, budget] = best.key.split('|');
      const config = label === 'greedy' ? greedyConfig : configs.find((c) => c.label === label)!;
      const { label: _label, ...knobs } = config;
      const choice: PlanChoice = { ...knobs, budget: Number(budget), accuracy: Math.round(best.accuracy * 1000) / 1000 };
      bins[String(bin)][String(cap)] = choice;
      const greedyAcc = mean(baseline.runs.map((r) => (r.correct ? 1 : 0)));
      console.log(`${bin}    ${String(cap).padEnd(4)} ${`${choice.strategy}/${choice.budget}${choice.width ? `/M${choice.width}` : ''}`.padEnd(20)} ${(100 * best.accuracy).toFixed(1).padStart(6)}%  ${(100 * greedyAcc).toFixed(1).padStart(5)}%  ${Math.round(best.tokens).toString().padStart(6)}  ${best.p < 1 ? best.p.toFixed(3) : '-'}`);
    }
  }
  const table: PolicyTable = {
    version: 1,
    note: `Calibrated by \`npm run calibrate -- --verifier ${verifier} --per-level ${perLevel}\` (verifier ${verifier}) on ${problems.length} held-out problems (seed 8), budgets ${budgets.join(', ')}, seed ${seed}, ${new Date().toISOString().slice(0, 10)}; a bin leaves greedy only for a strategy that beats it on the same problems with sign-test p <= ${ALPHA}.`,
    difficulty,
    bins,
    stopping: { agreement: 0.8, score: 0.8 },
  };
  const file = `src/core/adapt/plan-table-${verifier}.json`;
  writeFileSync(resolve(__dirname, '..', file), JSON.stringify(table, null, 2) + '\n');
  console.log(`\nwrote ${file}`);
  console.log(JSON.stringify({ problems: problems.length, weights, edges: difficulty.edges }));
  await engine.dispose();
}

void main();
