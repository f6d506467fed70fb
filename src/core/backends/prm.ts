import type { SequenceCache } from '../model/kv-cache';
import type { OnnxDecoder } from '../model/onnx-decoder';
import { checkpoint } from '../cancel';

/** A process reward model the search can drive: local ONNX here, a remote endpoint in remote-prm.ts. */
export interface RewardBackend<S = unknown> {
  readonly name: string;
  readonly parameters: number;
  start(problem: string, signal?: AbortSignal): Promise<S>;
  /** Score of each new step given its parent's prefix, and the state after it. */
  score(parents: readonly S[], steps: readonly string[], signal?: AbortSignal): Promise<{ score: number; state: S }[]>;
  readonly tokensProcessed: number;
  dispose(): Promise<void>;
}

/**
 * Local PRM: the step score is the sigmoid head at the step's newline (Math-Shepherd convention).
 * Each node keeps its prefix cache, so a new step costs only its own tokens.
 */
export class LocalPrm implements RewardBackend<SequenceCache> {
  readonly name: string;
  constructor(readonly model: OnnxDecoder) {
    this.name = model.config.dir;
  }
  get parameters(): number {
    return this.model.config.numParameters;
  }
  get tokensProcessed(): number {
    return this.model.tokensProcessed;
  }

  async start(problem: string): Promise<SequenceCache> {
    const ids = this.model.tokenizer.promptIds(problem);
    return (await this.model.prefill(ids)).cache;
  }

  async score(parents: readonly SequenceCache[], steps: readonly string[], signal?: AbortSignal): Promise<{ score: number; state: SequenceCache }[]> {
    // Yield first, so a cancel that arrived during decoding stops the search before scoring.
    await checkpoint(signal);
    if (!parents.length) return [];
    const batch = this.model.assemble(parents);
    try {
      // A step the policy cut off at the context limit is scored on what still fits.
      const tokens = steps.map((s, i) => this.model.tokenizer.encode(`${s}${this.model.config.stepSeparator}`).slice(0, Math.max(1, this.model.config.maxPositions - parents[i].length)));
      const fits = tokens.map((t, i) => parents[i].length + t.length <= this.model.config.maxPositions);
      const scores = await this.model.step(batch, tokens.map((t, i) => (fits[i] ? t : [])));
      return await Promise.all(scores.map(async (s, b) => ({ score: fits[b] ? s[0] : 0, state: fits[b] ? await batch.extract(b) : parents[b] })));
    } finally {
      batch.dispose();
    }
  }

  /** Scores of every step of full solutions in one pass each (hover, verify): batch of one prompt + all steps. */
  async scoreSolution(problem: string, steps: readonly string[]): Promise<number[]> {
    const ids = this.model.tokenizer.promptIds(problem);
    // Each step's score is read where its own encoding (text + separator) ends.
    const ends: number[] = [];
    for (const s of steps) {
      ids.push(...this.model.tokenizer.encode(`${s}${this.model.config.stepSeparator}`));
      ends.push(ids.length - 1);
    }
    const batch = this.model.assemble([this.model.emptyCache()]);
    try {
      const { values } = await this.model.run(batch, [ids]);
      return ends.map((i) => values[i]);
    } finally {
      batch.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.model.release();
  }
}
