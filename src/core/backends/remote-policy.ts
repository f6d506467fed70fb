import * as v from 'valibot';
import { ModelError, readJson } from '../model/folder';
import type { Rng } from '../rng';
import type { PolicyBackend, StepDraft } from './policy';
import type { SamplingOptions } from '../model/sampling';
import { throwIfCancelled } from '../cancel';
import { fanOut, httpOptions, mapLimit, RemoteError, requestJson, serverRoot, ServedModel, type HttpOptions } from './http';

/** Where a remote solution stands: the whole text so far (prompt and steps, each step followed by the separator). */
export interface RemotePolicyState {
  readonly prefix: string;
}

export interface RemotePolicyOptions extends Partial<HttpOptions> {
  /** Server URL: `http://host:8000`, `.../v1` or `.../v1/completions`. */
  url: string;
  /** Model name to send; default: the one the server lists (for the policy role when it says). */
  model?: string;
  /** Text before the first step; `{problem}` is replaced. Default: `{problem}` + separator, our models' format. */
  prompt?: string;
  /** Text after every step, sent as the stop string. Default "\n". */
  stepSeparator?: string;
  /** max_tokens of one step. */
  maxStepTokens?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Parameter count for FLOPs when the server does not say it. */
  parameters?: number;
}

const Usage = v.nullish(
  v.looseObject({
    prompt_tokens: v.nullish(v.number()),
    completion_tokens: v.nullish(v.number()),
    total_tokens: v.nullish(v.number()),
  }),
);

const CompletionResponse = v.looseObject({
  choices: v.pipe(
    v.array(
      v.looseObject({
        index: v.nullish(v.pipe(v.number(), v.integer(), v.minValue(0))),
        text: v.string(),
        finish_reason: v.nullish(v.string()),
        // vLLM: the stop string (or token id) that ended the choice, null at end-of-sequence.
        stop_reason: v.optional(v.nullable(v.union([v.string(), v.number()]))),
        logprobs: v.nullish(v.looseObject({ tokens: v.nullish(v.array(v.string())) })),
      }),
    ),
    v.minLength(1),
  ),
  usage: Usage,
});
type Choice = v.InferOutput<typeof CompletionResponse>['choices'][number];

const CONTEXT_WORDS = /context|maximum.*length|too long|exceed/i;

/**
 * A policy served over an OpenAI-compatible `/v1/completions` endpoint (vLLM, llama.cpp server, Ollama,
 * `stepwise serve`). Each next step is one request per distinct parent with `n` children and the step
 * separator as stop string; requests run concurrently (bounded). Tokens are counted from `usage`.
 */
export class RemotePolicy implements PolicyBackend<RemotePolicyState> {
  readonly name: string;
  tokensProcessed = 0;
  private readonly root: string;
  private readonly http: HttpOptions;
  private readonly separator: string;
  private readonly prompt: string;
  private readonly served: ServedModel;
  private readonly disposed = new AbortController();
  /** Set once the server answered one choice when asked for several (Ollama, some llama.cpp builds). */
  private oneChoice = false;

  constructor(private readonly options: RemotePolicyOptions) {
    this.root = serverRoot(options.url);
    this.name = `${this.root}${options.model ? ` (${options.model})` : ''}`;
    this.http = httpOptions(options);
    this.separator = options.stepSeparator ?? '\n';
    this.prompt = options.prompt ?? `{problem}${this.separator}`;
    this.served = new ServedModel(this.root, 'policy', options.model, this.http, options.parameters);
  }

  get parameters(): number {
    return this.served.parameters;
  }

  async start(problem: string, signal?: AbortSignal): Promise<RemotePolicyState> {
    await this.served.name(signal);
    return { prefix: this.prompt.split('{problem}').join(problem) };
  }

  /** A completions server returns text, not the step's probabilities, so it cannot leave out steps drawn before: the search drops repeated siblings itself. */
  readonly drawsDistinct = false;

  async extend(parents: readonly RemotePolicyState[], sampling: SamplingOptions, rng: Rng, signal?: AbortSignal): Promise<StepDraft<RemotePolicyState>[]> {
    throwIfCancelled(signal);
    const model = await this.served.name(signal);
    // Children of the same parent share one request (`n`); the seed comes from the search's generator, so a seed reproduces a search.
    const groups = new Map<string, { prefix: string; rows: number[]; seed: number }>();
    parents.forEach((p, row) => {
      let g = groups.get(p.prefix);
      if (!g) groups.set(p.prefix, (g = { prefix: p.prefix, rows: [], seed: 0 }));
      g.rows.push(row);
    });
    for (const g of groups.values()) g.seed = Math.floor(rng.next() * 2 ** 31);
    const out = new Array<StepDraft<RemotePolicyState>>(parents.length);
    // A server known to ignore `n` (it answered one choice for several) gets one request per child.
    const units = [...groups.values()].flatMap((g) => (this.oneChoice ? g.rows.map((row, i) => ({ prefix: g.prefix, rows: [row], seed: g.seed + i })) : [g]));
    await fanOut(units, this.options.concurrency ?? 8, signal, this.disposed.signal, async (g, linked) => {
      const drafts = await this.children(model, g.prefix, g.rows.length, g.seed, sampling, linked);
      g.rows.forEach((row, i) => (out[row] = drafts[i]));
    });
    return out;
  }

