// Generation throughput of our engine (OnnxDecoder + BatchCache + Sampler, driven as LocalPolicy
// drives them in a search, with its prompt-lookup drafts; also timed without them) against @huggingface/transformers' generate(), on the same ONNX policy,
// the same prompt, the same B sampled sequences of N new tokens, the same onnxruntime-node, and as
// many threads: ours splits the rows over --threads shards of one thread each (one in this thread,
// the rest in worker threads); transformers.js runs one session, timed at intraOpNumThreads 1 and
// --threads, and the faster of the two is the baseline. Also a roofline: this machine's peak matmul GFLOP/s (bench/assets/matmul.onnx)
// against the FLOP/s the model achieves (2 x params x tokens / s, the project's FLOPs convention).
//
//   npm run bench:throughput -- [--batch 16] [--tokens 128] [--repeats 5] [--threads 2] [--warmups 3] [--in-process] [--quick]
//
// Each timed run happens in a fresh child process that loads only its own engine (the way each is
// used: the extension and CLI never load transformers.js). --in-process times all engines in this
// one process instead; loading transformers.js there slows every onnxruntime session in the process
// (see bench/README.md). Prints a table, then one JSON line. Nothing is downloaded: transformers.js
// is pointed at a temporary local folder (os.tmpdir()) that links our model.onnx and tokenizer and
// maps our config.json onto transformers.js' `gpt2` model type (see gpt2Config below).
import * as ort from 'onnxruntime-node';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { PreTrainedModel, Tensor as HfTensor } from '@huggingface/transformers';
import { OnnxDecoder } from '../src/core/model/onnx-decoder';
import { argmax } from '../src/core/model/sampling';
import type { DecodeRules } from '../src/core/model/decode';
import { DRAFT_TOKENS } from '../src/core/backends/policy';
import { generateProblems } from '../src/core/domains/stepmath/generate';
import { Rng } from '../src/core/rng';

const root = typeof __dirname !== 'undefined' ? resolve(__dirname, '..') : process.cwd();
const MATMUL_ONNX = join(root, 'bench', 'assets', 'matmul.onnx');
const PROBLEM = 'Compute 12 + 7 * ( 5 - 3 ).';
/** The reference solution, fed token by token through both engines' cached decoding to compare every step's logits. */
const SOLUTION = '5 - 3 = 2\n7 * 2 = 14\n12 + 14 = 26\nAnswer: 26\n';
const TEMPERATURE = 0.7;

const { values: args } = parseArgs({
  options: {
    batch: { type: 'string', default: '16' },
    tokens: { type: 'string', default: '128' },
    repeats: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    warmups: { type: 'string', default: '3' },
    'in-process': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    child: { type: 'string' },
    draft: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    model: { type: 'string' },
    scaling: { type: 'boolean', default: false },
    batches: { type: 'string', default: '' },
  },
});
const POLICY_DIR = args.model ? resolve(args.model) : join(root, 'models', 'stepmath-policy');
/** The optimum-layout graph of the model: what transformers.js and the bare loop run, and today's engine. */
const OPTIMUM_ONNX = join(POLICY_DIR, 'onnx', 'model.onnx');
const quick = args.quick;
const B = quick ? 4 : Number(args.batch);
const N = quick ? 16 : Number(args.tokens);
const REPEATS = quick ? 1 : Number(args.repeats);
const THREADS = Number(args.threads);
const WARMUPS = quick ? 1 : Number(args.warmups);
// The same onnxruntime session options for every session we time but the thread count (ours sets its own: one per shard).
const sessionOptions = (threads: number): ort.InferenceSession.SessionOptions => ({ intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number, d = 1) => x.toFixed(d);

// ---------------------------------------------------------------------------------------------
// transformers.js on our files (imported lazily: a process that times our engine never loads it)

type Hf = typeof import('@huggingface/transformers');
let hfModule: Hf | null = null;
const hf = async (): Promise<Hf> => (hfModule ??= await import('@huggingface/transformers'));

/**
 * Our config.json as transformers.js' `gpt2`: our graph is GPT-style (learned positions, LayerNorm,
 * GELU, tied embeddings) and already carries gpt2's n_layer / n_head / n_embd. transformers.js v4
 * builds the empty first-step past from the graph's own input metadata, names past inputs
 * `past_key_values.{i}.key|value` (present.* -> past_key_values.*), and feeds position_ids to any
 * graph that declares that input (cumsum of the attention mask), so it runs model.onnx as it is.
 */
function gpt2Config(ours: Record<string, unknown>): Record<string, unknown> {
  return { ...ours, model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], 'transformers.js_config': { dtype: 'fp32', device: 'cpu' } };
}

function stageForTransformersJs(): { dir: string; name: string } {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  const name = 'policy';
  const folder = join(dir, name);
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  const config = JSON.parse(readFileSync(join(POLICY_DIR, 'config.json'), 'utf8'));
  writeFileSync(join(folder, 'config.json'), JSON.stringify(gpt2Config(config), null, 1));
  writeFileSync(join(folder, 'generation_config.json'), JSON.stringify({ bos_token_id: config.bos_token_id, eos_token_id: config.eos_token_id, pad_token_id: config.pad_token_id }));
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) symlinkSync(join(POLICY_DIR, f), join(folder, f));
  symlinkSync(OPTIMUM_ONNX, join(folder, 'onnx', 'model.onnx'));
  return { dir, name };
}

