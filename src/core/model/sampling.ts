import { Rng } from '../rng';

/**
 * Logits processors and a sampler, small and composable (as in transformers.js):
 * each processor rewrites the distribution, the sampler draws from it.
 */
export interface LogitsProcessor {
  apply(logits: Float32Array): Float32Array;
}

export class TemperatureWarper implements LogitsProcessor {
  constructor(private readonly temperature: number) {}
  apply(logits: Float32Array): Float32Array {
    if (this.temperature === 1) return logits;
    return logits.map((x) => x / this.temperature);
  }
}

/** Keeps the smallest set of tokens whose probability reaches p. */
export class TopPWarper implements LogitsProcessor {
  constructor(private readonly p: number) {}
  apply(logits: Float32Array): Float32Array {
    if (this.p >= 1) return logits;
    const probs = softmax(logits);
    const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]);
    const out = new Float32Array(logits.length).fill(-Infinity);
    let mass = 0;
    for (const i of order) {
      out[i] = logits[i];
      mass += probs[i];
      if (mass >= this.p) break;
    }
    return out;
  }
}

/** Forbids tokens (padding, begin-of-sequence) a continuation must never produce. */
export class SuppressTokens implements LogitsProcessor {
  constructor(private readonly ids: readonly number[]) {}
  apply(logits: Float32Array): Float32Array {
    const out = logits.slice();
    for (const id of this.ids) if (id >= 0 && id < out.length) out[id] = -Infinity;
    return out;
  }
}

export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const x of logits) if (x > max) max = x;
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export interface SamplingOptions {
  /** 0 means greedy (argmax). */
  temperature: number;
  topP: number;
  suppress: readonly number[];
}

/** Draws token ids with a seeded generator, so a seed reproduces a whole search. */
export class Sampler {
  private readonly processors: LogitsProcessor[];
  constructor(private readonly options: SamplingOptions, private readonly rng: Rng) {
    this.processors = [new SuppressTokens(options.suppress), new TemperatureWarper(options.temperature || 1), new TopPWarper(options.topP)];
  }

  sample(logits: Float32Array): number {
    let x = logits;
    if (this.options.temperature <= 0) return argmax(this.processors[0].apply(x));
    for (const p of this.processors) x = p.apply(x);
    const probs = softmax(x);
    let r = this.rng.next();
    for (let i = 0; i < probs.length; i++) {
      r -= probs[i];
      if (r <= 0) return i;
    }
    return argmax(probs);
  }
}
