import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickSignificant, signTestP, type Outcome } from '../../bench/lib/select';
import { reliability } from '../../bench/lib/ece';

const runs = (correct: boolean[], tokens = 10): Outcome[] => correct.map((c, i) => ({ problemId: `p${i}`, correct: c, tokens }));

test('the sign test matches the binomial tail', () => {
  assert.equal(signTestP(0, 0), 1);
  assert.equal(signTestP(3, 0), 1 / 8);
  assert.ok(Math.abs(signTestP(4, 1) - 6 / 32) < 1e-12);
  assert.ok(Math.abs(signTestP(1, 4) - 31 / 32) < 1e-12);
});

test('a challenger two problems ahead of the baseline on 22 is noise: the baseline stays', () => {
  const greedy = runs([...Array(11).fill(true), ...Array(11).fill(false)]);
  const beam = runs([...Array(10).fill(true), false, true, true, true, ...Array(8).fill(false)], 250);
  assert.equal(pickSignificant({ key: 'greedy', runs: greedy }, [{ key: 'beam', runs: beam }]).key, 'greedy');
});

test('a challenger that wins clearly on the same problems is picked, the most accurate of several', () => {
  const greedy = runs(Array(20).fill(false));
  const majority = runs([...Array(8).fill(true), ...Array(12).fill(false)], 200);
  const rebase = runs([...Array(6).fill(true), ...Array(14).fill(false)], 100);
  const picked = pickSignificant({ key: 'greedy', runs: greedy }, [{ key: 'rebase', runs: rebase }, { key: 'majority', runs: majority }]);
  assert.equal(picked.key, 'majority');
  assert.equal(picked.accuracy, 0.4);
  assert.ok(picked.p < 0.01);
});

test('wins on problems the baseline never saw do not count', () => {
  const greedy = runs([false, false, false]);
  const other = [...runs([false, false, false]), ...Array.from({ length: 10 }, (_, i) => ({ problemId: `extra${i}`, correct: true, tokens: 5 }))];
  assert.equal(pickSignificant({ key: 'greedy', runs: greedy }, [{ key: 'other', runs: other }]).key, 'greedy');
});

test('expected calibration error: zero for scores that match their frequencies, the gap otherwise', () => {
  // Bin 0.2-0.3: scores 0.25, one in four positive; bin 0.7-0.8: scores 0.75, three in four.
  const matched = [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75].map((score, i) => ({ score, label: [true, false, false, false, true, true, true, false][i] }));
  const r = reliability(matched);
  assert.ok(Math.abs(r.ece) < 1e-12);
  assert.deepEqual(r.bins.filter((b) => b.steps).map((b) => [b.steps, b.meanScore, b.positive]), [[4, 0.25, 0.25], [4, 0.75, 0.75]]);
  // Always 0.9 confident, right half the time: ECE 0.4. A score of exactly 1 falls in the last bin.
  const over = [true, false, true, false].map((label) => ({ score: 0.9, label }));
  assert.ok(Math.abs(reliability(over).ece - 0.4) < 1e-12);
  assert.equal(reliability([{ score: 1, label: true }]).bins[9].steps, 1);
});
