import type { Validity } from '../verify';

export type NodeStatus = 'active' | 'expanded' | 'pruned' | 'finished';

/** What the UI and the CLI see of a search node (no caches, plain data). */
export interface NodeView {
  id: number;
  parentId: number | null;
  depth: number;
  text: string;
  score: number | null;
  valid: Validity;
  reason: string;
  status: NodeStatus;
  answer: string | null;
}

/** A node of the search tree; `policy`/`reward` are the backends' states to continue from. */
export interface SearchNode extends NodeView {
  parent: SearchNode | null;
  policy: unknown;
  reward: unknown;
  /** Step scores from the root down to this node. */
  pathScores: number[];
}

export type SearchEvent =
  | { type: 'node'; node: NodeView }
  | { type: 'status'; ids: number[]; status: NodeStatus }
  | { type: 'candidate'; nodeId: number; answer: string | null; score: number };

export function viewOf(n: SearchNode): NodeView {
  const { id, parentId, depth, text, score, valid, reason, status, answer } = n;
  return { id, parentId, depth, text, score, valid, reason, status, answer };
}

/** The steps of a node's path, root excluded. */
export function pathOf(n: SearchNode): SearchNode[] {
  const path: SearchNode[] = [];
  for (let x: SearchNode | null = n; x && x.parent; x = x.parent) path.push(x);
  return path.reverse();
}
