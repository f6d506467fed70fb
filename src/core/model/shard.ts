import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { BatchCache, type CacheShape, type SequenceCache, type ShardCache } from './kv-cache';
import { InPlaceCache } from './kv-cache-in-place';
import { ModelError } from './folder';
import { CancelledError, checkpoint } from '../cancel';
import { decodeRows, stepEnder, type DecodedRow, type DecodeRow, type DecodeRules, type DecodeTarget } from './decode';
import type { TextTokenizer } from './tokenizer';

/** Which output carries what we read: next-token logits (policy) or per-token scores (PRM). */
export type HeadOutput = 'logits' | 'scores';

/**
 * How a graph keeps its cache: `optimum`, past in and the whole present out (any model folder's
 * export); `in-place`, a buffer the graph only reads plus the new tokens' keys and values out
 * (models/train/export_inplace.py). Told apart by the graph's inputs (graphForm).
 */
export type GraphForm = 'optimum' | 'in-place';

/** The inputs each form needs besides the per-layer past_key_values.L.{key,value}. */
export const FORM_INPUTS: Record<GraphForm, readonly string[]> = {
  optimum: ['input_ids', 'attention_mask', 'position_ids'],
  'in-place': ['input_ids', 'position_ids', 'attention_bias'],
};

/** Which form a graph with these inputs has (in-place only when it takes an attention bias and no mask). */
export function graphForm(inputNames: readonly string[]): GraphForm {
  return inputNames.includes('attention_bias') && !inputNames.includes('attention_mask') ? 'in-place' : 'optimum';
}

/** What a shard needs to run the graph: the file, the head it reads and the cache layout. */
export interface ShardSpec {
  /** The model folder (a worker reads its tokenizer from it). */
  dir: string;
  onnxPath: string;
  head: HeadOutput;
  shape: CacheShape;
  padTokenId: number;
  form: GraphForm;
  maxPositions: number;
}

/** The head output of every fed position of a shard's rows, [rows, T, width]. */
export interface ShardOutput {
  values: Float32Array;
  T: number;
}

/** Each row's output at its last fed position, from a [rows, T, width] output. */
export function lastPositions(values: Float32Array, T: number, rows: number): Float32Array[] {
  const width = values.length / (rows * T);
  return Array.from({ length: rows }, (_, b) => values.slice((b * T + T - 1) * width, (b * T + T) * width));
}

/**
 * Runs some rows of a batch on one onnxruntime session. One shard runs in the caller's thread;
 * the others each in a worker, so the rows of one batch decode on several cores at once
 * (onnxruntime-node's run blocks its thread, and one session's intra-op threads help little at
 * these sizes). Batches are kept by the shard between calls and named by a number.
 */
export interface DecoderShard {
  assemble(batch: number, caches: readonly SequenceCache[]): void;
  run(batch: number, tokens: readonly (readonly number[])[]): Promise<ShardOutput>;
  /** Generates one step for every row of a batch (decodeRows), in the shard's own thread, with no message per token. */
  decode(batch: number, rows: readonly DecodeRow[], rules: DecodeRules, signal?: AbortSignal): Promise<DecodedRow[]>;
  extract(batch: number, row: number): Promise<SequenceCache>;
  dispose(batch: number): void;
  release(): Promise<void>;
}

