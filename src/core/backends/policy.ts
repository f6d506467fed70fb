import type { Rng } from '../rng';
import type { SequenceCache } from '../model/kv-cache';
import { addDrawnStep, type DrawnSteps, type SamplingOptions } from '../model/sampling';
import type { DecodeRules, StepEnd } from '../model/decode';
import type { OnnxDecoder } from '../model/onnx-decoder';
import { BadInputError } from '../input';

/** Room a prompt must leave in the context for at least a short solution. */
const MIN_SOLUTION_TOKENS = 32;
/** Guessed tokens fed beside each sampled one (DecodeRules.draftTokens): measured best on solves, see bench/README.md. */
export const DRAFT_TOKENS = 2;
/**
 * Drafts pay only while a forward pass costs about the same for one token per row as for three,
 * i.e. while a model is small enough to be bound by per-pass overhead; on a 25M-parameter model
 * they cost 11-43% of the speed (bench:scaling), so larger models decode one token per pass.
 */
const DRAFT_MAX_PARAMETERS = 10e6;
export const draftTokensFor = (numParameters: number): number => (numParameters <= DRAFT_MAX_PARAMETERS ? DRAFT_TOKENS : 0);

/** Where a sequence stands after a step: its cache and the logits for what comes next. */
export interface LocalPolicyState {
  cache: SequenceCache;
  nextLogits: Float32Array;
  /** The ids the cache holds, where the decoder looks up its drafts. */
  ids: readonly number[];
}

/** One generated step: its text (no trailing newline) and how it ended. */
export interface StepDraft<S> {
  text: string;
  tokens: number;
  ended: StepEnd;
  state: S | null;
}

/** A policy the search can drive: local ONNX here, a remote server in remote-policy.ts. */
export interface PolicyBackend<S = unknown> {
  readonly name: string;
  readonly parameters: number;
  start(problem: string, signal?: AbortSignal): Promise<S>;
  /**
   * One next step for each entry of `parents` (repeat a parent to get several children). With
   * `drawn` (backends with `drawsDistinct`), row i's step is one that `drawn[i]` does not hold yet,
   * and is added to it; a record should then appear once per call.
   */
  extend(parents: readonly S[], sampling: SamplingOptions, rng: Rng, signal?: AbortSignal, drawn?: readonly DrawnSteps[]): Promise<StepDraft<S>[]>;
  /** Whether `extend` can leave out the steps drawn before (it sees the step's probabilities). */
  readonly drawsDistinct: boolean;
  /** Forward-pass tokens so far (prompt and generated), for FLOPs. */
  readonly tokensProcessed: number;
  dispose(): Promise<void>;
}

/** Batched incremental decoding: every row of a batch advances at least one token per forward pass. */
export class LocalPolicy implements PolicyBackend<LocalPolicyState> {
  readonly name: string;
  readonly drawsDistinct = true;
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
    const { cache, last } = await this.model.prefill(ids);
    return { cache, nextLogits: last, ids };
  }

  async extend(parents: readonly LocalPolicyState[], sampling: SamplingOptions, rng: Rng, signal?: AbortSignal, drawn?: readonly DrawnSteps[]): Promise<StepDraft<LocalPolicyState>[]> {
    const { eosTokenIds, padTokenId, bosTokenId, maxPositions, stepSeparator } = this.model.config;
    const { tokenizer } = this.model;
    const rules: DecodeRules = { ...sampling, suppress: [padTokenId, bosTokenId, ...sampling.suppress], eosTokenIds, stops: [stepSeparator], maxStepTokens: this.maxStepTokens, maxPositions, draftTokens: draftTokensFor(this.model.config.numParameters) };
    // One seed per row from the search's generator: a row's step depends on the seed, not on its batch.
    const rows = parents.map((p, i) => ({ logits: p.nextLogits, length: p.cache.length, seed: rng.seed(), context: p.ids, ...(drawn ? { drawn: drawn[i] } : {}) }));
    const batch = this.model.assemble(parents.map((p) => p.cache));
    try {
      const decoded = await this.model.decode(batch, rows, rules, signal);
      if (drawn) decoded.forEach((row, b) => addDrawnStep(drawn[b], row.ids, row.probs!));
      return await Promise.all(
        decoded.map(async (row, b) => {
          // A step that ends exactly at the context limit leaves no room for another: it ends the solution.
          const resumable = row.ended === 'separator' && parents[b].cache.length + row.ids.length < maxPositions;
          // The separator ends the text; cut it off (a multi-token one can end mid-token).
          const full = tokenizer.decode(row.ended === 'eos' ? row.ids.slice(0, -1) : row.ids);
          const text = row.ended === 'separator' ? full.slice(0, full.indexOf(stepSeparator)) : full;
          return { text, tokens: row.ids.length, ended: row.ended, state: resumable ? { cache: await batch.extract(b), nextLogits: row.logits, ids: [...parents[b].ids, ...row.ids] } : null };
        }),
      );
    } finally {
      batch.dispose();
    }
  }

  /**
   * The rest of a step from a given beginning (a what-if: the step's first tokens with one of
   * them replaced): one step sampled with a seeded generator, the beginning included in the text.
   */
  async continueStep(problem: string, before: readonly string[], beginning: string, sampling: SamplingOptions, rng: Rng): Promise<string> {
    const { tokenizer, config } = this.model;
    const ids = [...tokenizer.promptIds(problem), ...tokenizer.encode(before.map((s) => `${s}${config.stepSeparator}`).join('')), ...tokenizer.encode(beginning)];
    if (ids.length >= config.maxPositions) throw new BadInputError(`the solution is ${ids.length} tokens long; this model reads at most ${config.maxPositions}`);
    const { cache, last } = await this.model.prefill(ids);
    const [draft] = await this.extend([{ cache, nextLogits: last, ids }], sampling, rng);
    return `${beginning}${draft.text}`;
  }

  /**
   * Teacher forcing: the logits the policy gives before each token of each step (the step's text and
   * its separator), from one forward pass over the prompt and the whole solution.
   */
  async stepLogits(problem: string, steps: readonly string[]): Promise<{ ids: number[]; logits: Float32Array[] }[]> {
    const { tokenizer, config } = this.model;
    const ids = tokenizer.promptIds(problem);
    const spans = steps.map((s) => {
      const start = ids.length;
      ids.push(...tokenizer.encode(`${s}${config.stepSeparator}`));
      return { start, end: ids.length };
    });
    if (ids.length > config.maxPositions) throw new BadInputError(`the solution is ${ids.length} tokens long; this model reads at most ${config.maxPositions}`);
    const batch = this.model.assemble([this.model.emptyCache()]);
    try {
      const { values, width } = await this.model.run(batch, [ids]);
      // The logits at position t predict the token at t + 1.
      return spans.map(({ start, end }) => ({ ids: ids.slice(start, end), logits: Array.from({ length: end - start }, (_, k) => values.slice((start + k - 1) * width, (start + k) * width)) }));
    } finally {
      batch.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.model.release();
  }
}

