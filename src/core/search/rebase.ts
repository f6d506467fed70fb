import type { SearchStrategy } from './strategy';
import { rankByAnswer, sum } from './rank';
import { allocate } from './allocate';

/**
 * Children per node: round(B * softmax(R_j / T_b)) with largest remainders, so the counts sum
 * to exactly B (Wu et al. 2024, REBASE).
 */
export function allocateRebase(rewards: readonly number[], budget: number, temperature: number): number[] {
  const t = Math.max(temperature, 1e-6);
  const top = Math.max(...rewards);
  return allocate(rewards.map((r) => Math.exp((r - top) / t)), budget);
}

/** REBASE: each depth, the budget still unspent (N minus finished) is shared by softmax of PRM scores. */
export const rebase: SearchStrategy = {
  name: 'rebase',
  description: 'reward-balanced tree search: children in proportion to softmax(score / T_b)',
  run: async (ctx) => {
    const { budget: n, rebaseTemperature } = ctx.params;
    let frontier = await ctx.expand([ctx.root], [n]);
    for (;;) {
      const open = frontier.filter((f) => ctx.isOpen(f));
      const remaining = n - ctx.leaves().length;
      if (!open.length || remaining <= 0) break;
      const counts = allocateRebase(open.map((o) => ctx.scoreOf(o)), remaining, rebaseTemperature);
      ctx.prune(open.filter((_, i) => counts[i] === 0));
      const chosen = open.filter((_, i) => counts[i] > 0);
      frontier = await ctx.expand(chosen, counts.filter((c) => c > 0));
    }
    ctx.prune(frontier);
    return rankByAnswer(ctx.leaves(), (x) => ctx.scoreOf(x), sum, ctx.domain.answerKey);
  },
};