/** Milliseconds transformers.js spent inside its model's session.run (the rest of generate() is its own JS). */
const theirsRun = { ms: 0 };

async function loadTransformersJs(dir: string, name: string, threads: number): Promise<PreTrainedModel> {
  const { env, AutoModelForCausalLM } = await hf();
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dir;
  env.useFSCache = false;
  const model = await AutoModelForCausalLM.from_pretrained(name, {
    local_files_only: true,
    dtype: 'fp32',
    device: 'cpu',
    session_options: sessionOptions(threads),
  });
  // Time (only) the model's forward passes; the top-k sessions its sampler runs are not this one.
  const session = (model as unknown as { sessions?: Record<string, ort.InferenceSession> }).sessions?.model;
  if (session) {
    const run = session.run.bind(session);
    session.run = (async (...a: Parameters<typeof run>) => {
      const t0 = performance.now();
      try {
        return await run(...a);
      } finally {
        theirsRun.ms += performance.now() - t0;
      }
    }) as typeof session.run;
  }
  return model;
}

async function int64Rows(rows: number[][]): Promise<HfTensor> {
  const { Tensor } = await hf();
  return new Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
}

async function theirsGenerate(model: PreTrainedModel, prompt: number[], rows: number, newTokens: number, padId: number, bosId: number, seed: number) {
  (await hf()).random.seed(seed);
  theirsRun.ms = 0;
  const input_ids = await int64Rows(Array.from({ length: rows }, () => prompt));
  const attention_mask = await int64Rows(Array.from({ length: rows }, () => prompt.map(() => 1)));
  const t0 = performance.now();
  const out = (await model.generate({
    input_ids,
    attention_mask,
    max_new_tokens: newTokens,
    min_new_tokens: newTokens,
    do_sample: true,
    temperature: TEMPERATURE,
    top_k: 0,
    suppress_tokens: [padId, bosId],
  } as never)) as HfTensor;
  const ms = performance.now() - t0;
  const [R, L] = out.dims;
  const data = out.data as BigInt64Array;
  const tokens = Array.from({ length: R }, (_, r) => Array.from(data.subarray(r * L + prompt.length, (r + 1) * L), Number));
  return { ms, tokens, share: theirsRun.ms / ms };
}

async function theirsGreedy(model: PreTrainedModel, prompt: number[], maxNew: number): Promise<number[]> {
  const out = (await model.generate({ input_ids: await int64Rows([prompt]), attention_mask: await int64Rows([prompt.map(() => 1)]), max_new_tokens: maxNew, do_sample: false } as never)) as HfTensor;
  return Array.from((out.data as BigInt64Array).subarray(prompt.length), Number);
}

/**
 * transformers.js' generate() forced through `forced` (each step's logits recorded, then every token
 * but the forced one masked), so its real cached decoding path (position_ids, mask, past) is compared.
 * SuppressTokensLogitsProcessor is the exported LogitsProcessor we subclass (the base class is not exported).
 */
async function theirsForced(model: PreTrainedModel, prompt: number[], forced: number[]): Promise<Float32Array[]> {
  const { SuppressTokensLogitsProcessor } = await hf();
  const seen: Float32Array[] = [];
  class ForceAndRecord extends SuppressTokensLogitsProcessor {
    _call(_ids: bigint[][], logits: HfTensor): HfTensor {
      const row = (logits as unknown as HfTensor[])[0].data as Float32Array;
      seen.push(row.slice());
      const keep = forced[seen.length - 1];
      for (let i = 0; i < row.length; i++) if (i !== keep) row[i] = -Infinity;
      return logits;
    }
  }
  const recorder = new ForceAndRecord([]);
  await model.generate({ input_ids: await int64Rows([prompt]), attention_mask: await int64Rows([prompt.map(() => 1)]), max_new_tokens: forced.length, do_sample: false, logits_processor: [recorder] } as never);
  return seen;
}

// ---------------------------------------------------------------------------------------------
// Our engine, as the search drives it: LocalPolicy.start (the prompt once, one row), then the
// fork of that cache into B rows (BatchCache.assemble) and one token per row per forward pass.
// LocalPolicy.extend stops each row at a newline; here every row runs exactly N tokens.

async function oursGenerate(model: OnnxDecoder, prompt: number[], rows: number, newTokens: number, seed: number, draftTokens: number) {
  const { padTokenId, bosTokenId, eosTokenIds, maxPositions } = model.config;
  // eos suppressed like transformers.js' min_new_tokens, pad and bos as LocalPolicy suppresses them;
  // no stops, so every row runs exactly newTokens tokens.
  const rules: DecodeRules = { temperature: TEMPERATURE, topP: 1, suppress: [padTokenId, bosTokenId, ...eosTokenIds], eosTokenIds, stops: [], maxStepTokens: newTokens, maxPositions, draftTokens };
  const rng = new Rng(seed);
  const t0 = performance.now();
  const { cache, last: first } = await model.prefill(prompt);
  const batch = model.assemble(Array.from({ length: rows }, () => cache));
  const d0 = performance.now();
  const decoded = await model.decode(batch, Array.from({ length: rows }, () => ({ logits: first, length: cache.length, seed: rng.seed(), context: prompt })), rules);
  const decodeMs = performance.now() - d0;
  batch.dispose();
  const ms = performance.now() - t0;
  return { ms, tokens: decoded.map((d) => d.ids), share: decodeMs / ms };
}

