import type { SearchContext } from './context';
import { pathOf, type SearchNode } from './tree';
import { allocate } from './allocate';

/**
 * PRM beam search (Snell et al.): N first steps; then repeatedly keep the top N/M open beams by
 * `select` score and share N children between them in proportion to their scores, until N
 * solutions finish or steps run out. Snell et al. give every kept beam M children; sharing by score
 * is the same when the scores are equal, and where the PRM rules a beam out (a Make 24 state that
 * cannot reach the target scores about 0) its children go to the beams still alive instead of
 * being spent on a dead end. Beams are distinct partial solutions: a copy of a kept one (the policy
 * often writes the same step twice) is not kept again. Where children are drawn distinct
 * (SearchContext.expand), a beam whose policy has no new step left gives fewer than asked; the
 * children it could not take go to the beams below the kept ones, in score order (with width 1
 * every beam is kept, so they go unspent).
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
    const candidates: { node: SearchNode; score: number }[] = [];
    for (const c of order) {
      const key = pathOf(c.node).map((p) => p.text).join('\n');
      if (seen.has(key)) continue;
      seen.add(key);
      candidates.push(c);
    }
    // A kept beam whose score earns it no share is ruled out; the fill reaches below the kept ones.
    const expanded = new Set<SearchNode>();
    let next = Math.min(keep, candidates.length);
    let wanted = keep * m;
    frontier = [];
    for (let batch = candidates.slice(0, next); batch.length; ) {
      const counts = allocate(batch.map((c) => c.score), wanted);
      const children = await ctx.expand(batch.map((c) => c.node), counts, { distinct: true });
      batch.forEach((c, i) => counts[i] > 0 && expanded.add(c.node));
      frontier.push(...children);
      wanted -= children.length;
      batch = wanted > 0 ? candidates.slice(next, next + Math.ceil(wanted / m)) : [];
      next += batch.length;
    }
    ctx.prune(open.filter((node) => !expanded.has(node)));
  }
  ctx.prune(frontier);
  return ctx.leaves().sort((a, b) => ctx.scoreOf(b) - ctx.scoreOf(a));
}
