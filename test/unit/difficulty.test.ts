import assert from 'node:assert/strict';
import { test } from 'node:test';
import { difficultyBin, difficultyScore, probeFeatures } from '../../src/core/adapt/difficulty';
import { stepmath } from '../../src/core/domains/stepmath/domain';

const clean = [{ score: 0.9, valid: true }];

test('problem features: operation count and the digits of the largest number', () => {
  assert.deepEqual(
    [probeFeatures(stepmath.size('Compute 3 + 4.'), 'Compute 3 + 4.', clean, '7'), probeFeatures(stepmath.size('Compute 12 + 7 * ( 5 - 3 ).'), 'Compute 12 + 7 * ( 5 - 3 ).', clean, '26'), probeFeatures(stepmath.size('Solve for x: x + 369 = 75 * 4 + 79.'), 'Solve for x: x + 369 = 75 * 4 + 79.', clean, '10')].map((f) => [f.size * 6, f.digits]),
    [[1, 1], [3, 2], [3, 3]],
  );
  assert.equal(probeFeatures(stepmath.size('what is the meaning of life'), 'what is the meaning of life', [], null).digits, 2, 'no number: the middle size');
});

test('the difficulty score weighs each feature by the table; a weight the table lacks counts 0', () => {
  const small = probeFeatures(stepmath.size('Compute 3 + 4.'), 'Compute 3 + 4.', clean, '7');
  const big = probeFeatures(stepmath.size('Compute 312 + 4.'), 'Compute 312 + 4.', clean, '316');
  const byDigits = { weights: { digits: 3 }, edges: [1.5, 2.5, 2.9, 3.5] };
  assert.equal(difficultyScore(small, byDigits), 1);
  assert.equal(difficultyScore(big, byDigits), 3);
  assert.deepEqual([difficultyBin(difficultyScore(small, byDigits), byDigits.edges), difficultyBin(difficultyScore(big, byDigits), byDigits.edges)], [1, 4]);
  const failed = probeFeatures(stepmath.size('Compute 3 + 4.'), 'Compute 3 + 4.', [{ score: 0.2 }], null);
  const full = { weights: { ops: 1, digits: 0, minScore: 1, lastScore: 1, unfinished: 1 }, edges: [] };
  assert.ok(Math.abs(difficultyScore(failed, full) - (1 / 6 + 0.8 + 0.8 + 1)) < 1e-12);
});
