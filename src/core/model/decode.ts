import { Rng } from '../rng';
import { Sampler, type DrawnSteps } from './sampling';
import type { TextTokenizer } from './tokenizer';

/** How a generated step ended. */
export type StepEnd = 'separator' | 'eos' | 'step-limit' | 'context-limit';

/** A row to continue: the logits after its cache, its length, and the seed of its own sampler. */
export interface DecodeRow {
  logits: Float32Array;
  length: number;
  seed: number;
  /** The ids the cache holds (prompt and earlier steps), where drafts are looked up; none: no drafts. */
  context?: readonly number[];
  /** Steps drawn before from the same parent: the row draws a step that is none of them. */
  drawn?: DrawnSteps;
}

/** What ends a row and how tokens are drawn; plain data, so it crosses to a shard worker. */
export interface DecodeRules {
  temperature: number;
  topP: number;
  /** Never sampled (padding, begin-of-sequence, and whatever the caller adds). */
  suppress: readonly number[];
  eosTokenIds: readonly number[];
  /** A row ends after any of these texts (a policy: its step separator; the test server: a request's stop strings); none: only eos and the limits end it. */
  stops: readonly string[];
  maxStepTokens: number;
  maxPositions: number;
  /** Drafted tokens fed per row and forward pass beside the sampled one (prompt lookup); 0: none. */
  draftTokens?: number;
}

export interface DecodedRow {
  ids: number[];
  ended: StepEnd;
  /** Logits after the last token (which was fed too, so the cache covers the whole step). */
  logits: Float32Array;
  /** With `drawn`: each id's probability as `Sampler.sampleUnseen` gives it. */
  probs?: number[];
}

/** What the decoding loop drives: a batch's forward pass and the undoing of rejected drafts. */
export interface DecodeTarget {
  /** Feeds tokens[b] to row b (none: it idles) and returns its output after each fed token, [rows][fed][width]. */
  step(tokens: readonly (readonly number[])[]): Promise<Float32Array[][]>;
  /** Drops the last `count` fed tokens of a row from its cache. */
  discard(row: number, count: number): void;
}

/**
 * True once `ids` end with one of the stops: a one-token stop ("\n" for our models) is matched by id,
 * a longer one by the text of the last few ids (every token is at least one character).
 */
export function stepEnder(tokenizer: TextTokenizer, stops: readonly string[]): (ids: readonly number[]) => boolean {
  const byId = new Set<number>();
  const byText: string[] = [];
  for (const stop of stops) {
    const ids = tokenizer.encode(stop);
    if (ids.length === 1 && tokenizer.piece(ids[0]) === stop) byId.add(ids[0]);
    else byText.push(stop);
  }
  const window = Math.max(0, ...byText.map((s) => s.length)) + 1;
  return (ids) => {
    if (byId.has(ids[ids.length - 1])) return true;
    if (!byText.length) return false;
    const tail = tokenizer.decode(ids.slice(-window));
    return byText.some((s) => tail.includes(s));
  };
}

/** Longest suffix of the history that is looked up for an earlier occurrence. */
const LOOKUP_NGRAM = 3;

/**
 * Prompt-lookup drafting: finds the latest earlier occurrence of the history's last few ids
 * (3, else 2, else 1) and proposes what followed it, up to `max` ids. Solutions copy operands
 * and whole expressions from the problem and earlier steps, so such guesses are often right.
 */
export function lookupDraft(history: readonly number[], max: number): number[] {
  if (max <= 0) return [];
  const end = history.length;
  for (let n = Math.min(LOOKUP_NGRAM, end - 1); n >= 1; n--) {
    for (let start = end - n - 1; start >= 0; start--) {
      let match = true;
      for (let j = 0; j < n && match; j++) match = history[start + j] === history[end - n + j];
      if (match) return history.slice(start + n, Math.min(end, start + n + max));
    }
  }
  return [];
}

