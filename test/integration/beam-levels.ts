import type { NodeView } from '../../src/core/protocol/results';

/**
 * One depth of a beam search's tree as beam-loop.ts ranks it: the open nodes there (those that pass
 * `keep`), by score, best first, one per distinct partial solution (a copy of a kept path is not
 * kept again), so tests can tell which beams were kept and which lay below them.
 */
export function distinctBeamsAt(tree: readonly NodeView[], depth: number, keep: (node: NodeView) => boolean = () => true): NodeView[] {
  const byId = new Map(tree.map((x) => [x.id, x]));
  const pathText = (node: NodeView): string => (node.parentId === null ? '' : `${pathText(byId.get(node.parentId)!)}\n${node.text}`);
  const seen = new Set<string>();
  return tree
    .filter((x) => x.depth === depth && x.status !== 'finished' && keep(x))
    .sort((a, b) => b.score! - a.score!)
    .filter((x) => {
      const key = pathText(x);
      return !seen.has(key) && seen.add(key);
    });
}
