import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { emptyCache, type SequenceCache } from './kv-cache';
import { ModelError, readModelFolder, type ModelConfig } from './folder';
import { TextTokenizer } from './tokenizer';
import { FORM_INPUTS, LocalShard, WorkerShard, createSession, graphForm, lastPositions, type DecoderShard, type GraphForm, type HeadOutput, type ShardSpec } from './shard';
import type { DecodedRow, DecodeRow, DecodeRules } from './decode';

export type { HeadOutput } from './shard';

export interface SessionOptions {
  /** CPU threads (0: one per core): the rows of a batch are split over this many shards, or a large model's one session uses them all. */
  threads?: number;
  /** Load onnx/model.onnx even where the folder also has the in-place form (the bench's baseline). */
  optimumOnly?: boolean;
}

/**
 * A shard's rows times the model's parameters below which a split costs more in messages than it
 * gains: 4 rows of the 0.8M-parameter policy; a 3M model splits from 1 row per shard (bench:scaling).
 */
const MIN_SHARD_WORK = 3.2e6;
/** More shards than this only add messages at the batch sizes a search runs. */
const MAX_SHARDS = 8;
/**
 * From this size on a model runs as one session with an intra-op thread per core instead of shards:
 * measured on the 25M-parameter scaling model at batches 1-64 (bench/README.md, "One session for
 * large models"); the bundled 0.8M and 3.2M models are faster in shards.
 */
const ONE_SESSION_MIN_PARAMETERS = 10e6;

/** The bundled worker next to the bundle (dist/), or the TypeScript source when run through tsx. */
const SHARD_SCRIPT = ['decoder-shard.js', 'decoder-shard.ts'].map((f) => join(__dirname, f)).find((f) => existsSync(f)) ?? join(__dirname, 'decoder-shard.js');

/** Rows [start, end) of a batch, held by one shard under the batch's number. */
interface RowGroup {
  shard: DecoderShard;
  start: number;
  end: number;
}

/**
 * A batch in flight, its rows split into contiguous groups over the shards. Only the row
 * positions live here; the caches live in the shards until extracted.
 */
export class DecodeBatch {
  constructor(
    readonly id: number,
    readonly groups: readonly RowGroup[],
    /** Next position id of each row (its count of real tokens). */
    readonly positions: number[],
  ) {}

  /** The compact cache of one row (the fork point of its children). */
  extract(row: number): Promise<SequenceCache> {
    const g = this.groups.find((x) => row >= x.start && row < x.end);
    if (!g) throw new RangeError(`row ${row} is not in this batch of ${this.positions.length}`);
    return g.shard.extract(this.id, row - g.start);
  }

  dispose(): void {
    for (const g of this.groups) g.shard.dispose(this.id);
  }
}

/**
 * One decoder-only ONNX graph with KV cache (optimum I/O names), its config and tokenizer.
 * Both the policy and the PRM are one of these; they differ only in the head output.
 */
export class OnnxDecoder {
  /** Forward-pass tokens since load, for FLOPs accounting. */
  tokensProcessed = 0;
  private nextBatch = 0;

  private constructor(
    readonly config: ModelConfig,
    readonly tokenizer: TextTokenizer,
    /** shards[0] runs in this thread; the rest in workers. */
    private readonly shards: readonly DecoderShard[],
    readonly head: HeadOutput,
    /** How the loaded graph keeps its cache (see GraphForm). */
    readonly form: GraphForm,
  ) {}

  static async load(dir: string, head: HeadOutput, options: SessionOptions = {}): Promise<OnnxDecoder> {
    const folder = readModelFolder(dir);
    // The in-place form decodes faster; a folder may carry it beside the optimum-layout graph.
    const config = folder.inPlaceOnnxPath && !options.optimumOnly ? { ...folder, onnxPath: folder.inPlaceOnnxPath } : folder;
    const tokenizer = new TextTokenizer(config);
    const cores = Math.min(MAX_SHARDS, options.threads || availableParallelism());
    // A shard's session streams all the weights every pass: for a large model one session on every
    // core, which reads them once, beats shards at every batch (bench:scaling, 25M parameters).
    const oneSession = config.numParameters >= ONE_SESSION_MIN_PARAMETERS;
    const session = await createSession(config.onnxPath, oneSession ? cores : 1);
    const form = graphForm(session.inputNames);
    const needed = [...FORM_INPUTS[form]];
    const outputs: string[] = [head];
    for (let i = 0; i < config.numLayers; i++) {
      needed.push(`past_key_values.${i}.key`, `past_key_values.${i}.value`);
      if (form === 'in-place') outputs.push(`new_key_values.${i}.key`, `new_key_values.${i}.value`);
    }
    const missing = needed.filter((n) => !session.inputNames.includes(n));
    const missingOut = outputs.filter((n) => !session.outputNames.includes(n));
    if (missing.length || missingOut.length) await session.release();
    if (missing.length) throw new ModelError(`${config.onnxPath} lacks the inputs ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''} (found ${session.inputNames.slice(0, 4).join(', ')})`);
    if (missingOut.length) throw new ModelError(`${config.onnxPath} has no "${missingOut[0]}" output (found ${session.outputNames.slice(0, 3).join(', ')})`);
    const { numLayers, numHeads, headDim, padTokenId, maxPositions } = config;
    const spec: ShardSpec = { dir, onnxPath: config.onnxPath, head, shape: { numLayers, numHeads, headDim }, padTokenId, form, maxPositions };
    const workers = await Promise.allSettled(Array.from({ length: oneSession ? 0 : cores - 1 }, () => WorkerShard.start(SHARD_SCRIPT, spec)));
    const failed = workers.find((w) => w.status === 'rejected');
    if (failed) {
      await Promise.all([session.release(), ...workers.map((w) => (w.status === 'fulfilled' ? w.value.release() : undefined))]);
      throw failed.reason;
    }
    const started = workers.map((w) => (w as PromiseFulfilledResult<WorkerShard>).value);
    return new OnnxDecoder(config, tokenizer, [new LocalShard(session, spec, tokenizer), ...started], head, form);
  }