async function oursGreedy(model: OnnxDecoder, prompt: number[], maxNew: number): Promise<number[]> {
  const batch = model.assemble([model.emptyCache()]);
  const ids: number[] = [];
  let [logits] = await model.step(batch, [prompt]);
  for (;;) {
    const id = argmax(logits);
    ids.push(id);
    if (model.config.eosTokenIds.includes(id) || ids.length >= maxNew) break;
    [logits] = await model.step(batch, [[id]]);
  }
  batch.dispose();
  return ids;
}

async function oursForced(model: OnnxDecoder, prompt: number[], forced: number[]): Promise<Float32Array[]> {
  const batch = model.assemble([model.emptyCache()]);
  const seen = [(await model.step(batch, [prompt]))[0]];
  for (const id of forced.slice(0, -1)) seen.push((await model.step(batch, [[id]]))[0]);
  batch.dispose();
  return seen;
}

/**
 * The decoding a search does (LocalPolicy.extend): 16 sampled rows per problem, one step per call
 * (ending at the newline), each row continuing its own solution until it ends or 8 steps pass;
 * no eos suppression, so rows finish as in a real solve. Returns tokens/s and the rows' text.
 */
async function solveWorkload(model: OnnxDecoder, problems: readonly number[][], draftTokens: number, seed: number) {
  const { padTokenId, bosTokenId, eosTokenIds, maxPositions, stepSeparator } = model.config;
  const rules: DecodeRules = { temperature: TEMPERATURE, topP: 1, suppress: [padTokenId, bosTokenId], eosTokenIds, stops: [stepSeparator], maxStepTokens: 96, maxPositions, draftTokens };
  const rng = new Rng(seed);
  let tokens = 0;
  const steps: string[] = [];
  const t0 = performance.now();
  for (const prompt of problems) {
    const { cache, last } = await model.prefill(prompt);
    let live = Array.from({ length: 16 }, () => ({ cache, logits: last, context: prompt }));
    for (let step = 0; step < 8 && live.length; step++) {
      // As a search does: the rows still going are forked into a new batch, the finished ones leave.
      const batch = model.assemble(live.map((r) => r.cache));
      const decoded = await model.decode(batch, live.map((r) => ({ logits: r.logits, length: r.cache.length, seed: rng.seed(), context: r.context })), rules);
      const next: typeof live = [];
      for (const [b, d] of decoded.entries()) {
        tokens += d.ids.length;
        const text = model.tokenizer.decode(d.ids);
        steps.push(text);
        if (d.ended === 'separator' && !text.startsWith('Answer:')) next.push({ cache: await batch.extract(b), logits: d.logits, context: [...live[b].context, ...d.ids] });
      }
      batch.dispose();
      live = next;
    }
  }
  return { tokS: tokens / ((performance.now() - t0) / 1000), tokens, steps };
}

// ---------------------------------------------------------------------------------------------
// The floor: the same B x N decode on a bare onnxruntime session, feeds prebuilt where possible,
// present fed back as past, no sampling (token 5 every step). No JS engine can beat this by much.

interface Shape {
  layers: number;
  heads: number;
  headDim: number;
}

function emptyPast(feeds: Record<string, ort.Tensor>, { layers, heads, headDim }: Shape, rows: number) {
  for (let l = 0; l < layers; l++) for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [rows, heads, 0, headDim]);
}

async function ortFloor(session: ort.InferenceSession, shape: Shape, prompt: number[], rows: number, newTokens: number) {
  const i64 = (data: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(data.map(BigInt)), dims);
  const t0 = performance.now();
  const P = prompt.length;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: i64(Array.from({ length: rows }, () => prompt).flat(), [rows, P]),
    attention_mask: i64(new Array(rows * P).fill(1), [rows, P]),
    position_ids: i64(Array.from({ length: rows }, () => prompt.map((_, i) => i)).flat(), [rows, P]),
  };
  emptyPast(feeds, shape, rows);
  let runMs = 0;
  for (let t = 0; t < newTokens; t++) {
    const r0 = performance.now();
    const out = await session.run(feeds);
    runMs += performance.now() - r0;
    const past = P + t; // columns in the cache after this run, = the next token's position
    feeds.input_ids = new ort.Tensor('int64', new BigInt64Array(rows).fill(5n), [rows, 1]);
    feeds.position_ids = new ort.Tensor('int64', new BigInt64Array(rows).fill(BigInt(past)), [rows, 1]);
    feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(rows * (past + 1)).fill(1n), [rows, past + 1]);
    for (let l = 0; l < shape.layers; l++) for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = out[`present.${l}.${kv}`];
  }
  const ms = performance.now() - t0;
  return { ms, share: runMs / ms };
}

