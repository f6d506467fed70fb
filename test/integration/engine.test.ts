import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import fc from 'fast-check';
import type { Engine } from '../../src/core/engine';
import { createEngine } from '../../src/core/backends';
import { OnnxDecoder } from '../../src/core/model/onnx-decoder';
import { allocateRebase } from '../../src/core/search/rebase';
import { allocate } from '../../src/core/search/allocate';
import { distinctBeamsAt } from './beam-levels';
import { aggregateScores } from '../../src/core/search/aggregate';
import { STRATEGIES, STRATEGY_NAMES } from '../../src/core/search/registry';
import { makeAuto } from '../../src/core/search/auto';
import { SearchContext } from '../../src/core/search/context';
import { REVISE_BELOW } from '../../src/core/search/revisions';
import { DEFAULT_PARAMS } from '../../src/core/search/params';
import { planFor, type PolicyTable } from '../../src/core/adapt/plan-table';
import { count, max, rankByAnswer, sum } from '../../src/core/search/rank';
import { stepmath } from '../../src/core/domains/stepmath/domain';

const POLICY = resolve(__dirname, '../../models/stepmath-policy');
const PRM = resolve(__dirname, '../../models/stepmath-prm');

let engine: Engine;
let policy: OnnxDecoder;
before(async () => {
  engine = await createEngine({ policyDir: POLICY, prmDir: PRM, threads: 1 });
  policy = await OnnxDecoder.load(POLICY, 'logits', { threads: 1 });
});
after(async () => {
  await engine.dispose();
  await policy.release();
});

const encode = (s: string) => [policy.config.bosTokenId, ...policy.tokenizer.encode(s)];
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

async function logitsFromScratch(ids: number[]): Promise<Float32Array> {
  const batch = policy.assemble([policy.emptyCache()]);
  const [logits] = await policy.step(batch, [ids]);
  batch.dispose();
  return logits;
}

test('forked-cache logits equal recomputed-from-scratch logits', async () => {
  const prompt = encode('Compute 12 + 7 * ( 5 - 3 ).\n');
  const prefill = policy.assemble([policy.emptyCache()]);
  await policy.step(prefill, [prompt]);
  const cache = await prefill.extract(0);
  prefill.dispose();
  // Two children forked from one parent cache, each fed a different continuation.
  const continuations = [policy.tokenizer.encode('5 - 3'), policy.tokenizer.encode('7 * 2 = 1')];
  const forked = policy.assemble([cache, cache]);
  const fromFork = await policy.step(forked, continuations);
  forked.dispose();
  for (let i = 0; i < 2; i++) assert.ok(maxDiff(fromFork[i], await logitsFromScratch([...prompt, ...continuations[i]])) < 1e-4);
});

test('batched decoding equals unbatched decoding, token by token', async () => {
  const prompts = [encode('Compute 1 + 2.\n'), encode('Solve for x: 3 * x + 5 = 20.\n3 * x')];
  const batch = policy.assemble([policy.emptyCache(), policy.emptyCache()]);
  let logits = await policy.step(batch, prompts);
  const fed = prompts.map((p) => [...p]);
  for (let step = 0; step < 4; step++) {
    for (let i = 0; i < 2; i++) assert.ok(maxDiff(logits[i], await logitsFromScratch(fed[i])) < 1e-4, `row ${i} step ${step}`);
    // Row 1 idles on odd steps, as a finished beam would.
    const next = fed.map((_, i) => (i === 1 && step % 2 ? [] : [5 + ((step + i) % 10)]));
    next.forEach((n, i) => fed[i].push(...n));
    const out = await policy.step(batch, next);
    logits = logits.map((l, i) => (next[i].length ? out[i] : l));
  }
  batch.dispose();
});

test('the same seed gives the same search, another seed another', async () => {
  const a = await engine.solve('Compute 12 + 7 * ( 5 - 3 ).', { strategy: 'beam', budget: 4, seed: 7 });
  const b = await engine.solve('Compute 12 + 7 * ( 5 - 3 ).', { strategy: 'beam', budget: 4, seed: 7 });
  const c = await engine.solve('Compute 12 + 7 * ( 5 - 3 ).', { strategy: 'beam', budget: 4, seed: 8, temperature: 1.5 });
  assert.deepEqual(a.tree, b.tree);
  assert.deepEqual(a.candidates, b.candidates);
  assert.notDeepEqual(a.tree.map((n) => n.text), c.tree.map((n) => n.text));
});

