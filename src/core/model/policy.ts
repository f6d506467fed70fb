import type { Rng } from '../domain/rng';
import type { SequenceCache } from './kv-cache';
import { Sampler, type SamplingOptions } from './sampling';
import type { OnnxDecoder } from './session';
import { checkpoint } from '../cancel';
import { BadInputError } from '../input';

/** Room a prompt must leave in the context for at least a short solution. */
const MIN_SOLUTION_TOKENS = 32;

/** Where a sequence stands after a step: its cache and the logits for what comes next. */
export interface LocalPolicyState {
  cache: SequenceCache;
  nextLogits: Float32Array;
}

/** One generated step: its text (no trailing newline) and how it ended. */
export interface StepDraft<S> {
  text: string;
  tokens: number;
  ended: 'newline' | 'eos' | 'step-limit' | 'context-limit';
  state: S | null;
}

/** A policy the search can drive: local ONNX here, a remote server in core/remote. */
export interface PolicyBackend<S = unknown> {
  readonly name: string;
  readonly parameters: number;
  start(problem: string, signal?: AbortSignal): Promise<S>;
  /** One next step for each entry of `parents` (repeat a parent to get several children). */
  extend(parents: readonly S[], sampling: SamplingOptions, rng: Rng, signal?: AbortSignal): Promise<StepDraft<S>[]>;
  /** Forward-pass tokens so far (prompt and generated), for FLOPs. */
  readonly tokensProcessed: number;
  dispose(): Promise<void>;
}

/** Batched incremental decoding: every row of a batch advances one token per forward pass. */
export class LocalPolicy implements PolicyBackend<LocalPolicyState> {
  readonly name: string;
  constructor(
    readonly model: OnnxDecoder,
    private readonly maxStepTokens = 96,
  ) {
    this.name = model.config.dir;
  }

  get parameters(): number {
    return this.model.config.numParameters;
  }
  get tokensProcessed(): number {
    return this.model.tokensProcessed;
  }

  async start(problem: string): Promise<LocalPolicyState> {
    const ids = this.model.tokenizer.promptIds(problem);
    // The problem must leave room for a solution: too long is the input's fault, not the model's.
    const limit = this.model.config.maxPositions - MIN_SOLUTION_TOKENS;
    if (ids.length > limit) throw new BadInputError(`the problem is ${ids.length} tokens long; this model reads at most ${limit} before its solution`);
    const batch = this.model.assemble([this.model.emptyCache()]);
    try {
      const [logits] = await this.model.step(batch, [ids]);
      return { cache: batch.extract(0), nextLogits: logits };
    } finally {
      batch.dispose();
    }
  }

  async extend(parents: readonly LocalPolicyState[], sampling: SamplingOptions, rng: Rng, signal?: AbortSignal): Promise<StepDraft<LocalPolicyState>[]> {
    const { eosTokenIds, padTokenId, bosTokenId, maxPositions, stepSeparator } = this.model.config;
    const { tokenizer } = this.model;
    // A separator that is one token ("\n" for our models) is matched by id; a longer one ("\n\n" in a BPE vocabulary) by text.
    const sepIds = tokenizer.encode(stepSeparator);
    const separatorId = sepIds.length === 1 && tokenizer.piece(sepIds[0]) === stepSeparator ? sepIds[0] : -1;
    const endsStep = (ids: readonly number[]) => (separatorId >= 0 ? ids[ids.length - 1] === separatorId : tokenizer.decode(ids.slice(-8)).includes(stepSeparator));
    const sampler = new Sampler({ ...sampling, suppress: [padTokenId, bosTokenId, ...sampling.suppress] }, rng);
    const rows = parents.map((p) => ({ ids: [] as number[], ended: null as StepDraft<unknown>['ended'] | null, logits: p.nextLogits, length: p.cache.length }));
    const batch = this.model.assemble(parents.map((p) => p.cache));
    try {
      let feed = rows.map((r) => [sampler.sample(r.logits)]);
      for (;;) {
        await checkpoint(signal);
        feed.forEach((f, b) => {
          const row = rows[b];
          if (!f.length) return;
          row.ids.push(f[0]);
          row.length++;
          if (endsStep(row.ids)) row.ended = 'newline';
          else if (eosTokenIds.includes(f[0])) row.ended = 'eos';
          else if (row.ids.length >= this.maxStepTokens) row.ended = 'step-limit';
          else if (row.length >= maxPositions) row.ended = 'context-limit';
        });
        // The stop token is fed too, so the cache covers the whole step.
        const logits = await this.model.step(batch, feed);
        const next: number[][] = rows.map(() => []);
        rows.forEach((row, b) => {
          if (!feed[b].length) return;
          row.logits = logits[b];
          if (!row.ended) next[b] = [sampler.sample(row.logits)];
        });
        if (next.every((n) => !n.length)) break;
        feed = next;
      }
      return rows.map((row, b) => {
        const resumable = row.ended === 'newline';
        let text: string;
        if (separatorId >= 0 || !resumable) text = tokenizer.decode(row.ended === 'newline' || row.ended === 'eos' ? row.ids.slice(0, -1) : row.ids);
        else {
          const full = tokenizer.decode(row.ids);
          text = full.slice(0, full.indexOf(stepSeparator));
        }
        return {
          text,
          tokens: row.ids.length,
          ended: row.ended!,
          state: resumable ? { cache: batch.extract(b), nextLogits: row.logits } : null,
        };
      });
    } finally {
      batch.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.model.release();
  }
}

