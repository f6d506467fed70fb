import type { NodeView } from '../core/protocol/results';

/** One row of the Search Tree: siblings that wrote the same step, shown once. */
export interface TreeRow {
  /** The member the row stands for: the one the search took furthest, then the best scored. */
  node: NodeView;
  members: NodeView[];
}

const progress = { finished: 3, expanded: 2, active: 1, pruned: 0 } as const;

/** Orders copies of one step: the one the search took furthest first, then the best scored. */
export const furthestFirst = (a: NodeView, b: NodeView): number => progress[b.status] - progress[a.status] || (b.score ?? 0) - (a.score ?? 0);

/**
 * The rows of a search tree: children of a row are the children of all its members, grouped the
 * same way, best first. Plain data: no vscode here.
 */
export class TreeRows {
  readonly rowOf = new Map<number, TreeRow>();
  private readonly childRows = new Map<number, TreeRow[]>();
  readonly root: TreeRow | null;

  constructor(nodes: Iterable<NodeView>) {
    const byParent = new Map<number, NodeView[]>();
    let root: NodeView | null = null;
    for (const n of nodes) {
      if (n.parentId === null) root = n;
      else byParent.set(n.parentId, [...(byParent.get(n.parentId) ?? []), n]);
    }
    this.root = root ? this.rowFor([root]) : null;
    const fill = (row: TreeRow) => {
      const kids = row.members.flatMap((m) => byParent.get(m.id) ?? []);
      const groups = new Map<string, NodeView[]>();
      for (const k of kids) groups.set(k.text, [...(groups.get(k.text) ?? []), k]);
      const rows = [...groups.values()].map((g) => this.rowFor(g)).sort((a, b) => (b.node.score ?? 0) - (a.node.score ?? 0));
      this.childRows.set(row.node.id, rows);
      rows.forEach(fill);
    };
    if (this.root) fill(this.root);
  }

  children(row: TreeRow): TreeRow[] {
    return this.childRows.get(row.node.id) ?? [];
  }

  /** The row a node is shown in (nodes merged into a sibling's row find it). */
  rowFor(members: NodeView[]): TreeRow {
    const node = [...members].sort(furthestFirst)[0];
    const row = { node, members };
    for (const m of members) this.rowOf.set(m.id, row);
    return row;
  }

  /**
   * Why a pruned node was left, in words: its rank by score among the nodes at its depth and how
   * many of them the search kept; or that the checker proved it wrong (the checked verifier drops
   * such a step whatever its rank).
   */
  prunedReason(node: NodeView, all: Iterable<NodeView>): string {
    if (node.valid === false) return 'pruned: the checker proved this step wrong';
    const level = [...all].filter((n) => n.depth === node.depth);
    const rank = level.filter((n) => (n.score ?? 0) > (node.score ?? 0)).length + 1;
    const kept = level.filter((n) => n.status !== 'pruned').length;
    return `pruned: rank ${rank} of ${level.length} at depth ${node.depth}, kept ${kept}`;
  }
}
