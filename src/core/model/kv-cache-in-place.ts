import * as ort from 'onnxruntime-node';
import type { CacheShape, SequenceCache, ShardCache } from './kv-cache';

/** Masked attention logit: large and finite, as in the optimum-form graphs (a fully masked row stays finite). */
const MASKED = -1e9;
/** Capacity grows in steps of this many columns: each growth copies the batch once. */
const GROWTH = 32;

/**
 * A batch's cache for the in-place graph form (models/train/export_inplace.py): per layer one
 * buffer [rows, heads, capacity, headDim] that the graph reads where it lies (fed without a copy)
 * and returns only the new tokens' keys and values, which are written into each row's next columns.
 * Rows are right-padded: row b's tokens fill columns [0, length_b). So nothing copies the cache
 * per token; dropping rejected drafts only shortens a row, and the slots are overwritten later.
 */
export class InPlaceCache implements ShardCache {
  readonly positions: number[];
  private capacity: number;
  private buffers: Float32Array[];

  private constructor(readonly shape: CacheShape, positions: number[], capacity: number, buffers: Float32Array[], private readonly maxPositions: number) {
    this.positions = positions;
    this.capacity = capacity;
    this.buffers = buffers;
  }

  static assemble(shape: CacheShape, caches: readonly SequenceCache[], maxPositions: number): InPlaceCache {
    const lengths = caches.map((c) => c.length);
    const capacity = InPlaceCache.capacityFor(Math.max(0, ...lengths) + 1, maxPositions);
    const { numLayers, numHeads: H, headDim: D } = shape;
    const buffers: Float32Array[] = [];
    for (let layer = 0; layer < numLayers; layer++) {
      for (const which of ['keys', 'values'] as const) {
        const data = new Float32Array(caches.length * H * capacity * D);
        caches.forEach((c, b) => {
          const src = c[which][layer];
          for (let h = 0; h < H; h++) data.set(src.subarray(h * c.length * D, (h + 1) * c.length * D), (b * H + h) * capacity * D);
        });
        buffers.push(data);
      }
    }
    return new InPlaceCache(shape, lengths, capacity, buffers, maxPositions);
  }

  private static capacityFor(needed: number, maxPositions: number): number {
    return Math.max(needed, Math.min(maxPositions, Math.ceil(needed / GROWTH) * GROWTH));
  }

  /**
   * Inputs for feeding `tokens[b]` after row b's cache. Fed tokens are right-aligned in the
   * step (as the optimum form's left padding has them), so callers read outputs the same way;
   * a padding slot attends only to itself and no real token attends to it.
   */
  feeds(tokens: readonly (readonly number[])[], padId: number): Record<string, ort.Tensor> {
    const B = tokens.length;
    const T = Math.max(1, ...tokens.map((t) => t.length));
    const { capacity: C } = this;
    const width = C + T;
    const ids = new BigInt64Array(B * T).fill(BigInt(padId));
    const positions = new BigInt64Array(B * T);
    const bias = new Float32Array(B * T * width).fill(MASKED);
    for (let b = 0; b < B; b++) {
      const n = tokens[b].length;
      const length = this.positions[b];
      for (let q = 0; q < T; q++) {
        const row = (b * T + q) * width;
        const real = q >= T - n;
        if (real) {
          const t = q - (T - n);
          ids[b * T + q] = BigInt(tokens[b][t]);
          positions[b * T + q] = BigInt(length + t);
          bias.fill(0, row, row + length); // the row's cache
          bias.fill(0, row + C + T - n, row + C + q + 1); // its fed tokens up to this one
        } else {
          bias[row + C + q] = 0;
        }
      }
    }
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [B, T]),
      position_ids: new ort.Tensor('int64', positions, [B, T]),
      attention_bias: new ort.Tensor('float32', bias, [B, 1, T, width]),
    };
    const dims = [B, this.shape.numHeads, C, this.shape.headDim];
    for (let layer = 0; layer < this.shape.numLayers; layer++) {
      feeds[`past_key_values.${layer}.key`] = new ort.Tensor('float32', this.buffers[2 * layer], dims);
      feeds[`past_key_values.${layer}.value`] = new ort.Tensor('float32', this.buffers[2 * layer + 1], dims);
    }
    return feeds;
  }

  /** Writes the fed tokens' keys and values after each row's cache (growing the buffers first if they would not fit). */
  advance(tokens: readonly (readonly number[])[], outputs: Record<string, ort.Tensor>): void {
    const T = Math.max(1, ...tokens.map((t) => t.length));
    const needed = Math.max(...tokens.map((t, b) => this.positions[b] + t.length));
    if (needed > this.capacity) this.relayout(InPlaceCache.capacityFor(needed + 1, this.maxPositions));
    const { numLayers, numHeads: H, headDim: D } = this.shape;
    const C = this.capacity;
    for (let layer = 0; layer < numLayers; layer++) {
      for (const [i, which] of [[0, 'key'], [1, 'value']] as const) {
        const fresh = outputs[`new_key_values.${layer}.${which}`].data as Float32Array;
        const dst = this.buffers[2 * layer + i];
        tokens.forEach((t, b) => {
          if (!t.length) return;
          for (let h = 0; h < H; h++) {
            const src = ((b * H + h) * T + T - t.length) * D;
            dst.set(fresh.subarray(src, src + t.length * D), ((b * H + h) * C + this.positions[b]) * D);
          }
        });
      }
    }
    tokens.forEach((t, b) => (this.positions[b] += t.length));
  }

  discard(row: number, count: number): void {
    if (count > this.positions[row]) throw new RangeError(`row ${row} holds ${this.positions[row]} tokens, cannot drop ${count}`);
    this.positions[row] -= count;
  }

  /** Nothing piles up in this form: a discarded slot is simply written again. */
  compactIfSparse(): void {}

  extract(row: number): SequenceCache {
    const { numLayers, numHeads: H, headDim: D } = this.shape;
    const L = this.positions[row];
    const C = this.capacity;
    const keys: Float32Array[] = [];
    const values: Float32Array[] = [];
    for (let layer = 0; layer < numLayers; layer++) {
      for (const [i, out] of [[0, keys], [1, values]] as const) {
        const src = this.buffers[2 * layer + i];
        const dst = new Float32Array(new SharedArrayBuffer(H * L * D * Float32Array.BYTES_PER_ELEMENT));
        for (let h = 0; h < H; h++) dst.set(src.subarray((row * H + h) * C * D, ((row * H + h) * C + L) * D), h * L * D);
        out.push(dst);
      }
    }
    return { length: L, keys, values };
  }

  dispose(): void {
    this.buffers = [];
  }

  private relayout(capacity: number): void {
    const { numHeads: H, headDim: D } = this.shape;
    const rows = this.positions.length * H;
    const old = this.capacity;
    this.buffers = this.buffers.map((src) => {
      const dst = new Float32Array(rows * capacity * D);
      for (let r = 0; r < rows; r++) dst.set(src.subarray(r * old * D, (r + 1) * old * D), r * capacity * D);
      return dst;
    });
    this.capacity = capacity;
  }
}
