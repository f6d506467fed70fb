// Every bundled model folder carries its weights twice: onnx/model.onnx (optimum's layout, what any
// folder may bring) and onnx/model_inplace.onnx (export_inplace.py: the cache stays in the caller's
// buffer). The engine loads the second where it exists; both must give the same head outputs
// (logits or PRM scores) within 1e-4 on uneven batches: a prefill, a fork, rows fed different
// numbers of tokens (one idle), and single-token steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OnnxDecoder, type HeadOutput } from '../../src/core/model/onnx-decoder';
import { createEngine } from '../../src/core/backends';
import type { SolveOptions } from '../../src/core/protocol/results';

const MODELS: [string, HeadOutput][] = [
  ['stepmath-policy', 'logits'],
  ['stepmath-prm', 'scores'],
  ['make24-policy', 'logits'],
  ['make24-prm', 'scores'],
  ['stepmath-policy-4x', 'logits'],
  ['make24-policy-4x', 'logits'],
];

async function trace(m: OnnxDecoder, problems: string[], feeds: string[][]): Promise<Float32Array[][]> {
  const out: Float32Array[][] = [];
  const caches = [];
  for (const p of problems) {
    const { cache, last } = await m.prefill(m.tokenizer.promptIds(p));
    caches.push(cache);
    out.push([last]);
  }
  const batch = m.assemble([...caches, caches[0]]);
  for (const step of feeds) {
    const tokens = step.map((t) => m.tokenizer.encode(t));
    const { values, T, width } = await m.run(batch, tokens);
    // each row's real (right-aligned) positions only
    out.push(tokens.map((t, b) => values.slice((b * T + T - t.length) * width, (b * T + T) * width)));
  }
  batch.dispose();
  return out;
}

for (const [name, head] of MODELS) {
  test(`${name}: the in-place form gives the optimum form's ${head} within 1e-4`, async () => {
    const dir = resolve(__dirname, '../../models', name);
    const [inPlace, optimum] = await Promise.all([OnnxDecoder.load(dir, head, { threads: 1 }), OnnxDecoder.load(dir, head, { threads: 1, optimumOnly: true })]);
    try {
      assert.equal(inPlace.form, 'in-place');
      assert.equal(optimum.form, 'optimum');
      const problems = name.startsWith('make24') ? ['Make 24 with 4 7 8 8.', 'Make 10 with 1 2 3 4.', 'Use 3, 5, 6, 9 to make 24'] : ['Compute 12 + 7 * ( 5 - 3 ).', 'Solve for x: 3 * x + 5 = 20.', 'Compute 9 - 4.'];
      const steps = [
        ['8 / 8 = 1\n', '1 + 2 = 3', '', '5 * 6'],
        ['7', '\n', '4 - 1 = 3 (left: 3 3 4)\n', 'x'],
        ['=', ' ', '2', '1'],
      ];
      const a = await trace(inPlace, problems, steps);
      const b = await trace(optimum, problems, steps);
      let worst = 0;
      a.forEach((rows, s) => rows.forEach((r, i) => {
        assert.equal(r.length, b[s][i].length);
        for (let k = 0; k < r.length; k++) worst = Math.max(worst, Math.abs(r[k] - b[s][i][k]));
      }));
      assert.ok(worst < 1e-4, `max |difference| ${worst}`);
    } finally {
      await Promise.all([inPlace.release(), optimum.release()]);
    }
  });
}

/** A copy of a model folder (links) without its in-place graph: what a user's optimum export looks like. */
function optimumOnlyCopy(root: string, name: string): string {
  const src = resolve(__dirname, '../../models', name);
  const dst = join(root, name);
  mkdirSync(join(dst, 'onnx'), { recursive: true });
  for (const f of readdirSync(src)) if (f !== 'onnx') symlinkSync(join(src, f), join(dst, f));
  symlinkSync(join(src, 'onnx', 'model.onnx'), join(dst, 'onnx', 'model.onnx'));
  return dst;
}

test('a solve gives the same tree, scores and candidates with either form (fixed seeds)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'stepwise-forms-'));
  const dirs = (policy: string, prm: string) => ({ policyDir: policy, prmDir: prm, threads: 1 });
  const models = (n: string) => resolve(__dirname, '../../models', n);
  const [inPlace, optimum] = await Promise.all([
    createEngine(dirs(models('stepmath-policy'), models('stepmath-prm'))),
    createEngine(dirs(optimumOnlyCopy(root, 'stepmath-policy'), optimumOnlyCopy(root, 'stepmath-prm'))),
  ]);
  try {
    const runs: [string, NonNullable<SolveOptions['strategy']>][] = [['Compute 47 * 3 - 58 + 96 / 12.', 'beam'], ['Solve for x: 3 * x + 5 = 20.', 'weighted-bon'], ['Compute 12 + 7 * ( 5 - 3 ).', 'lookahead']];
    for (const [problem, strategy] of runs) {
      const a = await inPlace.solve(problem, { strategy, budget: 8, seed: 3 });
      const b = await optimum.solve(problem, { strategy, budget: 8, seed: 3 });
      assert.deepEqual(a.tree.map((n) => [n.parentId, n.text, n.status]), b.tree.map((n) => [n.parentId, n.text, n.status]), `${strategy}: the same tree`);
      const worst = Math.max(0, ...a.tree.map((n, i) => Math.abs((n.score ?? 0) - (b.tree[i].score ?? 0))));
      assert.ok(worst < 1e-4, `${strategy}: PRM scores differ by ${worst}`);
      assert.deepEqual(a.candidates.map((c) => c.answer), b.candidates.map((c) => c.answer));
      assert.ok(a.tree.length > 8, `${strategy}: a real search (${a.tree.length} nodes)`);
    }
  } finally {
    await Promise.all([inPlace.dispose(), optimum.dispose()]);
    rmSync(root, { recursive: true, force: true });
  }
});
