import type { SearchContext } from './context';
import type { SearchNode } from './tree';

/** N independent solutions from the root, decoded together, each to its end (best-of-N, majority). */
export async function sampleSolutions(ctx: SearchContext, n: number, temperature = ctx.params.temperature): Promise<SearchNode[]> {
  let frontier = await ctx.expand([ctx.root], [n], temperature);
  while (frontier.some((f) => ctx.isOpen(f))) {
    const open = frontier.filter((f) => ctx.isOpen(f));
    frontier = await ctx.expand(open, open.map(() => 1), temperature);
  }
  return ctx.leaves();
}
