import type { SearchContext } from './context';
import type { SearchNode } from './tree';

/** n independent continuations of `from`, decoded together, each to its end. Returns their leaves. */
export async function sampleSolutions(ctx: SearchContext, n: number, temperature = ctx.params.temperature, from: SearchNode = ctx.root): Promise<SearchNode[]> {
  await ctx.reopen(from);
  let frontier = await ctx.expand([from], [n], { temperature });
  const leaves = frontier.filter((f) => f.status === 'finished');
  while (frontier.some((f) => ctx.isOpen(f))) {
    const open = frontier.filter((f) => ctx.isOpen(f));
    frontier = await ctx.expand(open, open.map(() => 1), { temperature });
    leaves.push(...frontier.filter((f) => f.status === 'finished'));
  }
  return leaves;
}
