import type { SearchStrategy } from './strategy';
import { sampleSolutions } from './sampling-loop';
import { pathOf, type SearchNode } from './tree';

/** A step below this PRM score (or, Verifier `checked`, one whose own claims are wrong) is where a revision restarts. */
export const REVISE_BELOW = 0.5;

/**
 * Sequential revisions (after Snell et al.): take the best solution so far, find its first weak
 * step, and regenerate from just before it, keeping the good prefix; repeat up to the budget.
 * Stops early when the best solution has no weak step left.
 */
export const revisions: SearchStrategy = {
  name: 'revisions',
  description: 'revise the best solution from its first weak step, one generation at a time',
  run: async (ctx) => {
    const leaves: SearchNode[] = [...(await sampleSolutions(ctx, 1))];
    for (let generation = 1; generation < ctx.params.budget; generation++) {
      const best = [...leaves].sort((a, b) => ctx.scoreOf(b) - ctx.scoreOf(a))[0];
      // No solution yet (every generation had a step the checker proved wrong): start afresh.
      if (!best) {
        leaves.push(...(await sampleSolutions(ctx, 1, ctx.params.temperature, ctx.root)));
        continue;
      }
      const path = pathOf(best).filter((n) => n.depth > ctx.root.depth);
      // Never `n.valid`: on an answer line that compares with the problem's own result.
      const weak = path.findIndex((n) => n.claim === false || (n.score ?? 1) < REVISE_BELOW);
      if (weak < 0 && best.answer !== null) break;
      const restart = weak <= 0 ? ctx.root : path[weak - 1];
      leaves.push(...(await sampleSolutions(ctx, 1, ctx.params.temperature, restart)));
    }
    return ctx.leaves().sort((a, b) => ctx.scoreOf(b) - ctx.scoreOf(a));
  },
};