test('majority, best-of-N and weighted best-of-N rank the same seeded samples (the report re-ranks one run into three)', async () => {
  // a problem the policy answers several ways, so the three rankings pick different answers
  const problem = 'Compute 47 * 3 - 58 + 96 / 12.';
  const runs = await Promise.all((['majority', 'bon', 'weighted-bon'] as const).map((strategy) => engine.solve(problem, { strategy, budget: 8, seed: 5, verifier: 'prm' })));
  const samples = (r: (typeof runs)[number]) => r.candidates.map((c) => `${c.answer}|${c.score.toFixed(6)}`).sort();
  assert.deepEqual(samples(runs[1]), samples(runs[0]));
  assert.deepEqual(samples(runs[2]), samples(runs[0]));
  const top = (weight: (xs: number[]) => number) => rankByAnswer(runs[0].candidates, (c) => c.score, weight, stepmath.answerKey)[0].answer;
  assert.equal(top(count), runs[0].answer);
  assert.equal(top(max), runs[1].answer);
  assert.equal(top(sum), runs[2].answer);
  assert.ok(new Set(runs.map((r) => r.answer)).size > 1, 'the rankings should disagree on this problem');
});

test('beam search keeps the top N/M distinct beams per step and shares N children between them by score', async () => {
  const n = 8;
  const m = 2;
  const r = await engine.solve('Compute 62 + 46 / 2 * 9 + 47 - 29 * 4.', { strategy: 'beam', budget: n, width: m, seed: 3, temperature: 1, verifier: 'prm' });
  const maxDepth = Math.max(...r.tree.map((x) => x.depth));
  for (let d = 1; d < maxDepth; d++) {
    const level = r.tree.filter((x) => x.depth === d && x.status !== 'finished');
    const top = distinctBeamsAt(r.tree, d).slice(0, n / m);
    const counts = allocate(top.map((x) => x.score!), n);
    top.forEach((x, i) => assert.equal(r.tree.filter((c) => c.parentId === x.id).length, counts[i], `depth ${d}: children of a kept beam by its score`));
    const expanded = level.filter((x) => x.status === 'expanded');
    assert.deepEqual(new Set(expanded), new Set(top.filter((_, i) => counts[i] > 0)), `depth ${d}: only kept beams with a share are expanded`);
    if (top.length) assert.equal(r.tree.filter((x) => x.depth === d + 1).length, n, `children at depth ${d + 1}`);
  }
});

test('REBASE allocation sums to the budget and favours higher rewards', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 256 }), fc.double({ min: 0.01, max: 5, noNaN: true }), (rewards, budget, t) => {
      const counts = allocateRebase(rewards, budget, t);
      assert.equal(counts.reduce((a, b) => a + b, 0), budget);
      assert.ok(counts.every((c) => Number.isInteger(c) && c >= 0));
      // Largest remainders can break near-ties either way, by at most one child.
      for (let i = 0; i < rewards.length; i++) for (let j = 0; j < rewards.length; j++) if (rewards[i] > rewards[j]) assert.ok(counts[i] >= counts[j] - 1);
    }),
  );
});

test('step score aggregations', () => {
  assert.equal(aggregateScores([0.9, 0.2, 0.8], 'last'), 0.8);
  assert.equal(aggregateScores([0.9, 0.2, 0.8], 'min'), 0.2);
  assert.ok(Math.abs(aggregateScores([0.5, 0.5], 'prod') - 0.25) < 1e-12);
  assert.ok(Math.abs(aggregateScores([0.9, 0.3], 'mean') - 0.6) < 1e-12);
});

test('every strategy returns scored, checked candidates and accounts its compute', async () => {
  for (const strategy of STRATEGY_NAMES) {
    const r = await engine.solve('Compute 12 + 7 * ( 5 - 3 ).', { strategy, budget: 4, width: 2, seed: 1 });
    assert.ok(r.candidates.length >= 1, strategy);
    assert.ok(r.tokens > 0 && r.prm_tokens > 0 && r.flops > 0, strategy);
    for (const c of r.candidates) for (const s of c.steps) assert.ok(typeof s.score === 'number' && s.score >= 0 && s.score <= 1, strategy);
    assert.equal(r.tree[0].text, 'Compute 12 + 7 * ( 5 - 3 ).');
    for (const c of r.candidates) assert.equal(r.tree.find((n) => n.id === c.nodeId)?.status, 'finished', strategy);
  }
});

