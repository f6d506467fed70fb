// Drafted decoding (prompt lookup) must draw exactly the tokens one-token-per-pass decoding
// draws, with the same seeds, in fewer forward passes; rejected drafts must leave no trace in the cache.
// Both graph forms (optimum's, and the in-place one of export_inplace.py) must decode the same tokens
// with logits within 1e-4 of each other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { LocalShard, createSession, graphForm, type GraphForm, type ShardSpec } from '../../src/core/model/shard';
import { readModelFolder } from '../../src/core/model/folder';
import { TextTokenizer } from '../../src/core/model/tokenizer';
import { BatchCache, emptyCache } from '../../src/core/model/kv-cache';
import { lookupDraft, type DecodeRow, type DecodeRules } from '../../src/core/model/decode';

const POLICY = resolve(__dirname, '../../models/stepmath-policy');
const config = readModelFolder(POLICY);
const tokenizer = new TextTokenizer(config);
const shape = { numLayers: config.numLayers, numHeads: config.numHeads, headDim: config.headDim };

/** Forward passes through any session since the last reset. */
let passes = 0;
const shards = {} as Record<GraphForm, LocalShard>;
before(async () => {
  assert.ok(config.inPlaceOnnxPath, 'the bundled policy carries the in-place form');
  for (const onnxPath of [config.onnxPath, config.inPlaceOnnxPath!]) {
    const session: ort.InferenceSession = await createSession(onnxPath);
    const form = graphForm(session.inputNames);
    const run = session.run.bind(session);
    session.run = ((...a: Parameters<typeof run>) => {
      passes++;
      return run(...a);
    }) as typeof session.run;
    const spec: ShardSpec = { dir: POLICY, onnxPath, head: 'logits', shape, padTokenId: config.padTokenId, form, maxPositions: config.maxPositions };
    shards[form] = new LocalShard(session, spec, tokenizer);
  }
  assert.deepEqual(Object.keys(shards).sort(), ['in-place', 'optimum'], 'graphForm tells the two files apart');
});
after(async () => {
  for (const s of Object.values(shards)) await s.release();
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

test('lookupDraft proposes what followed the latest earlier occurrence of the longest matching suffix', () => {
  // "a b c x y" ... "b c z" ... then "b c": the 2-gram "b c" last occurred before "z"
  assert.deepEqual(lookupDraft([1, 2, 3, 8, 9, 2, 3, 7, 2, 3], 2), [7, 2]);
  // the 3-gram "1 2 3" wins over the later 2-gram "2 3"
  assert.deepEqual(lookupDraft([1, 2, 3, 5, 6, 2, 3, 4, 1, 2, 3], 3), [5, 6, 2]);
  assert.deepEqual(lookupDraft([4, 5, 6], 3), [], 'no earlier occurrence: no draft');
  assert.deepEqual(lookupDraft([4, 5, 4], 0), []);
  assert.deepEqual(lookupDraft([4, 5, 4], 5), [5, 4], 'never past the end of the history');
});

/** Decodes `steps` steps of 8 sampled rows for each problem; returns every row's ids and final logits. */
async function decodeProblems(shard: LocalShard, problems: string[], steps: number, draftTokens: number) {
  const rules: DecodeRules = { temperature: 0.8, topP: 0.95, suppress: [config.padTokenId, config.bosTokenId], eosTokenIds: config.eosTokenIds, stops: [config.stepSeparator], maxStepTokens: 60, maxPositions: config.maxPositions, draftTokens };
  const out: { ids: number[]; logits: Float32Array }[] = [];
  let id = 0;
  for (const [p, problem] of problems.entries()) {
    const prompt = tokenizer.promptIds(problem);
    // prefill one row, then fork it into 8
    shard.assemble(id, [emptyCache(shape)]);
    const { values, T } = await shard.run(id, [prompt]);
    const first = values.slice((T - 1) * config.vocabSize, T * config.vocabSize);
    const cache = await shard.extract(id, 0);
    shard.dispose(id++);
    const batch = id++;
    shard.assemble(batch, Array.from({ length: 8 }, () => cache));
    let rows: DecodeRow[] = Array.from({ length: 8 }, (_, r) => ({ logits: first as Float32Array, length: cache.length, seed: 1000 * p + r, context: prompt as readonly number[] }));
    for (let s = 0; s < steps; s++) {
      const decoded = await shard.decodeWith(batch, rows, rules, async () => {});
      decoded.forEach((d) => out.push({ ids: d.ids, logits: d.logits }));
      rows = rows.map((r, b) => ({ logits: decoded[b].logits, length: r.length + decoded[b].ids.length, seed: r.seed + 17, context: [...(r.context ?? []), ...decoded[b].ids] }));
    }
    shard.dispose(batch);
  }
  return out;
}

const PROBLEMS = ['Compute 12 + 7 * ( 5 - 3 ).', 'Solve for x: 3 * x + 5 = 20.', 'Compute 47 * 3 - 58 + 96 / 12.'];

for (const form of ['optimum', 'in-place'] as const) {
  test(`${form} form: drafted decoding draws the same tokens as one token per pass, in fewer passes`, async () => {
    passes = 0;
    const plain = await decodeProblems(shards[form], PROBLEMS, 4, 0);
    const plainPasses = passes;
    passes = 0;
    const drafted = await decodeProblems(shards[form], PROBLEMS, 4, 3);
    const draftedPasses = passes;
    assert.equal(drafted.length, plain.length);
    const tokens = plain.reduce((n, r) => n + r.ids.length, 0);
    assert.ok(tokens > 200, `enough tokens to compare (${tokens})`);
    plain.forEach((r, i) => {
      assert.deepEqual(drafted[i].ids, r.ids, `row ${i}: ${tokenizer.decode(r.ids)} vs ${tokenizer.decode(drafted[i].ids)}`);
      assert.ok(maxDiff(drafted[i].logits, r.logits) < 1e-4, `row ${i}: logits after the step`);
    });
    assert.ok(draftedPasses < 0.85 * plainPasses, `${draftedPasses} drafted passes vs ${plainPasses}`);
  });
}

test('the in-place form decodes the tokens the optimum form decodes, logits within 1e-4', async () => {
  for (const draftTokens of [0, 2]) {
    const optimum = await decodeProblems(shards.optimum, PROBLEMS, 4, draftTokens);
    const inPlace = await decodeProblems(shards['in-place'], PROBLEMS, 4, draftTokens);
    assert.equal(inPlace.length, optimum.length);
    optimum.forEach((r, i) => {
      assert.deepEqual(inPlace[i].ids, r.ids, `drafts ${draftTokens}, row ${i}`);
      assert.ok(maxDiff(inPlace[i].logits, r.logits) < 1e-4, `drafts ${draftTokens}, row ${i}: logits differ by ${maxDiff(inPlace[i].logits, r.logits)}`);
    });
  }
});

/** The cache of one row fed the prompt and the step in one pass: what a row with drafts dropped must equal. */
async function referenceCache(shard: LocalShard, id: number, ids: number[]) {
  shard.assemble(id, [emptyCache(shape)]);
  await shard.run(id, [ids]);
  const reference = await shard.extract(id, 0);
  shard.dispose(id);
  return reference;
}

/** Both rows of a batch hold exactly the reference cache (within 1e-4). */
async function assertRowsEqual(shard: LocalShard, id: number, reference: Awaited<ReturnType<typeof referenceCache>>) {
  for (const row of [0, 1]) {
    const got = await shard.extract(id, row);
    assert.equal(got.length, reference.length);
    for (let l = 0; l < config.numLayers; l++) assert.ok(maxDiff(got.keys[l], reference.keys[l]) < 1e-4 && maxDiff(got.values[l], reference.values[l]) < 1e-4, `row ${row} layer ${l}`);
  }
  shard.dispose(id);
}

/**
 * Batch `id` of two rows, both fed `prompt`; then row 0 gets each token of `step` with junk after
 * it, the junk dropped again at once (`afterDiscard` sees the batch's cache then), and row 1 the
 * plain tokens.
 */
async function feedDiscardingJunk<Cache extends { discard(row: number, n: number): void }>(shard: LocalShard, id: number, prompt: number[], step: number[], afterDiscard: (cache: Cache) => void = () => {}): Promise<void> {
  shard.assemble(id, [emptyCache(shape), emptyCache(shape)]);
  await shard.run(id, [prompt, prompt]);
  const junk = tokenizer.encode('7 * 7');
  const cache = (shard as unknown as { batches: Map<number, Cache> }).batches.get(id)!;
  for (const t of step) {
    await shard.run(id, [[t, ...junk], [t]]);
    cache.discard(0, junk.length);
    afterDiscard(cache);
  }
}

test('discarded tokens leave a row as if never fed, before and after compaction', async () => {
  const shard = shards.optimum;
  const prompt = tokenizer.promptIds('Compute 12 + 7 * ( 5 - 3 ).');
  const step = tokenizer.encode('5 - 3 = 2\n');
  const reference = await referenceCache(shard, 900, [...prompt, ...step]);
  // the junk dropped many times, so the batch is compacted: narrower than before the token was fed
  let compacted = false;
  let before = -1;
  await feedDiscardingJunk(shard, 901, prompt, step, (cache: BatchCache) => {
    cache.compactIfSparse();
    if (before >= 0 && cache.columns < before) compacted = true;
    before = cache.columns;
  });
  assert.ok(compacted, 'the masked columns were compacted away at least once');
  await assertRowsEqual(shard, 901, reference);
});

test('in-place form: discarded tokens leave a row as if never fed, across the buffer growing', async () => {
  const shard = shards['in-place'];
  const prompt = tokenizer.promptIds('Compute 47 * 3 - 58 + 96 / 12.');
  const step = tokenizer.encode('47 * 3 = 141\n141 - 58 = 83\n96 / 12 = 8\n');
  const reference = await referenceCache(shard, 910, [...prompt, ...step]);
  await feedDiscardingJunk(shard, 911, prompt, step);
  assert.ok(reference.length > 64, `long enough to outgrow the first buffer (${reference.length} tokens)`);
  await assertRowsEqual(shard, 911, reference);
});