  get shape() {
    return this.config;
  }

  /** How many shards decode side by side (1 + worker threads). */
  get shardCount(): number {
    return this.shards.length;
  }

  emptyCache(): SequenceCache {
    return emptyCache(this.config);
  }

  /** Copies each row's cache into a new batch (the fork), rows split over as many shards as pay. */
  assemble(caches: readonly SequenceCache[]): DecodeBatch {
    const minRows = Math.max(1, Math.round(MIN_SHARD_WORK / this.config.numParameters));
    const used = Math.max(1, Math.min(this.shards.length, Math.floor(caches.length / minRows)));
    const id = this.nextBatch++;
    const groups: RowGroup[] = [];
    for (let s = 0; s < used; s++) {
      const start = Math.round((s * caches.length) / used);
      const end = Math.round(((s + 1) * caches.length) / used);
      this.shards[s].assemble(id, caches.slice(start, end));
      groups.push({ shard: this.shards[s], start, end });
    }
    return new DecodeBatch(id, groups, caches.map((c) => c.length));
  }

  /**
   * Feeds tokens[b] to row b after its past (rows with no tokens idle) and advances the cache.
   * Returns the head output of every position, [rows, T, width], T the longest row (left-padded).
   */
  async run(batch: DecodeBatch, tokens: readonly (readonly number[])[]): Promise<{ values: Float32Array; T: number; width: number }> {
    tokens.forEach((t, b) => {
      const length = batch.positions[b] + t.length;
      if (length > this.config.maxPositions) throw new ModelError(`a sequence of ${length} tokens is longer than the model's limit of ${this.config.maxPositions}`);
    });
    const outputs = await Promise.all(batch.groups.map((g) => g.shard.run(batch.id, tokens.slice(g.start, g.end))));
    tokens.forEach((t, b) => (batch.positions[b] += t.length));
    this.tokensProcessed += tokens.reduce((n, t) => n + t.length, 0);
    const width = this.head === 'logits' ? this.config.vocabSize : 1;
    const T = Math.max(1, ...tokens.map((t) => t.length));
    if (outputs.length === 1) return { values: outputs[0].values, T, width };
    // Each shard left-pads to its own longest row; lay the rows out as one batch padded to T.
    const values = new Float32Array(tokens.length * T * width);
    batch.groups.forEach((g, i) => {
      const { values: part, T: partT } = outputs[i];
      for (let r = 0; r < g.end - g.start; r++) values.set(part.subarray(r * partT * width, (r + 1) * partT * width), ((g.start + r) * T + T - partT) * width);
    });
    return { values, T, width };
  }

  /** Feeds `ids` to a fresh sequence: its cache and the head output at the last position. */
  async prefill(ids: readonly number[]): Promise<{ cache: SequenceCache; last: Float32Array }> {
    const batch = this.assemble([this.emptyCache()]);
    try {
      const [last] = await this.step(batch, [ids]);
      return { cache: await batch.extract(0), last };
    } finally {
      batch.dispose();
    }
  }

  /** Like run, but returns only each row's output at its last fed position (logits [vocab] or [score]). */
  async step(batch: DecodeBatch, tokens: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const { values, T } = await this.run(batch, tokens);
    return lastPositions(values, T, tokens.length);
  }

  /**
   * Generates one step for every row (see decodeRows). Each shard runs the loop over its own rows
   * in its own thread, side by side, so the shards exchange no message per token.
   */
  async decode(batch: DecodeBatch, rows: readonly DecodeRow[], rules: DecodeRules, signal?: AbortSignal): Promise<DecodedRow[]> {
    const parts = await Promise.all(batch.groups.map((g) => g.shard.decode(batch.id, rows.slice(g.start, g.end), rules, signal)));
    const decoded = parts.flat();
    decoded.forEach((d, b) => (batch.positions[b] += d.ids.length));
    this.tokensProcessed += decoded.reduce((n, d) => n + d.ids.length, 0);
    return decoded;
  }

  async release(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.release()));
  }
}
