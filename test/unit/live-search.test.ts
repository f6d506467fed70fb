import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveSearch } from '../../src/extension/live-search';
import type { NodeView } from '../../src/core/protocol/results';

const node = (id: number, parentId: number | null, text: string, score: number, status: NodeView['status']): NodeView => ({ id, parentId, depth: 0, text, score, valid: true, reason: 'r', status, answer: null });

test("the cursor's lines find the node the search wrote them at, on the branch it took furthest", () => {
  const s = new LiveSearch('Compute 12 + 7 * ( 5 - 3 ).', 'beam', 4, []);
  for (const n of [
    node(0, null, 'Compute 12 + 7 * ( 5 - 3 ).', 0, 'expanded'),
    node(1, 0, '5 - 3 = 2', 0.8, 'pruned'),
    node(2, 0, '5 - 3 = 2', 0.8, 'expanded'),
    node(3, 2, '7 * 2 = 14', 0.9, 'finished'),
    node(4, 0, '7 * 5 = 35', 0.3, 'pruned'),
  ])
    s.apply({ type: 'node', node: n });
  assert.equal(s.nodeAlong(['5 - 3 = 2'])?.id, 2, 'the expanded twin, not the pruned one');
  assert.equal(s.nodeAlong(['  5 - 3 = 2 ', '7 * 2 = 14'])?.id, 3);
  assert.equal(s.nodeAlong(['5 - 3 = 2', '7 * 2 = 15']), null, 'a line the search never wrote');
  assert.equal(s.nodeAlong([]), null, 'no step: nothing to show');
});

test("the panel says what auto chose, and the samples it drew after a plan that found no checked solution", () => {
  const s = new LiveSearch('Make 24 with 3 6 7 10.', 'auto', 64, []);
  s.apply({ type: 'plan', strategy: 'auto', budget: 64, difficulty: null });
  assert.equal(s.state.chosen, null, 'the request, before auto has chosen');
  s.apply({ type: 'plan', strategy: 'dvts', budget: 64, difficulty: { bin: 3, score: 8.751 } });
  assert.equal(s.state.chosen, 'dvts (64 subtrees)');
  s.apply({ type: 'plan', strategy: 'dvts', budget: 64, difficulty: { bin: 3, score: 8.751 }, samplesAfter: 40 });
  assert.equal(s.state.chosen, 'dvts (64 subtrees), then 40 samples (no checked solution yet)');
  assert.deepEqual([s.state.strategy, s.state.budget, s.state.difficulty?.bin], ['auto', 64, 3]);
});