export async function createSession(onnxPath: string, threads = 1): Promise<ort.InferenceSession> {
  try {
    // One intra-op thread per session: parallelism comes from shards (see DecoderShard); a large
    // model runs as one session with every core instead (OnnxDecoder.load).
    return await ort.InferenceSession.create(readFileSync(onnxPath), { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  } catch (e) {
    throw new ModelError(`${onnxPath} cannot be loaded as an ONNX graph (${(e as Error).message.split('\n')[0]})`);
  }
}

/** The shard in this thread: a session and the batches it holds. Workers run one of these too. */
export class LocalShard implements DecoderShard {
  private readonly batches = new Map<number, ShardCache>();
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly spec: ShardSpec,
    private readonly tokenizer: TextTokenizer,
  ) {}

  assemble(batch: number, caches: readonly SequenceCache[]): void {
    const { shape, form, maxPositions } = this.spec;
    this.batches.set(batch, form === 'in-place' ? InPlaceCache.assemble(shape, caches, maxPositions) : BatchCache.assemble(shape, caches));
  }

  async run(batch: number, tokens: readonly (readonly number[])[]): Promise<ShardOutput> {
    const cache = this.batch(batch);
    const outputs = await this.session.run(cache.feeds(tokens, this.spec.padTokenId));
    cache.advance(tokens, outputs);
    return { values: outputs[this.spec.head].data as Float32Array, T: Math.max(1, ...tokens.map((t) => t.length)) };
  }

  decode(batch: number, rows: readonly DecodeRow[], rules: DecodeRules, signal?: AbortSignal): Promise<DecodedRow[]> {
    return this.decodeWith(batch, rows, rules, () => checkpoint(signal));
  }

  /** `checkpoint` is how this thread notices a cancel between forward passes. */
  decodeWith(batch: number, rows: readonly DecodeRow[], rules: DecodeRules, checkpoint: () => Promise<void>): Promise<DecodedRow[]> {
    const cache = this.batch(batch);
    const target: DecodeTarget = {
      step: async (tokens) => {
        // Rejected drafts leave unused columns behind; past a point they cost more than a copy.
        cache.compactIfSparse();
        const { values, T } = await this.run(batch, tokens);
        const width = values.length / (tokens.length * T);
        return tokens.map((fed, b) => fed.map((_, i) => values.slice((b * T + T - fed.length + i) * width, (b * T + T - fed.length + i + 1) * width)));
      },
      discard: (row, count) => cache.discard(row, count),
    };
    return decodeRows(rows, rules, stepEnder(this.tokenizer, rules.stops), target, checkpoint);
  }

  async extract(batch: number, row: number): Promise<SequenceCache> {
    return this.batch(batch).extract(row);
  }

  dispose(batch: number): void {
    this.batches.get(batch)?.dispose();
    this.batches.delete(batch);
  }

  async release(): Promise<void> {
    for (const b of this.batches.values()) b.dispose();
    this.batches.clear();
    await this.session.release();
  }

  private batch(id: number): ShardCache {
    const b = this.batches.get(id);
    if (!b) throw new ModelError(`no batch ${id} on this shard`);
    return b;
  }
}

/** Messages to a shard worker; every call but assemble and dispose is answered by id. */
export type ShardRequest =
  | { type: 'assemble'; batch: number; caches: readonly SequenceCache[] }
  | { type: 'run'; id: number; batch: number; tokens: readonly (readonly number[])[] }
  | { type: 'decode'; id: number; batch: number; rows: readonly DecodeRow[]; rules: DecodeRules; cancel: Int32Array }
  | { type: 'extract'; id: number; batch: number; row: number }
  | { type: 'dispose'; batch: number };
export type ShardReply = { type: 'ready' } | { type: 'loadError'; message: string } | { id: number; result: ShardOutput | SequenceCache | DecodedRow[] } | { id: number; error: string; cancelled: boolean };

/** A shard in a worker thread (decoder-shard.ts). Caches cross as SharedArrayBuffer views, so without copies. */
export class WorkerShard implements DecoderShard {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: ShardReply) => {
      if (!('id' in m)) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if ('error' in m) p?.reject(m.cancelled ? new CancelledError() : new ModelError(m.error));
      else p?.resolve(m.result as never);
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    worker.on('error', (e: unknown) => fail(new ModelError(`a decoding worker failed: ${(e as Error).message}`)));
    worker.on('exit', () => fail(new ModelError('a decoding worker stopped')));
  }

  static async start(script: string, spec: ShardSpec): Promise<WorkerShard> {
    const worker = new Worker(script, { workerData: spec });
    const first = await new Promise<ShardReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }).catch((e: unknown) => ({ type: 'loadError', message: (e as Error).message }) as ShardReply);
    if ('type' in first && first.type === 'loadError') {
      await worker.terminate();
      throw new ModelError(first.message);
    }
    return new WorkerShard(worker);
  }

  assemble(batch: number, caches: readonly SequenceCache[]): void {
    this.post({ type: 'assemble', batch, caches });
  }

  run(batch: number, tokens: readonly (readonly number[])[]): Promise<ShardOutput> {
    return this.call((id) => ({ type: 'run', id, batch, tokens }));
  }

  /** A cancel reaches the worker through shared memory, which its loop reads before every forward pass. */
  async decode(batch: number, rows: readonly DecodeRow[], rules: DecodeRules, signal?: AbortSignal): Promise<DecodedRow[]> {
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const onAbort = () => Atomics.store(cancel, 0, 1);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort);
    try {
      return await this.call((id) => ({ type: 'decode', id, batch, rows, rules, cancel }));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  extract(batch: number, row: number): Promise<SequenceCache> {
    return this.call((id) => ({ type: 'extract', id, batch, row }));
  }

  dispose(batch: number): void {
    if (!this.failure) this.post({ type: 'dispose', batch });
  }

  async release(): Promise<void> {
    this.failure ??= new ModelError('the model was released');
    await this.worker.terminate();
  }

  private post(m: ShardRequest): void {
    this.worker.postMessage(m);
  }

  private call<T>(message: (id: number) => ShardRequest): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: never) => void, reject });
      this.post(message(id));
    });
  }
}
