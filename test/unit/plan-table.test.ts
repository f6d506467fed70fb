import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planFor, type PolicyTable } from '../../src/core/adapt/plan-table';

const table = (bins: PolicyTable['bins']): PolicyTable => ({ version: 1, note: '', difficulty: { weights: {}, edges: [] }, bins, stopping: { agreement: 1, score: 1 } });
const beam16 = { strategy: 'beam', budget: 16, verifier: 'checked' } as const;
const dvts4 = { strategy: 'dvts', budget: 4, verifier: 'checked' } as const;
const greedy = { strategy: 'greedy', budget: 1, verifier: 'checked' } as const;

test('planFor takes the largest calibrated budget not above the cap', () => {
  const t = table({ '1': { '1': greedy, '4': dvts4, '16': beam16 } });
  assert.deepEqual(planFor(t, 1, 64), beam16);
  assert.deepEqual(planFor(t, 1, 15), dvts4);
  assert.deepEqual(planFor(t, 1, 1), greedy);
  assert.deepEqual(planFor(t, 1, 0), { strategy: 'greedy', budget: 1 });
});

test('an empty bin borrows the nearest harder bin with a row, else the nearest easier', () => {
  // Tied difficulty scores left bins 3 and 4 empty (Make 24's table had this shape).
  const gap = table({ '1': { '16': greedy }, '2': { '16': dvts4 }, '3': {}, '4': {}, '5': { '16': beam16 } });
  assert.deepEqual(planFor(gap, 3, 16), beam16);
  assert.deepEqual(planFor(gap, 4, 16), beam16);
  assert.deepEqual(planFor(gap, 2, 16), dvts4);
  // Nothing harder calibrated: the hardest bin that has a row.
  const top = table({ '1': { '16': greedy }, '2': { '16': dvts4 }, '3': { '16': beam16 }, '4': {} });
  assert.deepEqual(planFor(top, 4, 16), beam16);
  assert.deepEqual(planFor(top, 5, 16), beam16);
  assert.deepEqual(planFor(table({}), 3, 16), { strategy: 'greedy', budget: 1 });
});
