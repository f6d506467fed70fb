import type { SearchContext } from './context';
import { pathOf, type SearchNode } from './tree';

/** `total` split as evenly as possible over `parts` (the first ones get the remainder). */
const shares = (total: number, parts: number) => Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));

/**
 * PRM beam search (Snell et al.): N first steps; then repeatedly keep the top N/M open beams by
 * `select` score and expand each into M children, until N solutions finish or steps run out.
 * Beams are distinct partial solutions: a copy of a kept one (the policy often writes the same
 * step twice) is not kept again, and when fewer distinct beams than N/M are open, the kept ones
 * share the N children between them, so the budget buys different paths, not the same one twice.
 * Where children are drawn distinct (SearchContext.expand), a beam whose policy has no new step
 * left gives fewer than M; the children it could not take go to the next beams in score order.
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
    const candidates: SearchNode[] = [];
    for (const { node } of order) {
      const key = pathOf(node).map((p) => p.text).join('\n');
      if (seen.has(key)) continue;
      seen.add(key);
      candidates.push(node);
    }
    const kept = candidates.slice(0, keep);
    let wanted = keep * m;
    frontier = [];
    for (let batch = kept; batch.length; ) {
      const children = await ctx.expand(batch, shares(wanted, batch.length), { distinct: true });
      frontier.push(...children);
      wanted -= children.length;
      batch = wanted > 0 ? candidates.slice(kept.length, kept.length + Math.ceil(wanted / m)) : [];
      kept.push(...batch);
    }
    ctx.prune(open.filter((node) => !kept.includes(node)));
  }
  ctx.prune(frontier);
  return ctx.leaves().sort((a, b) => ctx.scoreOf(b) - ctx.scoreOf(a));
}