/** Achieved FLOP/s of one big forward pass of the model (rows x T tokens, no past): its best case. */
async function prefillGflops(session: ort.InferenceSession, shape: Shape, params: number, rows: number, T: number) {
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from({ length: rows * T }, (_, i) => BigInt(3 + (i % 20))), [rows, T]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(rows * T).fill(1n), [rows, T]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: rows * T }, (_, i) => BigInt(i % T)), [rows, T]),
  };
  emptyPast(feeds, shape, rows);
  await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < (quick ? 1 : 5); i++) {
    const t0 = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t0);
  }
  return (2 * params * rows * T) / (median(times) / 1000) / 1e9;
}

/** Peak matmul GFLOP/s of this machine through onnxruntime (best of a few square sizes). */
async function peakGflops(): Promise<{ gflops: number; size: number; all: string }> {
  const session = await ort.InferenceSession.create(readFileSync(MATMUL_ONNX), sessionOptions(THREADS));
  let best = { gflops: 0, size: 0 };
  const all: string[] = [];
  for (const n of quick ? [256] : [512, 1024, 2048]) {
    const rng = new Rng(n);
    const A = new ort.Tensor('float32', Float32Array.from({ length: n * n }, () => rng.next() - 0.5), [n, n]);
    const Bm = new ort.Tensor('float32', Float32Array.from({ length: n * n }, () => rng.next() - 0.5), [n, n]);
    await session.run({ A, B: Bm });
    const times: number[] = [];
    const reps = quick ? 2 : Math.max(7, Math.round(8e9 / (2 * n ** 3)));
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await session.run({ A, B: Bm });
      times.push(performance.now() - t0);
    }
    const g = (2 * n ** 3) / (median(times) / 1000) / 1e9;
    all.push(`${n}: ${fmt(g)}`);
    if (g > best.gflops) best = { gflops: g, size: n };
  }
  await session.release();
  return { ...best, all: all.join(', ') };
}

// ---------------------------------------------------------------------------------------------
// One timed measurement: load the engine, WARMUPS untimed runs of the full size, one timed run.
// Steady state takes a few runs in a fresh process (JIT, onnxruntime's arena growing to every
// cache length), for every engine alike; an editor session decodes thousands of batches.

/** ours: the engine as it loads a bundled folder (the in-place form); today: the same engine held to the optimum-layout graph, as before the in-place form. */
type Engine = 'ours' | 'today' | 'theirs' | 'floor';
/** One timed configuration: an engine at a thread count (ours: and with or without drafts). */
interface Variant {
  key: string;
  engine: Engine;
  threads: number;
  draft: number;
  label: string;
}
const shards = `${THREADS} shard${THREADS === 1 ? '' : 's'} x 1 thread`;
const VARIANTS: Variant[] = [
  { key: 'ours', engine: 'ours', threads: THREADS, draft: DRAFT_TOKENS, label: `ours (OnnxDecoder.decode, ${shards}, ${DRAFT_TOKENS} drafted tokens per pass)` },
  { key: 'ours/no-drafts', engine: 'ours', threads: THREADS, draft: 0, label: `ours without drafts (one token per pass, ${shards})` },
  { key: 'today', engine: 'today', threads: THREADS, draft: DRAFT_TOKENS, label: `ours on the optimum-layout graph (before the in-place form), drafts` },
  { key: 'today/no-drafts', engine: 'today', threads: THREADS, draft: 0, label: `ours on the optimum-layout graph, no drafts` },
  { key: `theirs@${THREADS}`, engine: 'theirs', threads: THREADS, draft: 0, label: `transformers.js generate(), intraOp ${THREADS}` },
  ...(THREADS !== 1 ? [{ key: 'theirs@1', engine: 'theirs' as const, threads: 1, draft: 0, label: 'transformers.js generate(), intraOp 1' }] : []),
  { key: 'floor', engine: 'floor', threads: 1, draft: 0, label: 'bare onnxruntime loop, one session, intraOp 1 (no sampling)' },
];
interface Measurement {
  tokS: number;
  /** Share of the time in decoding (ours: OnnxDecoder.decode, sampling included) or in the model's session.run (the others). */
  share: number;
}

async function loadOurs(optimumOnly = false): Promise<{ model: OnnxDecoder; prompt: number[]; shape: Shape }> {
  const model = await OnnxDecoder.load(POLICY_DIR, 'logits', { threads: THREADS, optimumOnly });
  const { numLayers: layers, numHeads: heads, headDim, maxPositions } = model.config;
  const prompt = model.tokenizer.promptIds(PROBLEM);
  if (prompt.length + N > maxPositions) throw new Error(`prompt ${prompt.length} + ${N} new tokens exceeds the model's ${maxPositions} positions`);
  return { model, prompt, shape: { layers, heads, headDim } };
}

function checkTokens(who: string, tokens: number[][], suppressed: number[]) {
  if (tokens.length !== B || tokens.some((t) => t.length !== N)) throw new Error(`${who} produced ${tokens.length} x ${tokens[0]?.length} tokens, not ${B} x ${N}`);
  if (tokens.some((t) => t.some((id) => suppressed.includes(id)))) throw new Error(`${who} sampled a suppressed token (pad, bos or eos)`);
}

/** Engines kept loaded between measurements in --in-process mode. */
const loaded: { ours?: Awaited<ReturnType<typeof loadOurs>>; today?: Awaited<ReturnType<typeof loadOurs>>; theirs?: Map<number, PreTrainedModel>; floor?: ort.InferenceSession; staged?: { dir: string; name: string } } = {};

