import * as ort from 'onnxruntime-node';

/**
 * The key/value cache of one sequence, compact (no padding): per layer, keys and values
 * of shape [heads, length, headDim]. Immutable, so children of a node share it until a
 * batch is assembled, which copies it into their rows (the fork).
 */
export interface SequenceCache {
  readonly length: number;
  readonly keys: readonly Float32Array[];
  readonly values: readonly Float32Array[];
}

export interface CacheShape {
  numLayers: number;
  numHeads: number;
  headDim: number;
}

export function emptyCache(shape: CacheShape): SequenceCache {
  const none = Array.from({ length: shape.numLayers }, () => new Float32Array(0));
  return { length: 0, keys: none, values: none };
}

/** A batch's cache in one shard, in whichever form the graph keeps it (optimum's or in place). */
export interface ShardCache {
  /** Inputs for feeding `tokens[b]` (right-aligned to the longest, as outputs come back) after row b's cache. */
  feeds(tokens: readonly (readonly number[])[], padId: number): Record<string, ort.Tensor>;
  /** Takes in what the graph returned for those tokens. */
  advance(tokens: readonly (readonly number[])[], outputs: Record<string, ort.Tensor>): void;
  /** Drops the last `count` tokens fed to a row (rejected drafts). */
  discard(row: number, count: number): void;
  compactIfSparse(): void;
  /** The compact cache of one row, in shared memory so it crosses threads without a copy. */
  extract(row: number): SequenceCache;
  dispose(): void;
}

/**
 * A batch in flight: left-padded past tensors as the model returned them, plus which
 * columns of each row are real. Decoding token by token feeds `present` back as `past`
 * without copying; only assembling and extracting copy.
 */
export class BatchCache implements ShardCache {
  /** [rows][columns]: 1 for a real position, 0 for padding or a finished row's filler (int64, as the graph takes it). */
  readonly mask: BigInt64Array[];
  /** Next position id of each row (its count of real tokens). */
  readonly positions: number[];
  columns: number;
  past: ort.Tensor[];

  private constructor(readonly shape: CacheShape, mask: BigInt64Array[], positions: number[], columns: number, past: ort.Tensor[]) {
    this.mask = mask;
    this.positions = positions;
    this.columns = columns;
    this.past = past;
  }

  /** Copies each row's sequence cache into left-padded past tensors. */
  static assemble(shape: CacheShape, caches: readonly SequenceCache[]): BatchCache {
    const { numLayers, numHeads: H, headDim: D } = shape;
    const B = caches.length;
    const P = Math.max(0, ...caches.map((c) => c.length));
    const past: ort.Tensor[] = [];
    for (let layer = 0; layer < numLayers; layer++) {
      for (const which of ['keys', 'values'] as const) {
        const data = new Float32Array(B * H * P * D);
        caches.forEach((c, b) => {
          const src = c[which][layer];
          const offset = P - c.length;
          for (let h = 0; h < H; h++) data.set(src.subarray(h * c.length * D, (h + 1) * c.length * D), ((b * H + h) * P + offset) * D);
        });
        past.push(new ort.Tensor('float32', data, [B, H, P, D]));
      }
    }
    const mask = caches.map((c) => {
      const m = new BigInt64Array(P);
      m.fill(1n, P - c.length);
      return m;
    });
    return new BatchCache(shape, mask, caches.map((c) => c.length), P, past);
  }

