// Sampling without replacement (Sampler.sampleUnseen + addDrawnStep) on a small made-up "policy"
// whose next-token distribution depends on the prefix, so every step's probability is known exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDrawnStep, Sampler, softmax, type DrawnSteps } from '../../src/core/model/sampling';
import { Rng } from '../../src/core/rng';

const END = 3;
/** Tokens 0..2 then END; after two tokens END is forced. Logits differ by prefix. */
function logitsAfter(prefix: readonly number[]): Float32Array {
  if (prefix.length >= 2) return Float32Array.from([-50, -50, -50, 0]);
  const base = prefix.length === 0 ? [2, 0.5, -1, -50] : [prefix[0] - 1, 1, 0.2, 0.3];
  return Float32Array.from(base);
}

/** Draws one whole step through the trie, as decodeRows does token by token. */
function drawStep(sampler: Sampler, drawn: DrawnSteps): { ids: number[]; probs: number[] } {
  const ids: number[] = [];
  const probs: number[] = [];
  let at: DrawnSteps | null = drawn;
  for (;;) {
    const { id, prob } = sampler.sampleUnseen(logitsAfter(ids), at);
    ids.push(id);
    probs.push(prob);
    at = at?.next[id] ?? null;
    if (id === END) return { ids, probs };
  }
}

/** Every step the toy policy can write, with its probability at temperature 1. */
function allSteps(): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (prefix: number[], p: number) => {
    const probs = softmax(logitsAfter(prefix));
    for (let t = 0; t < probs.length; t++) {
      if (probs[t] < 1e-12) continue;
      if (t === END) out.set([...prefix, t].join(','), p * probs[t]);
      else walk([...prefix, t], p * probs[t]);
    }
  };
  walk([], 1);
  return out;
}

test('sampling without replacement draws every step once, and the trie covers exactly their probability', () => {
  const steps = allSteps();
  for (const seed of [1, 2, 3]) {
    const sampler = new Sampler({ temperature: 1, topP: 1, suppress: [] }, new Rng(seed));
    const drawn: DrawnSteps = { used: 0, next: {} };
    const seen = new Set<string>();
    let covered = 0;
    for (let k = 0; k < steps.size; k++) {
      const { ids, probs } = drawStep(sampler, drawn);
      const key = ids.join(',');
      assert.ok(!seen.has(key), `seed ${seed}: draw ${k} repeats ${key}`);
      seen.add(key);
      // The probabilities the sampler reports are the policy's, not the rescaled ones.
      assert.ok(Math.abs(probs.reduce((a, b) => a * b, 1) - steps.get(key)!) < 1e-6);
      addDrawnStep(drawn, ids, probs);
      covered += steps.get(key)!;
      assert.ok(Math.abs(drawn.used - covered) < 1e-6, `used ${drawn.used} vs ${covered}`);
    }
    assert.deepEqual([...seen].sort(), [...steps.keys()].sort());
    assert.ok(Math.abs(drawn.used - 1) < 1e-6);
  }
});

test('greedy without replacement writes the steps from the likeliest down token by token', () => {
  const sampler = new Sampler({ temperature: 0, topP: 1, suppress: [] }, new Rng(0));
  const drawn: DrawnSteps = { used: 0, next: {} };
  const first = drawStep(sampler, drawn);
  assert.deepEqual(first.ids, [0, 1, END], 'the greedy step when nothing was drawn');
  addDrawnStep(drawn, first.ids, first.probs);
  const second = drawStep(sampler, drawn);
  assert.notDeepEqual(second.ids, first.ids);
  assert.deepEqual(second.ids, [0, END], 'the next likeliest continuation of the likeliest first token');
});

test('the same seed draws the same steps; a draw outside the trie is plain sampling', () => {
  const run = () => {
    const sampler = new Sampler({ temperature: 0.7, topP: 1, suppress: [] }, new Rng(9));
    const drawn: DrawnSteps = { used: 0, next: {} };
    return Array.from({ length: 5 }, () => {
      const s = drawStep(sampler, drawn);
      addDrawnStep(drawn, s.ids, s.probs);
      return s.ids.join(',');
    });
  };
  assert.deepEqual(run(), run());
  const plain = new Sampler({ temperature: 0.7, topP: 1, suppress: [] }, new Rng(4));
  const unseen = new Sampler({ temperature: 0.7, topP: 1, suppress: [] }, new Rng(4));
  for (let i = 0; i < 20; i++) {
    const logits = logitsAfter([i % 3]);
    assert.equal(unseen.sampleUnseen(logits, null).id, plain.sample(logits));
  }
});