async function theirsAt(threads: number): Promise<PreTrainedModel> {
  loaded.staged ??= stageForTransformersJs();
  loaded.theirs ??= new Map();
  if (!loaded.theirs.has(threads)) loaded.theirs.set(threads, await loadTransformersJs(loaded.staged.dir, loaded.staged.name, threads));
  return loaded.theirs.get(threads)!;
}

async function measure(engine: Engine, threads: number, seed: number, keep: boolean, draft: number): Promise<Measurement> {
  const ours = (loaded.ours ??= await loadOurs());
  const { padTokenId, bosTokenId, eosTokenIds } = ours.model.config;
  const suppressed = [padTokenId, bosTokenId, ...eosTokenIds];
  const B_N = B * N;
  try {
    if (engine === 'ours' || engine === 'today') {
      const m = engine === 'ours' ? ours.model : (loaded.today ??= await loadOurs(true)).model;
      for (let w = 1; w <= WARMUPS; w++) await oursGenerate(m, ours.prompt, B, N, seed + 7919 * w, draft);
      const r = await oursGenerate(m, ours.prompt, B, N, seed, draft);
      checkTokens(engine, r.tokens, suppressed);
      return { tokS: B_N / (r.ms / 1000), share: r.share };
    }
    if (engine === 'theirs') {
      const theirs = await theirsAt(threads);
      for (let w = 1; w <= WARMUPS; w++) await theirsGenerate(theirs, ours.prompt, B, N, padTokenId, bosTokenId, seed + 7919 * w);
      const r = await theirsGenerate(theirs, ours.prompt, B, N, padTokenId, bosTokenId, seed);
      checkTokens('transformers.js', r.tokens, suppressed);
      return { tokS: B_N / (r.ms / 1000), share: r.share };
    }
    const floor = (loaded.floor ??= await ort.InferenceSession.create(readFileSync(OPTIMUM_ONNX), sessionOptions(threads)));
    for (let w = 1; w <= WARMUPS; w++) await ortFloor(floor, ours.shape, ours.prompt, B, N);
    const r = await ortFloor(floor, ours.shape, ours.prompt, B, N);
    return { tokS: B_N / (r.ms / 1000), share: r.share };
  } finally {
    if (!keep) await unload();
  }
}

async function unload() {
  for (const m of loaded.theirs?.values() ?? []) await m.dispose();
  await loaded.floor?.release();
  await loaded.ours?.model.release();
  await loaded.today?.model.release();
  if (loaded.staged) rmSync(loaded.staged.dir, { recursive: true, force: true });
  for (const k of Object.keys(loaded) as (keyof typeof loaded)[]) delete loaded[k];
}

/** Runs `measure` in a fresh node process (same flags, e.g. --import tsx) and reads its result line. */
function measureInChild(engine: Engine, threads: number, seed: number, draft: number, at: { batch: number; tokens: number; model: string } = { batch: B, tokens: N, model: POLICY_DIR }): Measurement {
  const argv = [...process.execArgv, process.argv[1], '--child', engine, '--draft', String(draft), '--seed', String(seed), '--batch', String(at.batch), '--tokens', String(at.tokens), '--model', at.model, '--threads', String(threads), '--warmups', String(WARMUPS), ...(quick ? ['--quick'] : [])];
  const res = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = res.stdout?.split('\n').find((l) => l.startsWith('@@result '));
  if (res.status !== 0 || !line) throw new Error(`the ${engine} measurement failed (exit ${res.status}): ${(res.stderr || res.stdout || '').trim().split('\n').slice(-5).join(' | ')}`);
  return JSON.parse(line.slice('@@result '.length)) as Measurement;
}

// ---------------------------------------------------------------------------------------------