  /** n children of one prefix; the ones a server that ignores `n` left out are asked for one at a time. */
  private async children(model: string, prefix: string, n: number, seed: number, sampling: SamplingOptions, signal: AbortSignal): Promise<StepDraft<RemotePolicyState>[]> {
    const drafts = await this.request(model, prefix, n, seed, sampling, signal);
    if (drafts.length === n) return drafts;
    this.oneChoice = true;
    const rest = await mapLimit(
      Array.from({ length: n - drafts.length }, (_, i) => seed + 1 + i),
      this.options.concurrency ?? 8,
      (s) => this.request(model, prefix, 1, s, sampling, signal),
    );
    return [...drafts, ...rest.flat()];
  }

  private async request(model: string, prefix: string, n: number, seed: number, sampling: SamplingOptions, signal: AbortSignal): Promise<StepDraft<RemotePolicyState>[]> {
    const maxTokens = this.options.maxStepTokens ?? 96;
    const body: Record<string, unknown> = { model, prompt: prefix, n, stop: [this.separator], max_tokens: maxTokens, temperature: sampling.temperature, seed };
    if (sampling.topP < 1) body.top_p = sampling.topP;
    let response: v.InferOutput<typeof CompletionResponse>;
    try {
      response = await requestJson('POST', `${this.root}/v1/completions`, body, CompletionResponse, 'a completions response', this.http, signal);
    } catch (e) {
      // The solution no longer fits the model's context: it ends here, as a local one does.
      if (e instanceof RemoteError && e.status === 400 && CONTEXT_WORDS.test(e.message)) return Array.from({ length: n }, () => ({ text: '', tokens: 0, ended: 'context-limit' as const, state: null }));
      throw e;
    }
    const url = `${this.root}/v1/completions`;
    if (response.choices.length > n) throw new RemoteError(`${url} answered with something that is not a completions response: ${response.choices.length} choices for n = ${n}`);
    const choices = response.choices.every((c) => typeof c.index === 'number') ? [...response.choices].sort((a, b) => a.index! - b.index!) : response.choices;
    const usage = response.usage;
    const completion = usage?.completion_tokens ?? undefined;
    const prompt = usage?.prompt_tokens ?? undefined;
    const tokens = splitTokens(choices, completion);
    this.tokensProcessed += usage?.total_tokens ?? (prompt ?? estimateTokens(prefix)) + tokens.reduce((a, b) => a + b, 0);
    return choices.map((c, i) => this.draft(c, prefix, tokens[i]));
  }

  private draft(c: Choice, prefix: string, tokens: number): StepDraft<RemotePolicyState> {
    let text = c.text;
    const cut = text.indexOf(this.separator);
    // A server that ignored the stop string, or returned it: the step ends at the separator.
    if (cut >= 0) return { text: text.slice(0, cut), tokens, ended: 'separator', state: { prefix: prefix + text.slice(0, cut) + this.separator } };
    if (c.finish_reason === 'length') return { text, tokens, ended: 'step-limit', state: null };
    // End of sequence: vLLM says stop_reason null; servers that do not say it and stop with nothing end the solution too.
    const eos = c.finish_reason !== 'stop' || c.stop_reason === null || (c.stop_reason === undefined && text === '');
    if (eos) return { text, tokens, ended: 'eos', state: null };
    text = text.replace(/\r$/, '');
    return { text, tokens, ended: 'separator', state: { prefix: prefix + text + this.separator } };
  }

  async dispose(): Promise<void> {
    this.disposed.abort();
  }
}

/** Generated tokens of each choice: from logprobs when served, else usage shared out by text length. */
function splitTokens(choices: readonly Choice[], completion: number | undefined): number[] {
  if (choices.every((c) => c.logprobs?.tokens)) return choices.map((c) => c.logprobs!.tokens!.length);
  if (completion === undefined) return choices.map((c) => estimateTokens(c.text) + 1);
  if (choices.length === 1) return [completion];
  const weights = choices.map((c) => c.text.length + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => Math.floor((completion * w) / total));
  shares[0] += completion - shares.reduce((a, b) => a + b, 0);
  return shares;
}

/** About four characters a token, when a server reports no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** A `policy.json` for a remote policy: {"prompt": "...{problem}...", "step_separator": "\n\n", "max_step_tokens": 256}. */
const PolicyConventionSchema = v.strictObject({
  $comment: v.optional(v.string()),
  prompt: v.optional(v.pipe(v.string(), v.includes('{problem}', 'must contain {problem}'))),
  step_separator: v.optional(v.pipe(v.string(), v.minLength(1))),
  max_step_tokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1 << 16))),
});

export function readPolicyConvention(path: string): Pick<RemotePolicyOptions, 'prompt' | 'stepSeparator' | 'maxStepTokens'> {
  const json = readJson(path);
  const r = v.safeParse(PolicyConventionSchema, json);
  if (!r.success) {
    const issue = r.issues[0];
    const at = v.getDotPath(issue);
    throw new ModelError(`${path}: ${at ? `${at} ` : ''}${issue.message}`.replace(/\s+/g, ' '));
  }
  return { prompt: r.output.prompt, stepSeparator: r.output.step_separator, maxStepTokens: r.output.max_step_tokens };
}