// A one-operation problem the bundled policy gets right greedily and in every sample.
const EASY = { problem: 'Compute 3 / 3.', answer: '1' };

test('every strategy solves an easy problem correctly with the bundled models', async () => {
  for (const strategy of STRATEGY_NAMES) {
    const r = await engine.solve(EASY.problem, { strategy, budget: 4, width: 2, seed: 1 });
    assert.equal(r.answer, EASY.answer, `${strategy}: ${JSON.stringify(r.candidates[0]?.steps.map((s) => s.text))}`);
    assert.equal(r.candidates[0].verified, true, strategy);
  }
});

test('a fixed prefix is kept, scored and checked, and the search continues below it', async () => {
  const prefix = ['5 - 3 = 2', '7 * 2 = 15'];
  const r = await engine.solve('Compute 12 + 7 * ( 5 - 3 ).', { strategy: 'bon', budget: 3, seed: 4, prefix });
  assert.deepEqual(r.tree.slice(1, 3).map((n) => [n.text, n.valid]), [['5 - 3 = 2', true], ['7 * 2 = 15', false]]);
  for (const c of r.candidates) {
    assert.deepEqual(c.steps.slice(0, 2).map((s) => s.text), prefix);
    assert.equal(typeof c.steps[1].score, 'number');
  }
  assert.ok(r.tree.filter((n) => n.parentId === 2).length === 3, 'three samples continue from the last fixed step');
});

test('auto reports the difficulty it estimated and the strategy it chose', async () => {
  const r = await engine.solve('Compute 62 + 46 / 2 * 9 + 47 - 29 * 4.', { budget: 16, seed: 2, verifier: 'prm' });
  assert.equal(r.strategy, 'auto');
  assert.ok(r.difficulty && r.difficulty.bin >= 1 && r.difficulty.bin <= 5);
  assert.ok(r.chosen && r.chosen.budget <= 16, 'never above the cap');
  // What it chose is the committed table's cell for the bin it estimated, under this cap.
  assert.deepEqual(r.chosen, planFor(stepmath.planTables.prm, r.difficulty!.bin, 16));
  assert.ok(r.candidates.length >= 1);
});

test('auto runs the table\'s choice for the bin in two rounds (a quarter, then the rest) and skips the second when the answers agree', async () => {
  // Every problem lands in bin 5 (its score 0 is above every edge), where the table says weighted-bon@16.
  const table = (agreement: number): PolicyTable => ({
    version: 1,
    note: 'test',
    difficulty: { weights: {}, edges: [-4, -3, -2, -1] },
    bins: { '5': { '4': { strategy: 'majority', budget: 4 }, '16': { strategy: 'weighted-bon', budget: 16 } } },
    stopping: { agreement, score: 0 },
  });
  const leavesAfter = async (agreement: number, cap: number) => {
    const ctx = await SearchContext.create('Compute 62 + 46 / 2 * 9 + 47 - 29 * 4.', stepmath, { ...DEFAULT_PARAMS, budget: cap, temperature: 1, verifier: 'prm' }, engine.policy, engine.reward, 5, () => {});
    const ranked = await makeAuto((name) => STRATEGIES[name], table(agreement)).run(ctx);
    return { chosen: ctx.chosen, difficulty: ctx.difficulty, ranked: ranked.length, leaves: ctx.leaves().length };
  };
  const never = await leavesAfter(2, 16);
  assert.deepEqual(never.chosen, { strategy: 'weighted-bon', budget: 16 });
  assert.equal(never.difficulty?.bin, 5);
  assert.equal(never.leaves, 1 + 4 + 12, 'the probe, then 4 samples, then 12 more');
  assert.equal(never.ranked, never.leaves, 'every candidate is returned, ranked');
  const always = await leavesAfter(0, 16);
  assert.equal(always.leaves, 1 + 4, 'agreement after the first round stops the search');
  const capped = await leavesAfter(2, 8);
  assert.deepEqual([capped.chosen, capped.leaves], [{ strategy: 'majority', budget: 4 }, 1 + 4], 'a cap of 8 gets the largest choice not above it');
});

