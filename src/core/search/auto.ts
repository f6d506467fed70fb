import { planFor, type PolicyTable } from '../adapt/plan-table';
import { difficultyBin, difficultyScore, probeFeatures } from '../adapt/difficulty';
import { sampleSolutions } from './sampling-loop';
import type { SearchStrategy } from './strategy';
import { claimsChecked, pathOf, type SearchNode } from './tree';

/**
 * Compute-optimal search (Snell et al.): a greedy probe scored by the PRM estimates difficulty;
 * the calibrated table picks strategy and budget for that bin; the budget is spent in two rounds
 * (a quarter, then the rest) and the second is skipped when the answers already agree, or (Verifier
 * `checked`) once a solution whose steps' own claims all check is found. With `checked`, a plan
 * that ends with no such solution hands what is left of the cap (N probe-length generations) to
 * independent samples.
 * The table is the domain's committed calibration unless a test gives one.
 */
export function makeAuto(lookup: (name: string) => SearchStrategy | undefined, fixedTable?: PolicyTable): SearchStrategy {
  return {
    name: 'auto',
    description: 'difficulty-adaptive choice of strategy and budget from the calibrated table',
    run: async (ctx) => {
      const [probe] = await sampleSolutions(ctx, 1, 0);
      const probeTokens = ctx.generatedTokens;
      // With Verifier `checked`, a solution whose steps' own claims all check ends the search.
      const solved = () => ctx.params.verifier === 'checked' && ctx.leaves().some(claimsChecked);
      if (solved()) return ctx.leaves();
      const probeSteps = probe ? pathOf(probe).filter((n) => n.depth > ctx.root.depth) : [];
      const table = fixedTable ?? ctx.domain.planTables[ctx.params.verifier];
      const features = probeFeatures(ctx.domain.size(ctx.problem), ctx.problem, probeSteps, probe?.answer ?? null);
      const score = difficultyScore(features, table.difficulty);
      const bin = difficultyBin(score, table.difficulty.edges);
      const choice = planFor(table, bin, ctx.params.budget);
      const difficulty = { bin, score: Math.round(score * 1000) / 1000 };
      ctx.setPlan(choice, difficulty);
      const confident = features.finished && features.minScore >= table.stopping.score;
      const search = choice.strategy !== 'greedy' && choice.budget > 1 && !(confident && bin <= 2) ? lookup(choice.strategy) : undefined;
      let ranked: SearchNode[] = [];
      if (search) {
        const rounds = choice.budget >= 16 ? [choice.budget / 4, (3 * choice.budget) / 4] : [choice.budget];
        for (const budget of rounds) {
          ranked = await ctx.withParams({ ...choice, budget }, () => search.run(ctx));
          if (solved() || agrees(ranked, (n) => ctx.scoreOf(n), ctx.domain.answerKey, table.stopping)) break;
        }
      }
      // Verifier `checked` tells auto that nothing so far checks. The cap allows N generations, and
      // a tree search (or a greedy plan) may have spent far fewer tokens than N probe-length samples:
      // what is left of that goes to independent samples, which the same check then judges.
      if (ctx.params.verifier === 'checked' && !solved() && probeTokens > 0) {
        const left = Math.floor((ctx.params.budget * probeTokens - ctx.generatedTokens) / probeTokens);
        if (left > 0) {
          ctx.setPlan({ ...choice, samplesAfter: left }, difficulty);
          await sampleSolutions(ctx, left);
        }
      }
      const seen = new Set(ranked);
      return [...ranked, ...ctx.leaves().filter((l) => !seen.has(l)).sort((a, b) => ctx.scoreOf(b) - ctx.scoreOf(a))];
    },
  };
}

/** The leading answer holds most of the PRM weight and its best solution scores high. */
function agrees(ranked: SearchNode[], scoreOf: (n: SearchNode) => number, keyOf: (answer: string) => string, stop: { agreement: number; score: number }): boolean {
  if (!ranked.length || ranked[0].answer === null) return false;
  const top = keyOf(ranked[0].answer);
  const total = ranked.reduce((s, n) => s + scoreOf(n), 0);
  const share = ranked.filter((n) => n.answer !== null && keyOf(n.answer) === top).reduce((s, n) => s + scoreOf(n), 0);
  return total > 0 && share / total >= stop.agreement && scoreOf(ranked[0]) >= stop.score;
}
