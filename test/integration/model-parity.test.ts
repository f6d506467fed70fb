// Parity between the PyTorch models (fixtures written by models/train/export.py)
// and the exported ONNX graphs run with onnxruntime-node: no cache, prefix + cache,
// and a left-padded batch followed by one cached decoding step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';

// works whether this file is loaded as CommonJS or as an ES module
const root = typeof __dirname !== 'undefined' ? resolve(__dirname, '..', '..') : process.cwd();

interface Step {
  input_ids: number[][];
  attention_mask: number[][];
  position_ids: number[][];
  past_sequence_length: number;
  logits_last?: number[][];
  scores?: number[][];
}
interface Fixture {
  model: string;
  output: 'logits' | 'scores';
  tolerance: number;
  n_layer: number;
  n_head: number;
  head_dim: number;
  cases: { name: string; steps: Step[] }[];
}

function int64(rows: number[][]): ort.Tensor {
  const flat = BigInt64Array.from(rows.flat().map((v) => BigInt(v)));
  return new ort.Tensor('int64', flat, [rows.length, rows[0].length]);
}

async function checkModel(fixtureName: string): Promise<void> {
  const fx = JSON.parse(readFileSync(join(root, 'test', 'fixtures', fixtureName), 'utf8')) as Fixture;
  const onnxPath = join(root, fx.model, 'onnx', 'model.onnx');
  assert.ok(existsSync(onnxPath), `missing ${onnxPath}`);
  const session = await ort.InferenceSession.create(onnxPath);
  for (const c of fx.cases) {
    let past: Record<string, ort.Tensor> | null = null;
    for (const [si, step] of c.steps.entries()) {
      const batch = step.input_ids.length;
      const feeds: Record<string, ort.Tensor> = {
        input_ids: int64(step.input_ids),
        attention_mask: int64(step.attention_mask),
        position_ids: int64(step.position_ids),
      };
      for (let i = 0; i < fx.n_layer; i++) {
        for (const kv of ['key', 'value']) {
          // first step: EMPTY past tensors [batch, n_head, 0, head_dim]; later: previous present.*
          feeds[`past_key_values.${i}.${kv}`] =
            step.past_sequence_length > 0 && past
              ? past[`present.${i}.${kv}`]
              : new ort.Tensor('float32', new Float32Array(0), [batch, fx.n_head, 0, fx.head_dim]);
        }
      }
      const out = await session.run(feeds);
      const y = out[fx.output];
      const data = y.data as Float32Array;
      const [, seq, last] = fx.output === 'logits' ? (y.dims as number[]) : [...y.dims, 1];
      let maxErr = 0;
      for (let b = 0; b < batch; b++) {
        if (fx.output === 'logits') {
          const want = step.logits_last![b];
          for (let v = 0; v < last; v++) {
            const got = data[(b * seq + (seq - 1)) * last + v];
            assert.ok(Number.isFinite(got));
            maxErr = Math.max(maxErr, Math.abs(got - want[v]));
          }
        } else {
          const want = step.scores![b];
          for (let t = 0; t < seq; t++) {
            const got = data[b * seq + t];
            assert.ok(Number.isFinite(got), `non-finite score at ${b},${t}`);
            if (step.attention_mask[b][step.past_sequence_length + t] === 1) {
              maxErr = Math.max(maxErr, Math.abs(got - want[t]));
            }
          }
        }
      }
      assert.ok(maxErr <= fx.tolerance, `${fx.model} ${c.name} step ${si}: max |diff| ${maxErr}`);
      const k0 = out['present.0.key'];
      assert.deepEqual(k0.dims, [batch, fx.n_head, step.attention_mask[0].length, fx.head_dim]);
      past = {};
      for (const name of Object.keys(out)) if (name.startsWith('present.')) past[name] = out[name];
    }
  }
}

test('policy ONNX matches PyTorch (no cache, prefix+cache, left-padded batch)', async () => {
  await checkModel('parity-policy.json');
});

test('PRM ONNX matches PyTorch (no cache, prefix+cache, left-padded batch)', async () => {
  await checkModel('parity-prm.json');
});
