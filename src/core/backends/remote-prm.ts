import * as v from 'valibot';
import type { RewardBackend } from './prm';
import { ModelError, readJson } from '../model/folder';
import { throwIfCancelled } from '../cancel';
import { fanOut, httpOptions, RemoteError, requestJson, serverRoot, ServedModel, type HttpOptions } from './http';
import { estimateTokens } from './remote-policy';

/**
 * How one PRM marks and scores steps (a `prm.json`), so that a new model needs a file, not code:
 * - `step_token`: text appended after every step; the step's score is read at the last token of the input,
 *   which is this token ("\n" for ours and Math-Shepherd style models, "<extra_0>" for Qwen2.5-Math-PRM).
 * - `score`: how the output vector at that token becomes a score: "identity" (its first value, already a
 *   probability), "sigmoid" (of the first value, a logit), {"index": k} (value k, e.g. vLLM's softmaxed
 *   classes), {"softmax_index": k} (softmax over the vector, class k is "good").
 * - `prompt`: text before the first step, `{problem}` replaced (a chat template rendered by hand if the PRM wants one).
 * - `endpoint`: "/pooling" (vLLM, `stepwise serve`), or "/classify"; `task`: sent as the pooling task when set
 *   (vLLM's "token_classify" for per-token heads).
 */
export interface PrmConvention {
  stepToken: string;
  score: 'identity' | 'sigmoid' | { index: number } | { softmaxIndex: number };
  prompt: string;
  endpoint: string;
  task?: string;
  /** Inputs per request. */
  batch: number;
}

