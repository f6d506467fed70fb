// How beam search and REBASE split a budget of children over nodes (src/core/search/allocate.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allocate } from '../../src/core/search/allocate';

test('allocate sums to the budget, follows the weights within one, and splits evenly when all weigh zero', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 256 }), (weights, budget) => {
      const counts = allocate(weights, budget);
      assert.equal(counts.reduce((a, b) => a + b, 0), budget);
      assert.ok(counts.every((c) => Number.isInteger(c) && c >= 0));
      const total = weights.reduce((a, b) => a + b, 0);
      weights.forEach((w, i) => {
        const exact = total > 0 ? (budget * w) / total : budget / weights.length;
        assert.ok(Math.abs(counts[i] - exact) < 1, `item ${i}: ${counts[i]} for ${exact}`);
      });
    }),
  );
  assert.deepEqual(allocate([0.98, 0.97, 0, 0, 0], 16), [8, 8, 0, 0, 0]);
  assert.deepEqual(allocate([0, 0, 0], 4), [2, 1, 1]);
  assert.deepEqual(allocate([], 4), []);
});
