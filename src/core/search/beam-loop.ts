import type { SearchContext } from './context';
import { pathOf, type SearchNode } from './tree';

/**
 * PRM beam search (Snell et al.): N first steps; then repeatedly keep the top N/M open beams by
 * `select` score and expand each into M children, until N solutions finish or steps run out.
 * Beams are distinct partial solutions: a copy of a kept one (the policy often writes the same
 * step twice) is not kept again, and when fewer distinct beams than N/M are open, the kept ones
 * share the N children between them, so the budget buys different paths, not the same one twice.
 */
export async function beamSearch(ctx: SearchContext, select: (nodes: SearchNode[]) => Promise<number[]>): Promise<SearchNode[]> {
  const { budget: n, width } = ctx.params;
  const m = Math.max(1, Math.min(width, n));
  const keep = Math.max(1, Math.floor(n / m));
  let frontier = await ctx.expand([ctx.root], [n], { distinct: true });
  while (ctx.leaves().length < n) {
    const open = frontier.filter((f) => ctx.isOpen(f));
    if (!open.length) break;
    const scores = await select(open);
    const order = open.map((node, i) => ({ node, score: scores[i] })).sort((a, b) => b.score - a.score);
    const seen = new Set<string>();
    const kept: SearchNode[] = [];
    for (const { node } of order) {
      const key = pathOf(node).map((p) => p.text).join('\n');
      if (seen.has(key)) continue;
      seen.add(key);
      kept.push(node);
      if (kept.length === keep) break;
    }
    const children = keep * m;
    ctx.prune(open.filter((node) => !kept.includes(node)));
    frontier = await ctx.expand(kept, kept.map((_, i) => Math.floor(children / kept.length) + (i < children % kept.length ? 1 : 0)), { distinct: true });
  }
  ctx.prune(frontier);
  return ctx.leaves().sort((a, b) => ctx.scoreOf(b) - ctx.scoreOf(a));
}
