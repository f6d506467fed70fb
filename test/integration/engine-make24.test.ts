// The Make 24 domain through the engine, on the bundled Make 24 models (real ONNX, no mocks).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { Engine } from '../../src/core/engine';
import { createEngine } from '../../src/core/backends';
import { bundledModels } from '../../src/core/domains';
import { make24 } from '../../src/core/domains/make24';
import { SearchContext } from '../../src/core/search/context';
import { DEFAULT_PARAMS, type Verifier } from '../../src/core/search/params';
import { makeAuto } from '../../src/core/search/auto';
import { STRATEGIES } from '../../src/core/search/registry';
import { sampleSolutions } from '../../src/core/search/sampling-loop';
import type { PolicyTable } from '../../src/core/adapt/plan-table';
import type { RewardBackend } from '../../src/core/backends/prm';
import { LocalPolicy, type StepDraft } from '../../src/core/backends/policy';
import { Rng } from '../../src/core/rng';
import type { DrawnSteps } from '../../src/core/model/sampling';
import { distinctBeamsAt } from './beam-levels';

const MODELS = resolve(__dirname, '../../models');
let engine: Engine;
before(async () => {
  engine = await createEngine({ ...bundledModels(MODELS), threads: 1 });
});
after(async () => {
  await engine.dispose();
});

test('a Make 24 puzzle is solved with the Make 24 models; checked solutions come first', async () => {
  const r = await engine.solve('Make 24 with 4 7 8 8.', { strategy: 'beam', budget: 16, seed: 0 });
  assert.equal(r.domain, 'make24');
  assert.equal(r.problem, 'Make 24 with 4 7 8 8.');
  const pair = await engine.modelsFor(make24);
  assert.notEqual(pair.policy, engine.policy, 'not the StepMath policy');
  assert.match(pair.policy.name, /make24-policy/);
  const checked = r.candidates.map((c) => c.verified);
  assert.deepEqual(checked, [...checked].sort((a, b) => Number(b) - Number(a)), 'every checked candidate before any other');
  assert.ok(r.candidates[0].verified, 'beam@16 finds a checked solution of 4 7 8 8');
  assert.match(r.candidates[0].answer ?? '', /= 24$/);
  for (const c of r.candidates) for (const s of c.steps) assert.ok(s.reason.length > 0 && s.score !== null && s.score >= 0 && s.score <= 1);
  // A StepMath problem on the same engine still goes to the StepMath models.
  const m = await engine.solve('Compute 2 + 3.', { strategy: 'greedy' });
  assert.equal(m.domain, 'stepmath');
});

test('siblings that wrote the same step are scored once; a step the checker proves wrong scores 0 in the search', async () => {
  const { policy, reward } = await engine.modelsFor(make24);
  let scored = 0;
  const counting: RewardBackend = {
    name: reward.name,
    get parameters() {
      return reward.parameters;
    },
    get tokensProcessed() {
      return reward.tokensProcessed;
    },
    start: (p, s) => reward.start(p, s),
    score: (parents, steps, s) => {
      scored += steps.length;
      return reward.score(parents, steps, s);
    },
    dispose: async () => {},
  };
  const ctx = await SearchContext.create('Make 24 with 4 7 8 8.', make24, { ...DEFAULT_PARAMS, temperature: 0.7 }, policy, counting, 3, () => {});
  const children = await ctx.expand([ctx.root], [16]);
  const distinct = new Set(children.map((c) => c.text));
  assert.equal(scored, distinct.size, `${children.length} children, ${distinct.size} distinct steps`);
  assert.ok(distinct.size < children.length, 'the policy repeats itself among 16 samples');
  for (const c of children) {
    const twin = children.find((d) => d.text === c.text)!;
    assert.equal(c.score, twin.score);
  }
  // The same engine path with a prefix the checker rejects: the PRM's score is kept for display,
  // the search's path score is 0.
  const wrong = await SearchContext.create('Make 24 with 4 7 8 8.', make24, DEFAULT_PARAMS, policy, reward, 0, () => {}, undefined, ['8 / 8 = 2 (left: 2 4 7)']);
  assert.equal(wrong.root.valid, false);
  assert.ok((wrong.root.score ?? 0) > 0);
  assert.equal(wrong.scoreOf(wrong.root), 0);
});