test('revisions regenerate from the first weak step and keep the prefix before it', async () => {
  const r = await engine.solve('Compute 62 + 46 / 2 * 9 + 47 - 29 * 4.', { strategy: 'revisions', budget: 4, seed: 3, temperature: 1, verifier: 'prm' });
  const roots = r.tree.filter((n) => n.parentId === 0).length;
  const restarts = r.tree.filter((n) => n.parentId !== null && n.parentId !== 0 && r.tree.filter((m) => m.parentId === n.parentId).length > 1).length;
  assert.ok(r.candidates.length >= 1 && r.candidates.length <= 4);
  assert.ok(roots + restarts >= Math.min(2, r.candidates.length), 'later generations branch off earlier ones');
  // A later generation restarts just before a weak step: the prefix it keeps has no weak step.
  const byId = new Map(r.tree.map((n) => [n.id, n]));
  for (const branch of r.tree.filter((n) => n.parentId !== null && r.tree.filter((m) => m.parentId === n.id).length > 1)) {
    for (let n = byId.get(branch.id); n && n.parentId !== null; n = byId.get(n.parentId)) {
      assert.ok((n.score ?? 1) >= REVISE_BELOW, `kept prefix step "${n.text}" is not weak`);
    }
  }
});

test('a step cut off at the context limit is still scored, never overflowing the PRM', async () => {
  const prm = engine.reward as import('../../src/core/backends/prm').LocalPrm;
  const long = `Compute ${Array.from({ length: 93 }, (_, i) => String(i % 9 + 1)).join(' + ')}.`;
  const state = await prm.start(long);
  assert.ok(state.length > 370);
  const [scored] = await prm.score([state], ['1 + 2 = 3 and then some more text that does not fit']);
  assert.ok(scored.score >= 0 && scored.score <= 1);
  assert.ok(scored.state.length <= prm.model.config.maxPositions);
});

test('Verifier checked: a step whose own claims the checker proves wrong is never kept, and its parent draws again', async () => {
  const problem = 'Compute 62 + 46 / 2 * 9 + 47 - 29 * 4.';
  for (const strategy of ['greedy', 'beam', 'revisions'] as const) {
    const r = await engine.solve(problem, { strategy, budget: 4, width: 2, seed: 3, temperature: 1 });
    const rejected = r.tree.filter((n) => n.valid === false);
    assert.ok(rejected.length > 0, `${strategy}: the policy errs on this problem`);
    for (const n of rejected) {
      assert.equal(n.status, 'pruned', `${strategy}: "${n.text}" is not kept`);
      assert.equal(r.tree.filter((m) => m.parentId === n.id).length, 0, `${strategy}: nothing grows below "${n.text}"`);
    }
    for (const c of r.candidates) assert.ok(c.steps.every((s) => s.valid !== false), `${strategy}: no candidate has a rejected step`);
    // A rejected child is drawn again from the same parent.
    const redrawn = rejected.some((n) => r.tree.filter((m) => m.parentId === n.parentId).length > 1);
    assert.ok(redrawn, `${strategy}: a parent drew again after a rejected child`);
  }
  const prm = await engine.solve(problem, { strategy: 'greedy', seed: 3, verifier: 'prm' });
  assert.equal(prm.tree.length - 1, prm.candidates[0].steps.length, 'with prm, greedy writes one path and keeps it, wrong steps included');
});

test('Verifier checked never reads the answer the checker works out: the answer line is judged against the value the steps reached', () => {
  const claims = (steps: string[]) => stepmath.checkClaims('Compute 12 + 7 * ( 5 - 3 ).', steps).steps.map((s) => s.valid);
  // A wrong middle step followed consistently: each step's own claim holds except the wrong one, and the answer equals what the steps reached.
  assert.deepEqual(claims(['5 - 3 = 2', '7 * 2 = 15', '12 + 15 = 27', 'Answer: 27']), [true, false, true, true]);
  assert.deepEqual(stepmath.check('Compute 12 + 7 * ( 5 - 3 ).', ['5 - 3 = 2', '7 * 2 = 15', '12 + 15 = 27', 'Answer: 27']).steps.map((s) => s.valid), [true, false, true, false]);
  assert.deepEqual(claims(['5 - 3 = 2', '7 * 2 = 14', '12 + 14 = 26', 'Answer: 27']), [true, true, true, false]);
  assert.deepEqual(claims(['5 - 3 = 2', 'Answer: 26']), [true, null], 'not reduced to one number yet: no verdict');
  // Solve: each equation against the one before it.
  const solve = stepmath.checkClaims('Solve for x: 3 * x + 5 = 20.', ['3 * x = 16', 'x = 16 / 3', 'Answer: 16 / 3']).steps.map((s) => s.valid);
  assert.deepEqual(solve, [false, true, true]);
});