const ConventionSchema = v.strictObject({
  $comment: v.optional(v.string()),
  step_token: v.optional(v.pipe(v.string(), v.minLength(1)), '\n'),
  score: v.optional(
    v.union([
      v.picklist(['identity', 'sigmoid']),
      v.strictObject({ index: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
      v.strictObject({ softmax_index: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
    ]),
    'identity',
  ),
  prompt: v.optional(v.pipe(v.string(), v.includes('{problem}', 'must contain {problem}'))),
  endpoint: v.optional(v.pipe(v.string(), v.regex(/^\/[\w/-]*$/, 'must be a path such as "/pooling"')), '/pooling'),
  task: v.optional(v.string()),
  batch: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1024)), 32),
});

/** The convention of our own PRM (and of `stepwise serve`): sigmoid already applied, read at "\n". */
export const DEFAULT_PRM_CONVENTION: PrmConvention = parsePrmConvention({}, 'the default PRM convention');

/** Checks a prm.json object; errors name the file and the field. */
export function parsePrmConvention(json: unknown, source: string): PrmConvention {
  const r = v.safeParse(ConventionSchema, json);
  if (!r.success) {
    const issue = r.issues[0];
    const path = v.getDotPath(issue);
    throw new ModelError(`${source}: ${path ? `${path} ` : ''}${issue.message.replace(/^Invalid \w+: /, '')}`.replace(/\s+/g, ' '));
  }
  const o = r.output;
  const score = typeof o.score === 'string' ? o.score : 'index' in o.score ? { index: o.score.index } : { softmaxIndex: o.score.softmax_index };
  return { stepToken: o.step_token, score, prompt: o.prompt ?? `{problem}${o.step_token}`, endpoint: o.endpoint, task: o.task, batch: o.batch };
}

export function readPrmConvention(path: string): PrmConvention {
  const json = readJson(path);
  return parsePrmConvention(json, path);
}

const Vector = v.array(v.number());
const PoolingResponse = v.looseObject({
  data: v.array(
    v.looseObject({
      index: v.nullish(v.number()),
      // /pooling: per-token outputs [tokens][classes] (or [tokens] of scalars); /classify: `probs` of the last token.
      data: v.optional(v.union([v.array(Vector), Vector])),
      probs: v.optional(Vector),
    }),
  ),
  usage: v.nullish(v.looseObject({ prompt_tokens: v.nullish(v.number()), total_tokens: v.nullish(v.number()) })),
});
type PoolingItem = v.InferOutput<typeof PoolingResponse>['data'][number];

export interface RemotePrmOptions extends Partial<HttpOptions> {
  /** Server URL: `http://host:8000` (or with `/v1`, or the full endpoint URL). */
  url: string;
  model?: string;
  convention?: PrmConvention;
  concurrency?: number;
  parameters?: number;
}

/** Where a remote PRM stands on a path: the text scored so far (prompt, and each step followed by the step token). */
export interface RemotePrmState {
  readonly prefix: string;
}

/**
 * A process reward model behind vLLM's pooling API (`POST /pooling {model, input}`) or `stepwise serve`.
 * Each new step is scored by sending its whole path (prefix + step + step token) and reading the output
 * at the last token, the step token; a batch of paths goes in one request.
 */
export class RemotePrm implements RewardBackend<RemotePrmState> {
  readonly name: string;
  tokensProcessed = 0;
  private readonly root: string;
  private readonly http: HttpOptions;
  private readonly convention: PrmConvention;
  private readonly served: ServedModel;
  private readonly disposed = new AbortController();

  constructor(private readonly options: RemotePrmOptions) {
    this.root = serverRoot(options.url);
    this.name = `${this.root}${options.model ? ` (${options.model})` : ''}`;
    this.http = httpOptions(options);
    this.convention = options.convention ?? DEFAULT_PRM_CONVENTION;
    this.served = new ServedModel(this.root, 'prm', options.model, this.http, options.parameters);
  }

  get parameters(): number {
    return this.served.parameters;
  }

  async start(problem: string, signal?: AbortSignal): Promise<RemotePrmState> {
    await this.served.name(signal);
    return { prefix: this.convention.prompt.split('{problem}').join(problem) };
  }

  async score(parents: readonly RemotePrmState[], steps: readonly string[], signal?: AbortSignal): Promise<{ score: number; state: RemotePrmState }[]> {
    throwIfCancelled(signal);
    if (!parents.length) return [];
    const model = await this.served.name(signal);
    const inputs = parents.map((p, i) => `${p.prefix}${steps[i]}${this.convention.stepToken}`);
    const chunks: string[][] = [];
    for (let i = 0; i < inputs.length; i += this.convention.batch) chunks.push(inputs.slice(i, i + this.convention.batch));
    const scores = await fanOut(chunks, this.options.concurrency ?? 8, signal, this.disposed.signal, (chunk, linked) => this.request(model, chunk, linked));
    return scores.flat().map((score, i) => ({ score, state: { prefix: inputs[i] } }));
  }

  private async request(model: string, inputs: string[], signal: AbortSignal): Promise<number[]> {
    const url = `${this.root}${this.convention.endpoint}`;
    const body: Record<string, unknown> = { model, input: inputs };
    if (this.convention.task !== undefined) body.task = this.convention.task;
    const what = 'a pooling response';
    const response = await requestJson('POST', url, body, PoolingResponse, what, this.http, signal);
    const bad = (why: string) => new RemoteError(`${url} answered with something that is not ${what}: ${why}`);
    if (response.data.length !== inputs.length) throw bad(`${response.data.length} results for ${inputs.length} inputs`);
    const items = response.data.every((d) => typeof d.index === 'number') ? [...response.data].sort((a, b) => a.index! - b.index!) : response.data;
    const usage = response.usage;
    this.tokensProcessed += usage?.prompt_tokens ?? usage?.total_tokens ?? inputs.reduce((n, s) => n + estimateTokens(s), 0);
    return items.map((item, i) => {
      const vector = lastVector(item);
      if (!vector) throw bad(`result ${i} has no per-token data (nor probs)`);
      const score = this.scoreOf(vector);
      if (score === undefined) throw bad(`a vector of ${vector.length} values cannot give the score the PRM convention asks for (${JSON.stringify(this.convention.score)})`);
      if (!Number.isFinite(score)) throw bad(`score ${score} is not a finite number`);
      return score;
    });
  }

  private scoreOf(x: number[]): number | undefined {
    const s = this.convention.score;
    if (s === 'identity') return x[0];
    if (s === 'sigmoid') return x.length ? 1 / (1 + Math.exp(-x[0])) : undefined;
    if ('index' in s) return x[s.index];
    if (s.softmaxIndex >= x.length) return undefined;
    const max = Math.max(...x);
    const e = x.map((y) => Math.exp(y - max));
    return e[s.softmaxIndex] / e.reduce((a, b) => a + b, 0);
  }

  async dispose(): Promise<void> {
    this.disposed.abort();
  }
}

/** The output at the last token: the last row of per-token data, or the last scalar, or the class probabilities. */
function lastVector(item: PoolingItem): number[] | undefined {
  if (item.probs) return item.probs;
  const d = item.data;
  if (!d?.length) return undefined;
  const last = d[d.length - 1];
  return typeof last === 'number' ? [last] : last;
}
