import { Rng } from '../domain/rng';
import { Sampler } from './sampling';
import type { TextTokenizer } from './tokenizer';

/** How a generated step ended. */
export type StepEnd = 'newline' | 'eos' | 'step-limit' | 'context-limit';

/** A row to continue: the logits after its cache, its length, and the seed of its own sampler. */
export interface DecodeRow {
  logits: Float32Array;
  length: number;
  seed: number;
}

/** What ends a row and how tokens are drawn; plain data, so it crosses to a shard worker. */
export interface DecodeRules {
  temperature: number;
  topP: number;
  /** Never sampled (padding, begin-of-sequence, and whatever the caller adds). */
  suppress: readonly number[];
  eosTokenIds: readonly number[];
  /** A row ends after this text; null: only eos and the limits end it. */
  separator: string | null;
  maxStepTokens: number;
  maxPositions: number;
}

export interface DecodedRow {
  ids: number[];
  ended: StepEnd;
  /** Logits after the last token (which was fed too, so the cache covers the whole step). */
  logits: Float32Array;
}

/** Feeds one token per row and returns each row's output at it, [rows][width]. */
export type StepFn = (tokens: readonly (readonly number[])[]) => Promise<Float32Array[]>;

/** True once `ids` end with the separator: matched by id when it is one token ("\n" for our models), else by text. */
export function stepEnder(tokenizer: TextTokenizer, separator: string | null): (ids: readonly number[]) => boolean {
  if (separator === null) return () => false;
  const sepIds = tokenizer.encode(separator);
  if (sepIds.length === 1 && tokenizer.piece(sepIds[0]) === separator) return (ids) => ids[ids.length - 1] === sepIds[0];
  return (ids) => tokenizer.decode(ids.slice(-8)).includes(separator);
}

/**
 * Generates one step for every row: all rows advance one token per forward pass, each row draws
 * from its own seeded sampler (so a row's tokens do not depend on which rows share its batch or
 * shard), and a finished row idles until the last one ends. `checkpoint` runs before every pass.
 */
export async function decodeRows(rows: readonly DecodeRow[], rules: DecodeRules, endsStep: (ids: readonly number[]) => boolean, step: StepFn, checkpoint: () => Promise<void>): Promise<DecodedRow[]> {
  const samplers = rows.map((r) => new Sampler({ temperature: rules.temperature, topP: rules.topP, suppress: rules.suppress }, new Rng(r.seed)));
  const state = rows.map((r) => ({ ids: [] as number[], ended: null as StepEnd | null, logits: r.logits, length: r.length }));
  let feed = state.map((s, b) => [samplers[b].sample(s.logits)]);
  for (;;) {
    await checkpoint();
    feed.forEach((f, b) => {
      const row = state[b];
      if (!f.length) return;
      row.ids.push(f[0]);
      row.length++;
      if (endsStep(row.ids)) row.ended = 'newline';
      else if (rules.eosTokenIds.includes(f[0])) row.ended = 'eos';
      else if (row.ids.length >= rules.maxStepTokens) row.ended = 'step-limit';
      else if (row.length >= rules.maxPositions) row.ended = 'context-limit';
    });
    const logits = await step(feed);
    const next: number[][] = state.map(() => []);
    state.forEach((row, b) => {
      if (!feed[b].length) return;
      row.logits = logits[b];
      if (!row.ended) next[b] = [samplers[b].sample(row.logits)];
    });
    if (next.every((n) => !n.length)) break;
    feed = next;
  }
  return state.map((s) => ({ ids: s.ids, ended: s.ended!, logits: s.logits }));
}