test('verify on a Make 24 solution: checker verdicts and the Make 24 PRM scores', async () => {
  const v = await engine.verify('4 7 8 8', ['8 / 8 = 1 (left: 1 4 7)', '7 - 1 = 6 (left: 4 6)', '6 * 4 = 24 (left: 24)', 'Answer: (7 - 8 / 8) * 4 = 24']);
  assert.deepEqual(v.steps.map((s) => s.valid), [true, true, true, true]);
  assert.equal(v.answer, '(7 - 8 / 8) * 4 = 24');
  const dead = await engine.verify('4 7 8 8', ['8 / 8 = 1 (left: 1 4 7)', '7 - 1 = 6 (left: 4 6)', '6 + 4 = 10 (left: 10)']);
  assert.ok(dead.steps[2].score! < v.steps[2].score!, 'the PRM scores the dead end below the move that makes 24');
});

test('a tree search draws different moves below one node, without replacement, from the real policy', async () => {
  const problem = 'Make 24 with 4 8 8 11.';
  const { policy } = await engine.modelsFor(make24);
  assert.ok(policy instanceof LocalPolicy && policy.drawsDistinct);
  const state = await policy.start(problem);
  const drawn: DrawnSteps = { used: 0, next: {} };
  const rng = new Rng(5);
  const texts: string[] = [];
  let covered = 0;
  for (let k = 0; k < 8; k++) {
    const before: number = drawn.used;
    const drafts: StepDraft<unknown>[] = await policy.extend([state], { temperature: 1, topP: 1, suppress: [] }, rng, undefined, [drawn]);
    const draft = drafts[0];
    assert.ok(!texts.includes(draft.text), `draw ${k} repeats "${draft.text}" (${texts.join(' | ')})`);
    texts.push(draft.text);
    // What the trie says the step used up is the step's probability under teacher forcing.
    const forced = await engine.explain(problem, [draft.text], { temperature: 1 });
    const p = forced.steps[0].tokens.reduce((q, t) => q * t.p, 1);
    covered += p;
    assert.ok(Math.abs(drawn.used - before - p) < 1e-3 * Math.max(1, p * 10), `draw ${k}: the record grew by ${drawn.used - before}, the step's probability is ${p}`);
  }
  assert.ok(Math.abs(drawn.used - covered) < 5e-3);
  // Beam search and DVTS: no node has two children that wrote the same step, and a seed reproduces the tree.
  for (const strategy of ['beam', 'dvts'] as const) {
    const r = await engine.solve(problem, { strategy, budget: 16, seed: 2 });
    const siblings = new Map<number, string[]>();
    for (const n of r.tree) if (n.parentId !== null) siblings.set(n.parentId, [...(siblings.get(n.parentId) ?? []), n.text]);
    for (const [parent, kids] of siblings) assert.equal(new Set(kids).size, kids.length, `${strategy}: node ${parent} has repeated children: ${kids.join(' | ')}`);
    const again = await engine.solve(problem, { strategy, budget: 16, seed: 2 });
    assert.deepEqual(again.tree.map((n) => n.text), r.tree.map((n) => n.text));
  }
});

test("a node expanded a second time (auto's second round) draws moves it has not drawn before", async () => {
  const { policy, reward } = await engine.modelsFor(make24);
  const ctx = await SearchContext.create('Make 24 with 3 6 7 10.', make24, DEFAULT_PARAMS, policy, reward, 1, () => {});
  const first = await ctx.expand([ctx.root], [4], { distinct: true });
  // Expanding released the root's policy state; the record of what it drew is the node's.
  assert.equal(ctx.root.policy, null);
  const second = await ctx.expand([ctx.root], [8], { distinct: true });
  const texts = [...first, ...second].map((c) => c.text);
  assert.equal(first.length, 4);
  assert.ok(second.length >= 4, `the second expansion gave ${second.length} moves`);
  assert.equal(new Set(texts).size, texts.length, `a move came back: ${texts.join(' | ')}`);
});

test('auto, checked, hands what is left of its cap to samples when its plan finds no checked solution; prm does not', async () => {
  const { policy, reward } = await engine.modelsFor(make24);
  // 1 1 1 1 cannot make 24, so nothing checks; a table that says greedy everywhere makes the probe
  // the whole plan (every puzzle lands in bin 5: its score 0 is above every edge).
  const greedyEverywhere: PolicyTable = { version: 1, note: 'test', difficulty: { weights: {}, edges: [-4, -3, -2, -1] }, bins: { '5': { '1': { strategy: 'greedy', budget: 1 } } }, stopping: { agreement: 2, score: 2 } };
  const context = (verifier: Verifier) => SearchContext.create('Make 24 with 1 1 1 1.', make24, { ...DEFAULT_PARAMS, budget: 16, verifier }, policy, reward, 1, () => {});
  const tokensOf = async (verifier: Verifier) => {
    const probe = await context(verifier);
    await sampleSolutions(probe, 1, 0);
    const ctx = await context(verifier);
    await makeAuto((name) => STRATEGIES[name], greedyEverywhere).run(ctx);
    return { probe: probe.generatedTokens, auto: ctx.generatedTokens, rootChildren: ctx.nodes.filter((n) => n.parent === ctx.root).length, chosen: ctx.chosen };
  };
  const prm = await tokensOf('prm');
  assert.equal(prm.auto, prm.probe, 'prm: the greedy plan is the probe alone');
  assert.deepEqual(prm.chosen, { strategy: 'greedy', budget: 1 });
  const checked = await tokensOf('checked');
  // The plan is reported with the samples after it: the rest of 16 probe-length generations.
  assert.deepEqual(checked.chosen, { strategy: 'greedy', budget: 1, samplesAfter: 15 });
  // 15 more samples fit the cap of 16 probe-length generations (a sample may run longer than the probe).
  assert.ok(checked.rootChildren >= 16, `${checked.rootChildren} children below the root`);
  assert.ok(checked.auto >= 8 * checked.probe && checked.auto <= 32 * checked.probe, `auto generated ${checked.auto} tokens, the probe ${checked.probe}`);
});