  /** Inputs for feeding `tokens[b]` (left-padded to the longest) after the current past. */
  feeds(tokens: readonly (readonly number[])[], padId: number): Record<string, ort.Tensor> {
    const B = tokens.length;
    const T = Math.max(1, ...tokens.map((t) => t.length));
    const ids = new BigInt64Array(B * T).fill(BigInt(padId));
    const positions = new BigInt64Array(B * T);
    const mask = new BigInt64Array(B * (this.columns + T));
    for (let b = 0; b < B; b++) {
      mask.set(this.mask[b], b * (this.columns + T));
      const n = tokens[b].length;
      for (let t = 0; t < n; t++) {
        const col = T - n + t;
        ids[b * T + col] = BigInt(tokens[b][t]);
        positions[b * T + col] = BigInt(this.positions[b] + t);
        mask[b * (this.columns + T) + this.columns + col] = 1n;
      }
    }
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [B, T]),
      attention_mask: new ort.Tensor('int64', mask, [B, this.columns + T]),
      position_ids: new ort.Tensor('int64', positions, [B, T]),
    };
    for (let layer = 0; layer < this.shape.numLayers; layer++) {
      feeds[`past_key_values.${layer}.key`] = this.past[2 * layer];
      feeds[`past_key_values.${layer}.value`] = this.past[2 * layer + 1];
    }
    return feeds;
  }

  /** Takes the model's `present` outputs as the new past after feeding `tokens`. */
  advance(tokens: readonly (readonly number[])[], outputs: Record<string, ort.Tensor>): void {
    const T = Math.max(1, ...tokens.map((t) => t.length));
    const next: ort.Tensor[] = [];
    for (let layer = 0; layer < this.shape.numLayers; layer++) next.push(outputs[`present.${layer}.key`], outputs[`present.${layer}.value`]);
    for (const t of this.past) t.dispose?.();
    this.past = next;
    tokens.forEach((t, b) => {
      const grown = new BigInt64Array(this.columns + T);
      grown.set(this.mask[b]);
      grown.fill(1n, this.columns + T - t.length);
      this.mask[b] = grown;
      this.positions[b] += t.length;
    });
    this.columns += T;
  }

  /**
   * Drops the last `count` tokens fed to a row (rejected drafts): they are the row's last columns,
   * since fed tokens are right-aligned. Their columns stay, masked, until compactIfSparse.
   */
  discard(row: number, count: number): void {
    if (count > this.positions[row]) throw new RangeError(`row ${row} holds ${this.positions[row]} tokens, cannot drop ${count}`);
    let dropped = 0;
    for (let c = this.columns - 1; c >= 0 && dropped < count; c--) {
      if (this.mask[row][c]) {
        this.mask[row][c] = 0n;
        dropped++;
      }
    }
    this.positions[row] -= count;
  }

  /** Columns no row uses beyond the longest row's length before compactIfSparse copies the batch. */
  static readonly SPARSE_COLUMNS = 24;

  /** Re-lays the rows out without masked columns once enough have piled up (same contents, new layout). */
  compactIfSparse(): void {
    const longest = Math.max(0, ...this.positions);
    if (this.columns - longest < BatchCache.SPARSE_COLUMNS) return;
    const fresh = BatchCache.assemble(this.shape, this.positions.map((_, row) => this.extract(row)));
    this.dispose();
    this.past = fresh.past;
    this.mask.splice(0, this.mask.length, ...fresh.mask);
    this.columns = fresh.columns;
  }

  /** The compact cache of one row: only its real columns, in shared memory so it crosses threads without a copy. */
  extract(row: number): SequenceCache {
    const { numLayers, numHeads: H, headDim: D } = this.shape;
    const P = this.columns;
    const real: number[] = [];
    this.mask[row].forEach((m, c) => m && real.push(c));
    const L = real.length;
    const keys: Float32Array[] = [];
    const values: Float32Array[] = [];
    for (let layer = 0; layer < numLayers; layer++) {
      for (const [which, out] of [[2 * layer, keys], [2 * layer + 1, values]] as const) {
        const src = this.past[which].data as Float32Array;
        const dst = new Float32Array(new SharedArrayBuffer(H * L * D * Float32Array.BYTES_PER_ELEMENT));
        for (let h = 0; h < H; h++) {
          const base = (row * H + h) * P;
          for (let i = 0; i < L; i++) dst.set(src.subarray((base + real[i]) * D, (base + real[i] + 1) * D), (h * L + i) * D);
        }
        out.push(dst);
      }
    }
    return { length: L, keys, values };
  }

  dispose(): void {
    for (const t of this.past) t.dispose?.();
    this.past = [];
  }
}
