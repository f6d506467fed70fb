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

/**
 * Steps already drawn below one parent, as a trie of token ids: `used` is the share of the
 * policy's probability (given the path to this node) that the drawn steps through it cover; a
 * drawn step's last node has used 1. Plain data, so it crosses to a shard worker.
 */
export interface DrawnSteps {
  used: number;
  next: { [id: number]: DrawnSteps };
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

  /**
   * Like `sample`, but each token's probability is scaled by the share of it that `drawn` has not
   * used yet, so a whole step drawn before is never drawn again (sampling without replacement,
   * Shi et al. 2020, UniqueRandomizer). Returns the token and its probability before that scaling
   * (greedy: at temperature 1), which is what the trie's shares are made of.
   */
  sampleUnseen(logits: Float32Array, drawn: DrawnSteps | null): { id: number; prob: number } {
    const greedy = this.options.temperature <= 0;
    let x = this.processors[0].apply(logits);
    if (!greedy) for (const p of this.processors.slice(1)) x = p.apply(x);
    const probs = softmax(x);
    const weights = drawn ? probs.map((q, i) => q * (1 - (drawn.next[i]?.used ?? 0))) : probs;
    let total = 0;
    for (const w of weights) total += w;
    // Nothing left unseen (the caller asks no more of a spent parent): draw as usual.
    const from = total > 0 ? weights : probs;
    let id: number;
    if (greedy) id = argmax(from);
    else {
      let r = this.rng.next() * (total > 0 ? total : 1);
      id = -1;
      for (let i = 0; i < from.length && id < 0; i++) if ((r -= from[i]) <= 0) id = i;
      if (id < 0) id = argmax(from);
    }
    return { id, prob: probs[id] };
  }
}

/**
 * Adds a drawn step (its token ids and each one's probability from `sampleUnseen`) to the trie,
 * and updates the shares on its path: a node's share is the sum over its children of the child's
 * probability times the child's share.
 */
export function addDrawnStep(root: DrawnSteps, ids: readonly number[], probs: readonly number[]): void {
  const path: { node: DrawnSteps; prob: number; child: DrawnSteps }[] = [];
  let node = root;
  for (let k = 0; k < ids.length; k++) {
    const child = (node.next[ids[k]] ??= { used: 0, next: {} });
    path.push({ node, prob: probs[k], child });
    node = child;
  }
  const gained = 1 - node.used;
  node.used = 1;
  // Each ancestor gains the leaf's new share, weighted by the probabilities on the way down.
  let weight = gained;
  for (let k = path.length - 1; k >= 0; k--) {
    weight *= path[k].prob;
    path[k].node.used = Math.min(1, path[k].node.used + weight);
  }
}