/** Both engines must compute the same thing, or the comparison means nothing. Throws if not. */
async function checkValidity(): Promise<void> {
  const ours = (loaded.ours ??= await loadOurs());
  const { model, prompt } = ours;
  const theirs = await theirsAt(THREADS);
  const eos = model.config.eosTokenIds;
  const maxGreedy = Math.min(96, model.config.maxPositions - prompt.length);
  const g1 = await oursGreedy(model, prompt, maxGreedy);
  const g2 = await theirsGreedy(theirs, prompt, maxGreedy);
  const trim = (ids: number[]) => {
    const end = ids.findIndex((id) => eos.includes(id));
    return end >= 0 ? ids.slice(0, end + 1) : ids;
  };
  const same = JSON.stringify(trim(g1)) === JSON.stringify(trim(g2));
  const hfTok = await (await hf()).AutoTokenizer.from_pretrained(loaded.staged!.name, { local_files_only: true });
  const hfIds = hfTok.encode(`${PROBLEM}\n`, { add_special_tokens: false });
  const sameTokens = JSON.stringify([model.config.bosTokenId, ...hfIds]) === JSON.stringify(prompt);
  const forced = model.tokenizer.encode(SOLUTION);
  const lo = await oursForced(model, prompt, forced);
  const lt = await theirsForced(theirs, prompt, forced);
  if (lo.length !== lt.length) throw new Error(`teacher forcing: ${lo.length} steps of logits from ours, ${lt.length} from transformers.js`);
  let maxDiff = 0;
  lo.forEach((l, s) => l.forEach((x, i) => (maxDiff = Math.max(maxDiff, Math.abs(x - lt[s][i])))));
  console.log(`prompt: ${JSON.stringify(PROBLEM + '\n')} -> ${prompt.length} tokens (transformers.js tokenizer ${sameTokens ? 'agrees' : 'DIFFERS'})`);
  console.log(`greedy, ours:            ${JSON.stringify(model.tokenizer.decode(g1))}`);
  console.log(`greedy, transformers.js: ${JSON.stringify(model.tokenizer.decode(g2))}`);
  console.log(`greedy continuations ${same ? 'IDENTICAL' : 'DIFFER'} (${trim(g1).length} tokens)`);
  console.log(`teacher-forced reference solution (${forced.length} tokens, cached decoding in both): max |logit difference| over all steps ${maxDiff.toExponential(2)}`);
  const plainRun = await oursGenerate(model, prompt, 4, Math.min(N, 48), 5, 0);
  const draftedRun = await oursGenerate(model, prompt, 4, Math.min(N, 48), 5, DRAFT_TOKENS);
  const sameDrafted = JSON.stringify(plainRun.tokens) === JSON.stringify(draftedRun.tokens);
  console.log(`sampling with ${DRAFT_TOKENS} drafted tokens per pass draws ${sameDrafted ? 'the SAME' : 'DIFFERENT'} tokens as one token per pass (4 rows x ${Math.min(N, 48)} tokens, one seed)`);
  if (!sameDrafted) throw new Error('drafting changed the sampled tokens: the engine would not be the same sampler');
  if (!sameTokens) throw new Error('the two tokenizers disagree on the prompt: the comparison would be invalid');
  if (!(maxDiff < 1e-3)) throw new Error('the two engines compute different logits: the comparison would be invalid');
  if (!same) throw new Error('the two engines disagree on the greedy continuation: the comparison would be invalid');
}

