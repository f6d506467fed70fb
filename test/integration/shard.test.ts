// The rows of a batch split over decoding shards (this thread + worker threads) must compute
// exactly what one shard computes, and a cancel must reach a worker's decoding loop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { OnnxDecoder } from '../../src/core/model/onnx-decoder';
import type { SequenceCache } from '../../src/core/model/kv-cache';
import type { DecodeRules } from '../../src/core/model/decode';
import { createEngine } from '../../src/core/backends';
import type { Engine } from '../../src/core/engine';
import { CancelledError } from '../../src/core/cancel';

const POLICY = resolve(__dirname, '../../models/stepmath-policy');
const PRM = resolve(__dirname, '../../models/stepmath-prm');

let one: OnnxDecoder;
let two: OnnxDecoder;
before(async () => {
  [one, two] = await Promise.all([OnnxDecoder.load(POLICY, 'logits', { threads: 1 }), OnnxDecoder.load(POLICY, 'logits', { threads: 2 })]);
});
after(async () => {
  await Promise.all([one.release(), two.release()]);
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Caches of different lengths (so rows are padded differently in each shard). */
async function prompts(m: OnnxDecoder, texts: string[]): Promise<{ caches: SequenceCache[]; logits: Float32Array[] }> {
  const caches: SequenceCache[] = [];
  const logits: Float32Array[] = [];
  for (const t of texts) {
    const { cache, last } = await m.prefill(m.tokenizer.promptIds(t));
    caches.push(cache);
    logits.push(last);
  }
  return { caches, logits };
}

const TEXTS = ['Compute 1 + 2.', 'Compute 12 + 7 * ( 5 - 3 ).', 'Solve for x: 3 * x + 5 = 20.', 'Compute 47 * 3 - 58 + 96 / 12.', 'Compute 9 - 4.', 'Compute ( 8 + 6 ) / 7 * 3.', 'Solve for x: x - 4 = 11.', 'Compute 5 * 5 - 5.', 'Compute 2 * ( 3 + 4 ) - 1.'];

test('a batch split over two shards computes what one shard computes', async () => {
  assert.equal(two.shardCount, 2);
  const a = await prompts(one, TEXTS);
  const b = await prompts(two, TEXTS);
  const ba = one.assemble(a.caches);
  const bb = two.assemble(b.caches);
  assert.equal(bb.groups.length, 2, 'nine rows are split over both shards');
  // Rows fed different numbers of tokens, one idle; the longest is in the first shard, so the
  // second pads to a shorter length and its rows must be laid out again.
  const feeds = TEXTS.map((_, i) => (i === 3 ? [] : one.tokenizer.encode(i === 0 ? '5 - 3 = 2' : ['7', '1 + 2'][i % 2])));
  const ra = await one.run(ba, feeds);
  const rb = await two.run(bb, feeds);
  assert.equal(rb.T, ra.T);
  // Positions a row was not fed are padding; compare each row's real positions.
  for (let r = 0; r < TEXTS.length; r++) {
    const n = feeds[r].length;
    const at = (v: Float32Array) => v.subarray((r * ra.T + ra.T - n) * ra.width, (r + 1) * ra.T * ra.width);
    assert.ok(maxDiff(at(ra.values), at(rb.values)) < 1e-4, `row ${r}`);
  }
  for (const r of [0, 4, 8]) {
    const [ca, cb] = [await ba.extract(r), await bb.extract(r)];
    assert.equal(cb.length, ca.length);
    for (let l = 0; l < ca.keys.length; l++) assert.ok(maxDiff(ca.keys[l], cb.keys[l]) < 1e-4 && maxDiff(ca.values[l], cb.values[l]) < 1e-4);
  }
  ba.dispose();
  bb.dispose();
});

test('decoding draws the same tokens for the same seeds whichever shard a row runs on', async () => {
  const rules: DecodeRules = { temperature: 1, topP: 1, suppress: [one.config.padTokenId, one.config.bosTokenId], eosTokenIds: one.config.eosTokenIds, stops: [one.config.stepSeparator], maxStepTokens: 40, maxPositions: one.config.maxPositions };
  const run = async (m: OnnxDecoder) => {
    const { caches, logits } = await prompts(m, TEXTS);
    const batch = m.assemble(caches);
    const rows = caches.map((c, i) => ({ logits: logits[i], length: c.length, seed: 100 + i }));
    const out = await m.decode(batch, rows, rules);
    batch.dispose();
    return out.map((d) => `${d.ended}:${d.ids.join(',')}`);
  };
  const [a, b] = [await run(one), await run(two)];
  assert.deepEqual(b, a);
  assert.ok(new Set(a).size > 3, 'the rows should differ');
});

let engines: Engine[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
});

test('a search gives the same tree on one thread and on two', async () => {
  engines = await Promise.all([1, 2].map((threads) => createEngine({ policyDir: POLICY, prmDir: PRM, threads })));
  const [a, b] = await Promise.all(engines.map((e) => e.solve('Compute 62 + 46 / 2 * 9 + 47 - 29 * 4.', { strategy: 'beam', budget: 16, seed: 4, temperature: 1 })));
  assert.deepEqual(
    b.tree.map((n) => [n.id, n.parentId, n.text, n.status]),
    a.tree.map((n) => [n.id, n.parentId, n.text, n.status]),
  );
  b.tree.forEach((n, i) => assert.ok(Math.abs((n.score ?? 0) - (a.tree[i].score ?? 0)) < 1e-4));
});

test('cancel reaches a decoding loop in a worker, and the decoder stays usable', async () => {
  const { caches, logits } = await prompts(two, TEXTS.slice(0, 8));
  // No stops: rows run to the step limit unless cancelled.
  const rules: DecodeRules = { temperature: 1, topP: 1, suppress: [two.config.padTokenId, two.config.bosTokenId, ...two.config.eosTokenIds], eosTokenIds: two.config.eosTokenIds, stops: [], maxStepTokens: 10_000, maxPositions: two.config.maxPositions };
  const batch = two.assemble(caches);
  const controller = new AbortController();
  const decoding = two.decode(batch, caches.map((c, i) => ({ logits: logits[i], length: c.length, seed: i })), rules, controller.signal);
  await new Promise((r) => setTimeout(r, 30));
  const abortedAt = performance.now();
  controller.abort();
  await assert.rejects(decoding, (e: unknown) => e instanceof CancelledError);
  assert.ok(performance.now() - abortedAt < 100, `cancel took ${(performance.now() - abortedAt).toFixed(0)} ms`);
  batch.dispose();
  // Both shards still work.
  const again = await prompts(two, TEXTS);
  const b2 = two.assemble(again.caches);
  assert.equal(b2.groups.length, 2);
  const out = await two.step(b2, TEXTS.map(() => [5]));
  assert.equal(out.length, TEXTS.length);
  b2.dispose();
});
