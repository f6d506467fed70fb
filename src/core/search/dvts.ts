import type { SearchStrategy } from './strategy';
import type { SearchNode } from './tree';

/**
 * Diverse verifier tree search (Beeching et al.): N/M independent subtrees, each greedily
 * following its best of M children, so the N generations do not collapse onto one path.
 */
export const dvts: SearchStrategy = {
  name: 'dvts',
  description: 'N/M independent subtrees, each keeps its best of M children',
  run: async (ctx) => {
    const { budget: n, width } = ctx.params;
    const m = Math.max(1, Math.min(width, n));
    const subtrees = Math.max(1, Math.floor(n / m));
    let heads: SearchNode[] = await ctx.expand([ctx.root], [subtrees], { distinct: true });
    for (;;) {
      const open = heads.filter((h) => ctx.isOpen(h));
      if (!open.length) break;
      const children = await ctx.expand(open, open.map(() => m), { distinct: true });
      heads = open.flatMap((head) => {
        const mine = children.filter((c) => c.parent === head);
        if (!mine.length) return [];
        const best = [...mine].sort((a, b) => ctx.scoreOf(b) - ctx.scoreOf(a))[0];
        ctx.prune(mine.filter((c) => c !== best));
        return best;
      });
    }
    return ctx.leaves().sort((a, b) => ctx.scoreOf(b) - ctx.scoreOf(a));
  },
};
