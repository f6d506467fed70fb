import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distinctSolutions, scoreTone, solutionVerdict } from '../../src/core/protocol/panel';

test('the panel shows one card per distinct solution, best first, with how many times the search reached it', () => {
  const step = (text: string) => ({ text, score: 0.5, valid: true, reason: '' });
  const candidate = (nodeId: number, texts: string[], score: number) => ({ answer: texts.at(-1)!, score, verified: true, nodeId, steps: texts.map(step) });
  const a = ['5 - 3 = 2', '7 * 2 = 14', '12 + 14 = 26', 'Answer: 26'];
  const b = ['7 * 5 = 35', '7 * 3 = 21', '35 - 21 = 14', '12 + 14 = 26', 'Answer: 26'];
  const ranked = [candidate(4, a, 0.9), candidate(7, b, 0.8), candidate(9, a, 0.7), candidate(11, a, 0.6)];
  const cards = distinctSolutions(ranked);
  assert.deepEqual(cards.map((c) => [c.index, c.copies, c.nodeIds]), [[0, 3, [4, 9, 11]], [1, 1, [7]]]);
});

test('a score is coloured by the checker first: never "high" for a wrong or unchecked step', () => {
  assert.equal(scoreTone(0.99, false), 'wrong');
  assert.equal(scoreTone(0.99, null), 'unchecked');
  assert.equal(scoreTone(null, true), 'unchecked');
  assert.equal(scoreTone(0.99, true), 'high');
  assert.equal(scoreTone(0.5, true), 'mid');
  assert.equal(scoreTone(0.1, true), 'low');
});

test("a solution's verdict: verified, wrong when any step is proved wrong, else not checked", () => {
  const step = (valid: boolean | null) => ({ text: 'x', score: 0.9, valid, reason: '' });
  assert.equal(solutionVerdict({ verified: true, steps: [step(true)] }), true);
  assert.equal(solutionVerdict({ verified: false, steps: [step(true), step(false), step(null)] }), false);
  assert.equal(solutionVerdict({ verified: false, steps: [step(true), step(null)] }), null);
});