/**
 * Generates one step for every row: each row draws from its own seeded sampler (so a row's
 * tokens do not depend on which rows share its batch or shard), and a finished row idles until
 * the last one ends. With `draftTokens`, each forward pass also feeds a guess of the next few
 * tokens (lookupDraft); the row's sampler then draws at each guessed position in turn, and a guess
 * is kept only while the draw equals it. So the drawn tokens, and the draws spent, are exactly
 * those of decoding one token per pass; only the number of passes shrinks. `checkpoint` runs
 * before every pass.
 */
export async function decodeRows(rows: readonly DecodeRow[], rules: DecodeRules, endsStep: (ids: readonly number[]) => boolean, target: DecodeTarget, checkpoint: () => Promise<void>): Promise<DecodedRow[]> {
  const samplers = rows.map((r) => new Sampler({ temperature: rules.temperature, topP: rules.topP, suppress: rules.suppress }, new Rng(r.seed)));
  const state = rows.map((r) => ({ ids: [] as number[], ended: null as StepEnd | null, logits: r.logits, length: r.length, probs: r.drawn ? ([] as number[]) : undefined, at: r.drawn ?? null }));
  /** The row's next token; a row with `drawn` leaves out the steps drawn before and notes each id's probability. */
  const draw = (b: number, logits: Float32Array): number => {
    const row = state[b];
    if (!row.probs) return samplers[b].sample(logits);
    const { id, prob } = samplers[b].sampleUnseen(logits, row.at);
    row.probs.push(prob);
    return id;
  };
  const maxDraft = rules.draftTokens ?? 0;
  /** Appends a kept token and notes whether it ends the row. */
  const push = (b: number, id: number) => {
    const row = state[b];
    row.ids.push(id);
    row.length++;
    if (row.at) row.at = row.at.next[id] ?? null;
    if (endsStep(row.ids)) row.ended = 'separator';
    else if (rules.eosTokenIds.includes(id)) row.ended = 'eos';
    else if (row.ids.length >= rules.maxStepTokens) row.ended = 'step-limit';
    else if (row.length >= rules.maxPositions) row.ended = 'context-limit';
  };
  /** The guesses fed after a row's sampled token: never past the row's limits, a stop or eos. */
  const draftFor = (b: number): number[] => {
    const row = state[b];
    const { context } = rows[b];
    if (!maxDraft || !context || row.ended) return [];
    const room = Math.min(maxDraft, rules.maxStepTokens - row.ids.length, rules.maxPositions - row.length);
    const guess = lookupDraft([...context, ...row.ids], room);
    const ids = [...row.ids];
    for (let i = 0; i < guess.length; i++) {
      ids.push(guess[i]);
      if (endsStep(ids) || rules.eosTokenIds.includes(guess[i])) return guess.slice(0, i + 1);
    }
    return guess;
  };
  let sampled: (number | null)[] = state.map((s, b) => draw(b, s.logits));
  for (;;) {
    await checkpoint();
    const feed = sampled.map((id, b) => {
      if (id === null) return [];
      push(b, id);
      return [id, ...draftFor(b)];
    });
    const outputs = await target.step(feed);
    sampled = feed.map((fed, b) => {
      if (!fed.length) return null;
      const row = state[b];
      const out = outputs[b];
      row.logits = out[0];
      // Draw at each guessed position in turn; a guess stays only while the draw equals it.
      let kept = 1;
      let next: number | null = null;
      while (!row.ended) {
        const id = draw(b, row.logits);
        if (kept < fed.length && id === fed[kept]) {
          push(b, id);
          row.logits = out[kept++];
        } else {
          next = id;
          break;
        }
      }
      if (kept < fed.length) target.discard(b, fed.length - kept);
      return next;
    });
    if (sampled.every((s) => s === null)) break;
  }
  return state.map((s) => ({ ids: s.ids, ended: s.ended!, logits: s.logits, ...(s.probs ? { probs: s.probs } : {}) }));
}
