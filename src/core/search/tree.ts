import type { NodeStatus, NodeView, SearchEvent } from '../protocol/results';
import type { DrawnSteps } from '../model/sampling';

export type { NodeStatus, NodeView, SearchEvent };

/** A node of the search tree; `policy`/`reward` are the backends' states to continue from. */
export interface SearchNode extends NodeView {
  parent: SearchNode | null;
  policy: unknown;
  reward: unknown;
  /** Step scores from the root down to this node (what the search ranks by). */
  pathScores: number[];
  /**
   * The verdict a search may use (Verifier `checked`): the checker on what this step itself claims;
   * null when it cannot tell or the verifier is `prm`. `valid` is the full verdict the user sees.
   */
  claim: boolean | null;
  /**
   * The steps drawn below this node without replacement (`distinct`) and the policy's probability
   * they cover. It outlives the policy state, which is released once the node is expanded, so a node
   * expanded again (auto's second round from the root) draws steps it has not drawn before.
   */
  drawn?: DrawnSteps;
}

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

/** A finished solution whose steps' own claims all check, as a search may know it. */
export function claimsChecked(leaf: SearchNode): boolean {
  return isChecked(leaf.answer, pathOf(leaf).map((n) => ({ valid: n.claim })));
}

/** A finished solution the checker accepts: an answer, no step judged wrong, the last step judged right. */
export function isChecked(answer: string | null, steps: readonly { valid: boolean | null }[]): boolean {
  return answer !== null && steps.every((s) => s.valid !== false) && steps[steps.length - 1]?.valid === true;
}
