import type { SearchContext } from './context';
import type { SearchNode } from './tree';

/**
 * PRM beam search (Snell et al.): N first steps; then repeatedly keep the top N/M open beams by
 * `select` score and expand each into M children, until N solutions finish or steps run out.
 */
export async function beamSearch(ctx: SearchContext, select: (nodes: SearchNode[]) => Promise<number[]>): Promise<SearchNode[]> {
  const { budget: n, width } = ctx.params;
  const m = Math.max(1, Math.min(width, n));
  const keep = Math.max(1, Math.floor(n / m));
  let frontier = await ctx.expand([ctx.root], [n]);
  while (ctx.leaves().length < n) {
    const open = frontier.filter((f) => ctx.isOpen(f));
    if (!open.length) break;
    const scores = await select(open);
    const order = open.map((node, i) => ({ node, score: scores[i] })).sort((a, b) => b.score - a.score);
    const kept = order.slice(0, keep).map((o) => o.node);
    ctx.prune(order.slice(keep).map((o) => o.node));
    frontier = await ctx.expand(kept, kept.map(() => m));
  }
  ctx.prune(frontier);
  return ctx.leaves().sort((a, b) => ctx.scoreOf(b) - ctx.scoreOf(a));
}