async function main() {
  const inProcess = args['in-process'];
  const load0 = loadavg();
  await checkValidity();
  if (!inProcess) await unload();

  // Repeats, rotating which variant goes first; the bare loop last.
  const timed = VARIANTS.filter((v) => v.engine !== 'floor');
  const floorVariant = VARIANTS.find((v) => v.engine === 'floor')!;
  const runs = new Map<string, Measurement[]>(VARIANTS.map((v) => [v.key, []]));
  for (let r = 0; r < REPEATS; r++) {
    const order = [...timed.slice(r % timed.length), ...timed.slice(0, r % timed.length), floorVariant];
    for (const v of order) runs.get(v.key)!.push(inProcess ? await measure(v.engine, v.threads, 1000 + r, true, v.draft) : measureInChild(v.engine, v.threads, 1000 + r, v.draft));
    console.log(`repeat ${r + 1}/${REPEATS} (${order[0].key} first): ${VARIANTS.map((v) => `${v.key} ${fmt(runs.get(v.key)![r].tokS)}`).join(', ')} tok/s`);
  }

  // The decoding a search does (stepwise, rows leaving as they finish), in this process: the engine
  // with drafts on the in-place form, the same without drafts, and today's (optimum-layout graph, drafts).
  const ours = (loaded.ours ??= await loadOurs());
  const today = (loaded.today ??= await loadOurs(true));
  const solveProblems = [...generateProblems({ family: 'mixed', count: quick ? 2 : 12, seed: 5 })].map((p) => ours.model.tokenizer.promptIds(p.problem));
  const searchSetups = [
    { key: 'ours', model: ours.model, draft: DRAFT_TOKENS },
    { key: 'ours/no-drafts', model: ours.model, draft: 0 },
    { key: 'today', model: today.model, draft: DRAFT_TOKENS },
  ];
  const solveRuns = new Map<string, { tokS: number; steps: string[] }[]>(searchSetups.map((x) => [x.key, []]));
  for (const x of searchSetups) await solveWorkload(x.model, solveProblems, x.draft, 99);
  for (let r = 0; r < REPEATS; r++) {
    const order = [...searchSetups.slice(r % searchSetups.length), ...searchSetups.slice(0, r % searchSetups.length)];
    for (const x of order) solveRuns.get(x.key)!.push(await solveWorkload(x.model, solveProblems, x.draft, 2000 + r));
  }
  const solveMed = (key: string) => median(solveRuns.get(key)!.map((x) => x.tokS));
  const sameSteps = searchSetups.every((x) => solveRuns.get(x.key)!.every((run, r) => JSON.stringify(run.steps) === JSON.stringify(solveRuns.get('ours')![r].steps)));
  const solveTokens = solveRuns.get('ours')![0].steps.length;

  // Roofline.
  const params = ours.model.config.numParameters;
  const peak = await peakGflops();
  const floor = (loaded.floor ??= await ort.InferenceSession.create(readFileSync(OPTIMUM_ONNX), sessionOptions(THREADS)));
  const prefill = await prefillGflops(floor, ours.shape, params, quick ? 4 : 32, quick ? 32 : 256);
  const load1 = loadavg();

  const med = (key: string, k: 'tokS' | 'share' = 'tokS') => median(runs.get(key)!.map((m) => m[k]));
  const oursMed = med('ours');
  // The baseline is transformers.js at its faster thread setting on this machine.
  const baseline = timed.filter((v) => v.engine === 'theirs').reduce((a, b) => (med(b.key) > med(a.key) ? b : a));
  const theirsMed = med(baseline.key);
  const gf = (tokS: number) => (2 * params * tokS) / 1e9;
  const achieved = gf(oursMed);

  const rows: string[][] = [
    ['engine', 'tok/s (median)', 'GFLOP/s', 'vs baseline'],
    ...VARIANTS.map((v) => [v.label + (v === baseline ? ' = baseline' : ''), fmt(med(v.key)), fmt(gf(med(v.key)), 3), `${fmt(med(v.key) / theirsMed, 2)}x`]),
  ];
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log('');
  for (const [i, r] of rows.entries()) {
    console.log(r.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  '));
    if (i === 0) console.log(w.map((n) => '-'.repeat(n)).join('  '));
  }
  console.log('');
  console.log(`workload: ${B} sequences x ${N} new tokens at temperature ${TEMPERATURE}, prompt ${ours.prompt.length} tokens; ${REPEATS} repeats (median), rotating which variant goes first`);
  console.log(`timing: ${inProcess ? 'all engines in this one process (--in-process)' : 'each run in a fresh process holding only its engine'}; ${WARMUPS} untimed warm-up run(s) of the full size before each timed run`);
  console.log(`model: ${params} parameters, ${ours.shape.layers} layers, ${ours.shape.heads} heads x ${ours.shape.headDim}; FLOPs counted as 2 x params x tokens`);
  console.log(`threads: ours ${THREADS} shard(s) of one session each at intraOpNumThreads 1; transformers.js one session at the intraOpNumThreads shown; interOpNumThreads 1 and graphOptimizationLevel all everywhere (onnxruntime-node ${ort.env.versions?.node ?? '?'})`);
  console.log(
    `where the time goes: ours ${fmt(100 * med('ours', 'share'), 0)}% in OnnxDecoder.decode (forward passes, cache, sampling), ` +
      `the rest prompt prefill + fork; transformers.js ${fmt(100 * med(baseline.key, 'share'), 0)}% in its model's session.run; bare loop ${fmt(100 * med('floor', 'share'), 0)}% in session.run`,
  );
  console.log(`peak matmul: ${fmt(peak.gflops)} GFLOP/s at ${peak.size}^3 (${peak.all}); model prefill ${quick ? '4 x 32' : '32 x 256'} tokens: ${fmt(prefill)} GFLOP/s`);
  console.log(`roofline: ours decodes at ${fmt(achieved, 3)} GFLOP/s = ${fmt((100 * achieved) / peak.gflops, 2)}% of peak`);
  console.log(
    `search decoding (${solveProblems.length} problems x 16 rows, step by step until each row answers, as LocalPolicy.extend; ${REPEATS} repeats in this process): ` +
      `ours ${fmt(solveMed('ours'))} tok/s, ours without drafts ${fmt(solveMed('ours/no-drafts'))}, today (optimum-layout graph, drafts) ${fmt(solveMed('today'))}: ` +
      `ours vs today ${fmt(solveMed('ours') / solveMed('today'), 2)}x, drafts vs none ${fmt(solveMed('ours') / solveMed('ours/no-drafts'), 2)}x; ` +
      `the ${solveTokens} generated steps are ${sameSteps ? 'IDENTICAL' : 'NOT identical'} in all three`,
  );
  console.log(`machine: ${cpus().length} cpus, load average ${load0.map((x) => fmt(x, 2)).join(' ')} at start, ${load1.map((x) => fmt(x, 2)).join(' ')} at end`);
  console.log(
    JSON.stringify({
      ours_tok_s: Number(fmt(oursMed)),
      baseline_tok_s: Number(fmt(theirsMed)),
      ratio: Number(fmt(oursMed / theirsMed, 3)),
      baseline_threads: baseline.threads,
      transformers_js_tok_s: Object.fromEntries(timed.filter((v) => v.engine === 'theirs').map((v) => [`threads_${v.threads}`, Number(fmt(med(v.key)))])),
      batch: B,
      new_tokens: N,
      repeats: REPEATS,
      achieved_gflops: Number(achieved.toFixed(4)),
      peak_gflops: Number(fmt(peak.gflops)),
      roofline_fraction: Number((achieved / peak.gflops).toExponential(3)),
      floor_tok_s: Number(fmt(med('floor'))),
      draft_tokens: DRAFT_TOKENS,
      ours_no_drafts_tok_s: Number(fmt(med('ours/no-drafts'))),
      ours_optimum_form_tok_s: Number(fmt(med('today'))),
      ours_optimum_form_no_drafts_tok_s: Number(fmt(med('today/no-drafts'))),
      ratio_no_drafts: Number(fmt(med('ours/no-drafts') / theirsMed, 3)),
      search_decoding: { ours_tok_s: Number(fmt(solveMed('ours'))), no_drafts_tok_s: Number(fmt(solveMed('ours/no-drafts'))), today_tok_s: Number(fmt(solveMed('today'))), vs_today: Number(fmt(solveMed('ours') / solveMed('today'), 3)), identical: sameSteps },
      prefill_gflops: Number(fmt(prefill, 2)),
      threads: THREADS,
      in_process: inProcess,
      load_avg_1m: Number(fmt(load1[0], 2)),
    }),
  );
  await unload();
}

async function child(engine: Engine | 'check') {
  if (engine === 'check') {
    await checkValidity();
    await unload();
    console.log(`@@result ${JSON.stringify({ tokS: 0, share: 0 })}`);
    return;
  }
  const m = await measure(engine, THREADS, Number(args.seed), false, Number(args.draft));
  console.log(`@@result ${JSON.stringify(m)}`);
}

// ---------------------------------------------------------------------------------------------
// --scaling: the same side-by-side timing for three model sizes and batches 1, 4, 16, 64.

const SCALING_MODEL = join(root, 'bench', '.models', 'gpt-25m');
const SCALING_VARIANTS = VARIANTS.filter((v) => v.key === 'ours' || v.key === 'ours/no-drafts' || v.engine === 'theirs');

async function scaling() {
  if (!existsSync(join(SCALING_MODEL, 'onnx', 'model_inplace.onnx'))) {
    console.log(`writing ${SCALING_MODEL} (random weights): /usr/bin/python3 bench/assets/make_scaling_model.py`);
    const made = spawnSync('/usr/bin/python3', [join(root, 'bench', 'assets', 'make_scaling_model.py')], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error('the scaling model could not be written: bench/assets/make_scaling_model.py needs /usr/bin/python3 with torch and onnx (see models/train/README.md)');
  }
  // --model and --batches (comma-separated) pick one row of the table, or a few.
  const models = args.model ? [resolve(args.model)] : [join(root, 'models', 'stepmath-policy'), join(root, 'models', 'stepmath-policy-4x'), SCALING_MODEL];
  const batches = args.batches ? args.batches.split(',').map(Number) : quick ? [1, 4] : [1, 4, 16, 64];
  const peak = await peakGflops();
  const table: string[][] = [['model', 'parameters', 'batch', 'ours', 'ours, no drafts', 'transformers.js 1 thread', `transformers.js ${THREADS} threads`, 'ours / best transformers.js', 'no drafts / best transformers.js', 'roofline, no drafts', 'roofline, drafts']];
  const json: Record<string, unknown>[] = [];
  for (const model of models) {
    const params = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')).num_parameters as number;
    measureInChild('check' as Engine, THREADS, 1, 0, { batch: 1, tokens: N, model }); // same tokens and logits as transformers.js, or it throws
    for (const batch of batches) {
      const runs = new Map<string, number[]>(SCALING_VARIANTS.map((v) => [v.key, []]));
      for (let r = 0; r < REPEATS; r++) {
        const order = [...SCALING_VARIANTS.slice(r % SCALING_VARIANTS.length), ...SCALING_VARIANTS.slice(0, r % SCALING_VARIANTS.length)];
        for (const v of order) runs.get(v.key)!.push(measureInChild(v.engine, v.threads, 1000 + r, v.draft, { batch, tokens: N, model }).tokS);
      }
      const med = (key: string) => median(runs.get(key)!);
      const best = Math.max(...SCALING_VARIANTS.filter((v) => v.engine === 'theirs').map((v) => med(v.key)));
      const roof = (tokS: number) => (2 * params * tokS) / 1e9 / peak.gflops;
      const name = model.split('/').slice(-1)[0];
      table.push([name, String(params), String(batch), fmt(med('ours')), fmt(med('ours/no-drafts')), fmt(med('theirs@1')), fmt(med(`theirs@${THREADS}`)), `${fmt(med('ours') / best, 2)}x`, `${fmt(med('ours/no-drafts') / best, 2)}x`, `${fmt(100 * roof(med('ours/no-drafts')), 1)}%`, `${fmt(100 * roof(med('ours')), 1)}%`]);
      json.push({ model: name, params, batch, ours_tok_s: med('ours'), no_drafts_tok_s: med('ours/no-drafts'), transformers_js_best_tok_s: best, ratio: med('ours') / best, ratio_no_drafts: med('ours/no-drafts') / best, roofline_no_drafts: roof(med('ours/no-drafts')) });
      console.log(table[table.length - 1].join(' | '));
    }
  }
  console.log('');
  console.log(`| ${table[0].join(' | ')} |`);
  console.log(`|${table[0].map((_, i) => (i < 1 ? '---' : '---:')).join('|')}|`);
  for (const row of table.slice(1)) console.log(`| ${row.join(' | ')} |`);
  console.log('');
  console.log(`tok/s, medians of ${REPEATS} repeats rotating which variant goes first, each run in a fresh process after ${WARMUPS} warm-up run(s); ${N} new tokens per row; ours ${THREADS} shards x 1 thread (one ${THREADS}-thread session from 10M parameters); peak matmul ${fmt(peak.gflops)} GFLOP/s (${peak.all}); roofline = 2 x params x tok/s / peak`);
  console.log(JSON.stringify({ scaling: json, peak_gflops: peak.gflops, new_tokens: N, repeats: REPEATS, threads: THREADS }));
}

(args.child ? child(args.child as Engine) : args.scaling ? scaling() : main()).catch(async (e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  try {
    await unload();
  } catch {
    // already failing
  }
  process.exit(1);
});