test('beam search gives dead ends no children and hands what a spent beam cannot take to the next beams', async () => {
  // Width 2 keeps 8 beams and shares 16 children between them by score, so a beam the PRM rules
  // out gets none and a live one more than 2; once moves run out below some (two or three numbers
  // left), the children go to the beams below the kept 8 in score order, so more than 8 nodes of a
  // depth expand.
  const r = await engine.solve('Make 24 with 4 8 8 11.', { strategy: 'beam', budget: 16, width: 2, seed: 2 });
  const byId = new Map(r.tree.map((n) => [n.id, n]));
  const expandedAt = new Map<number, Set<number>>();
  const childrenAt = new Map<number, number>();
  const childrenOf = new Map<number, number>();
  for (const n of r.tree) {
    if (n.parentId === null) continue;
    const d = byId.get(n.parentId)!.depth;
    expandedAt.set(d, (expandedAt.get(d) ?? new Set()).add(n.parentId));
    childrenAt.set(d, (childrenAt.get(d) ?? 0) + 1);
    childrenOf.set(n.parentId, (childrenOf.get(n.parentId) ?? 0) + 1);
  }
  assert.ok([...childrenOf].some(([id, k]) => byId.get(id)!.depth > 0 && k > 2), 'a live beam takes more than its even share of 2');
  const deadKept = r.tree.filter((n) => n.depth >= 1 && n.valid && n.status === 'pruned' && (n.score ?? 1) < 0.05);
  assert.ok(deadKept.length > 0, 'first moves the PRM rules out are not expanded');
  const filled = [...expandedAt].filter(([, parents]) => parents.size > 8);
  assert.ok(filled.length > 0, `parents per depth: ${[...expandedAt].map(([d, s]) => `${d}:${s.size}`).join(' ')}`);
  for (const [d] of filled) {
    // 16 children, or fewer only once every distinct open beam below the 8 kept was asked for some.
    const below = distinctBeamsAt(r.tree, d, (n) => n.valid !== false).slice(8);
    assert.ok(childrenAt.get(d)! >= 16 || below.every((n) => n.status === 'expanded'), `depth ${d}: ${childrenAt.get(d)} children`);
  }
});

test('a step that ends exactly at the context limit ends its solution (no step can follow it)', async () => {
  const policy = (await engine.modelsFor(make24)).policy as LocalPolicy;
  assert.ok(policy instanceof LocalPolicy);
  const { tokenizer, config } = policy.model;
  const prompt = tokenizer.promptIds('Make 24 with 4 7 8 8.');
  const line = tokenizer.encode('8 / 8 = 1 (left: 1 4 7)\n');
  let atLimit = 0;
  // Long contexts of different lengths; greedy steps from some of them end on the very last position.
  for (let pad = 25; pad < 36; pad++) {
    const ids = [...prompt];
    while (ids.length + line.length < config.maxPositions - 40) ids.push(...line);
    for (let i = 0; i < pad; i++) ids.push(...tokenizer.encode(' '));
    const { cache, last } = await policy.model.prefill(ids);
    const [draft] = await policy.extend([{ cache, nextLogits: last, ids }], { temperature: 0, topP: 1, suppress: [] }, new Rng(1));
    if (ids.length + draft.tokens < config.maxPositions) {
      if (draft.ended === 'separator') assert.notEqual(draft.state, null);
      continue;
    }
    atLimit++;
    assert.equal(draft.state, null, `pad ${pad}: "${draft.text}" (${draft.ended}) filled the context but can be continued`);
    assert.ok(!draft.text.includes('\n'));
  }
  assert.ok(atLimit > 0, 'some step reached the limit');
});
