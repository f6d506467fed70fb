import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TreeRows } from '../../src/extension/tree-rows';
import type { NodeView } from '../../src/core/protocol/results';

const node = (id: number, parentId: number | null, text: string, score: number, status: NodeView['status']): NodeView => ({ id, parentId, depth: parentId === null ? 0 : 1, text, score, valid: true, reason: '', status, answer: null });

test('Search Tree rows: identical siblings are one row (xN) whose children are all of theirs; pruned nodes say why', () => {
  const nodes = [
    node(0, null, 'Make 24 with 4 7 8 8.', 0, 'expanded'),
    node(1, 0, '8 / 8 = 1 (left: 1 4 7)', 0.9, 'pruned'),
    node(2, 0, '8 / 8 = 1 (left: 1 4 7)', 0.9, 'expanded'),
    node(3, 0, '8 + 8 = 16 (left: 4 7 16)', 0.2, 'pruned'),
    node(4, 0, '8 / 8 = 1 (left: 1 4 7)', 0.9, 'pruned'),
    node(5, 0, '7 - 4 = 3 (left: 3 8 8)', 0.5, 'expanded'),
    { ...node(6, 2, '7 - 1 = 6 (left: 4 6)', 0.95, 'active'), depth: 2 },
    { ...node(7, 5, '8 * 3 = 24 (left: 8 24)', 0.3, 'active'), depth: 2 },
  ];
  const rows = new TreeRows(nodes);
  const top = rows.children(rows.root!);
  assert.deepEqual(top.map((r) => [r.node.id, r.members.length]), [[2, 3], [5, 1], [3, 1]], 'best first; the expanded copy stands for its twins');
  assert.deepEqual(rows.children(top[0]).map((r) => r.node.id), [6]);
  assert.equal(rows.rowOf.get(4), top[0], 'a merged node finds its row');
  assert.equal(rows.prunedReason(nodes[3], nodes), 'pruned: rank 5 of 5 at depth 1, kept 2');
  assert.equal(rows.prunedReason({ ...nodes[3], valid: false }, nodes), 'pruned: the checker proved this step wrong');
});
