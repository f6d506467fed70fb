import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename } from 'node:path';
import * as v from 'valibot';
import { OnnxDecoder } from '../core/model/onnx-decoder';
import { draftTokensFor } from '../core/backends/policy';
import type { DecodedRow, DecodeRules } from '../core/model/decode';
import { ModelError } from '../core/model/folder';
import { Rng } from '../core/rng';
import { intFlag, rejectUnknown, stringFlag, UsageError, type ParsedArgs } from '../cli/args';
import { BUNDLED_POLICY, BUNDLED_PRM } from '../cli/models';

/**
 * `stepwise serve`: our local models behind the API shapes the remote backends speak, on 127.0.0.1 —
 * `GET /v1/models`, `POST /v1/completions` (OpenAI) and `POST /pooling` (vLLM's per-token outputs).
 */

const SERVE_FLAGS = ['port', 'model', 'prm', 'threads'];
const MAX_BODY_BYTES = 1 << 20;
const MAX_ROWS = 64;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = status === 404 ? 'NotFoundError' : status >= 500 ? 'InternalServerError' : 'BadRequestError',
  ) {
    super(message);
  }
}

const Int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

const CompletionRequest = v.looseObject({
  model: v.nullish(v.string()),
  prompt: v.union([v.string(), v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(MAX_ROWS))], 'prompt must be a string or a list of strings'),
  n: v.nullish(Int(1, MAX_ROWS)),
  stop: v.nullish(v.union([v.string(), v.pipe(v.array(v.string()), v.maxLength(16))], 'stop must be a string or a list of strings')),
  max_tokens: v.nullish(Int(1, 1 << 20)),
  temperature: v.nullish(v.pipe(v.number(), v.minValue(0), v.maxValue(5))),
  top_p: v.nullish(v.pipe(v.number(), v.gtValue(0), v.maxValue(1))),
  seed: v.nullish(v.pipe(v.number(), v.integer())),
  stream: v.nullish(v.boolean()),
  logprobs: v.nullish(v.number()),
});

const TokenIds = v.array(Int(0, 2 ** 31));
const PoolingRequest = v.looseObject({
  model: v.nullish(v.string()),
  input: v.union(
    [v.string(), v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(1024)), v.pipe(TokenIds, v.minLength(1)), v.pipe(v.array(v.pipe(TokenIds, v.minLength(1))), v.minLength(1), v.maxLength(1024))],
    'input must be a string, a list of strings, a list of token ids or a list of such lists',
  ),
  task: v.nullish(v.string()),
  encoding_format: v.nullish(v.string()),
});

/** Serializes runs on one model: two requests never share a session's threads. */
class Lane {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => {});
    return result;
  }
}

interface Served {
  id: string;
  role: 'policy' | 'prm';
  model: OnnxDecoder;
  lane: Lane;
}

function parse<T extends v.GenericSchema>(schema: T, body: unknown): v.InferOutput<T> {
  const r = v.safeParse(schema, body);
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = v.getDotPath(issue);
  throw new HttpError(400, `${path ? `${path}: ` : ''}${issue.message}`);
}

/** The prompt as our local backends see it: <bos> first when the model has one and no chat template. */
function promptIds(m: OnnxDecoder, input: string | readonly number[]): number[] {
  if (typeof input !== 'string') {
    const bad = input.find((id) => id >= m.config.vocabSize);
    if (bad !== undefined) throw new HttpError(400, `token id ${bad} is beyond the vocabulary of ${m.config.vocabSize}`);
    return [...input];
  }
  const { bosTokenId, chatTemplate } = m.config;
  return [...(bosTokenId >= 0 && chatTemplate === null ? [bosTokenId] : []), ...m.tokenizer.encode(input)];
}

function checkLength(m: OnnxDecoder, ids: readonly number[]): void {
  if (!ids.length) throw new HttpError(400, 'the prompt is empty');
  if (ids.length >= m.config.maxPositions) throw new HttpError(400, `this model's maximum context length is ${m.config.maxPositions} tokens; the prompt has ${ids.length}`);
}

interface Choice {
  index: number;
  text: string;
  logprobs: null;
  finish_reason: 'stop' | 'length';
  stop_reason: string | null;
}

/**
 * Decodes n continuations of one prompt together with the engine's decoding loop (drafts
 * included); a choice ends at a stop string, end of sequence, max_tokens or the context.
 */
async function complete(m: OnnxDecoder, prompt: string, n: number, stops: string[], maxTokens: number, temperature: number, topP: number, rng: Rng): Promise<{ choices: Omit<Choice, 'index'>[]; promptTokens: number; generated: number }> {
  const ids = promptIds(m, prompt);
  checkLength(m, ids);
  const { padTokenId, bosTokenId, eosTokenIds, maxPositions } = m.config;
  const rules: DecodeRules = { temperature, topP, suppress: [padTokenId, bosTokenId], eosTokenIds, stops, maxStepTokens: maxTokens, maxPositions, draftTokens: draftTokensFor(m.config.numParameters) };
  const { cache, last } = await m.prefill(ids);
  // One seed per choice, as the engine's rows have: a choice does not depend on n.
  const rows = Array.from({ length: n }, () => ({ logits: last, length: ids.length, seed: rng.seed(), context: ids }));
  const batch = m.assemble(rows.map(() => cache));
  let decoded: DecodedRow[];
  try {
    decoded = await m.decode(batch, rows, rules);
  } finally {
    batch.dispose();
  }
  const choices = decoded.map((row): Omit<Choice, 'index'> => {
    if (row.ended === 'eos') return { text: m.tokenizer.decode(row.ids.slice(0, -1)), logprobs: null, finish_reason: 'stop', stop_reason: null };
    const text = m.tokenizer.decode(row.ids);
    if (row.ended !== 'separator') return { text, logprobs: null, finish_reason: 'length', stop_reason: null };
    // The text ends with a stop; cut at the earliest one it holds.
    let cut = text.length;
    let which = '';
    for (const stop of stops) {
      const at = text.indexOf(stop);
      if (at >= 0 && at < cut) [cut, which] = [at, stop];
    }
    return { text: text.slice(0, cut), logprobs: null, finish_reason: 'stop', stop_reason: which };
  });
  return { choices, promptTokens: ids.length, generated: decoded.reduce((a, r) => a + r.ids.length, 0) };
}

/** Per-token head outputs of each input, [tokens][1], as vLLM's pooling API returns a reward model's. */
async function pool(m: OnnxDecoder, input: string | readonly number[]): Promise<{ data: number[][]; tokens: number }> {
  const ids = promptIds(m, input);
  if (!ids.length) throw new HttpError(400, 'the input is empty');
  if (ids.length > m.config.maxPositions) throw new HttpError(400, `this model's maximum context length is ${m.config.maxPositions} tokens; the input has ${ids.length}`);
  const batch = m.assemble([m.emptyCache()]);
  try {
    const { values, T, width } = await m.run(batch, [ids]);
    const out: number[][] = [];
    for (let t = T - ids.length; t < T; t++) out.push(Array.from(values.subarray(t * width, (t + 1) * width)));
    return { data: out, tokens: ids.length };
  } finally {
    batch.dispose();
  }
}

function pick(served: Served[], role: 'policy' | 'prm', name: string | null | undefined): Served {
  if (name) {
    const s = served.find((x) => x.id === name);
    if (!s) throw new HttpError(404, `the model "${name}" does not exist (served: ${served.map((x) => x.id).join(', ')})`);
    if (s.role !== role) throw new HttpError(400, role === 'policy' ? `"${name}" is a reward model; it does not generate` : `"${name}" is a policy; it has no per-token reward head`);
    return s;
  }
  const s = served.find((x) => x.role === role);
  if (!s) throw new HttpError(404, `this server has no ${role === 'policy' ? 'policy' : 'reward'} model`);
  return s;
}

let counter = 0;
const requestId = (prefix: string) => `${prefix}-${Date.now().toString(36)}${(counter++).toString(36)}`;
const now = () => Math.floor(Date.now() / 1000);

async function handle(served: Served[], method: string, path: string, body: unknown): Promise<unknown> {
  if (path === '/v1/models' || path === '/models') {
    if (method !== 'GET') throw new HttpError(405, `${path} takes GET`);
    return {
      object: 'list',
      data: served.map((s) => ({ id: s.id, object: 'model', created: now(), owned_by: 'stepwise', max_model_len: s.model.config.maxPositions, stepwise: { role: s.role, parameters: s.model.config.numParameters } })),
    };
  }
  if (path === '/health') return {};
  if (path === '/v1/completions') {
    if (method !== 'POST') throw new HttpError(405, `${path} takes POST`);
    const req = parse(CompletionRequest, body);
    if (req.stream) throw new HttpError(400, 'streaming is not supported; leave "stream" out');
    const s = pick(served, 'policy', req.model);
    const prompts = typeof req.prompt === 'string' ? [req.prompt] : req.prompt;
    const n = req.n ?? 1;
    if (prompts.length * n > MAX_ROWS) throw new HttpError(400, `prompts x n is ${prompts.length * n}; the limit is ${MAX_ROWS}`);
    const stops = req.stop === null || req.stop === undefined ? [] : typeof req.stop === 'string' ? [req.stop] : req.stop.filter((x) => x.length);
    const rng = new Rng(req.seed ?? Math.floor(Math.random() * 2 ** 31));
    const choices: Choice[] = [];
    let promptTokens = 0;
    let generated = 0;
    for (const prompt of prompts) {
      const r = await s.lane.run(() => complete(s.model, prompt, n, stops, req.max_tokens ?? 16, req.temperature ?? 1, req.top_p ?? 1, rng));
      for (const c of r.choices) choices.push({ index: choices.length, ...c });
      promptTokens += r.promptTokens;
      generated += r.generated;
    }
    return { id: requestId('cmpl'), object: 'text_completion', created: now(), model: s.id, choices, usage: { prompt_tokens: promptTokens, completion_tokens: generated, total_tokens: promptTokens + generated } };
  }
  if (path === '/pooling' || path === '/v1/pooling') {
    if (method !== 'POST') throw new HttpError(405, `${path} takes POST`);
    const req = parse(PoolingRequest, body);
    if (req.task && !['token_classify', 'reward', 'encode'].includes(req.task)) throw new HttpError(400, `task "${req.task}" is not served: this server returns per-token outputs (task "token_classify")`);
    if (req.encoding_format && req.encoding_format !== 'float') throw new HttpError(400, `encoding_format "${req.encoding_format}" is not served; use "float"`);
    const s = pick(served, 'prm', req.model);
    const inputs: (string | number[])[] = typeof req.input === 'string' ? [req.input] : typeof req.input[0] === 'number' ? [req.input as number[]] : (req.input as (string | number[])[]);
    const data: { index: number; object: 'pooling'; data: number[][] }[] = [];
    let tokens = 0;
    for (const input of inputs) {
      const r = await s.lane.run(() => pool(s.model, input));
      data.push({ index: data.length, object: 'pooling', data: r.data });
      tokens += r.tokens;
    }
    return { id: requestId('pool'), object: 'list', created: now(), model: s.id, data, usage: { prompt_tokens: tokens, total_tokens: tokens, completion_tokens: 0 } };
  }
  throw new HttpError(404, `no route ${method} ${path} (try GET /v1/models, POST /v1/completions, POST /pooling)`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function runServe(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, SERVE_FLAGS);
  if (args.positional.length) throw new UsageError(`serve takes no positional arguments (got "${args.positional[0]}")`);
  const port = intFlag(args, 'port', undefined, 0, 65535);
  if (port === undefined) throw new UsageError('give --port P (0 picks a free port)');
  const threads = intFlag(args, 'threads', 0, 0, 64);
  const policyDir = stringFlag(args, 'model') ?? BUNDLED_POLICY;
  const prmDir = stringFlag(args, 'prm') ?? BUNDLED_PRM;
  const [policy, prm] = await Promise.all([OnnxDecoder.load(policyDir, 'logits', { threads }), OnnxDecoder.load(prmDir, 'scores', { threads })]);
  const served: Served[] = [
    { id: basename(policyDir), role: 'policy', model: policy, lane: new Lane() },
    { id: basename(prmDir) === basename(policyDir) ? `${basename(prmDir)}-prm` : basename(prmDir), role: 'prm', model: prm, lane: new Lane() },
  ];

  const server = createServer((req, res) => {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    res.on('finish', () => process.stderr.write(`${method} ${path} ${res.statusCode} ${Math.round(performance.now() - started)} ms\n`));
    (async () => {
      let body: unknown;
      if (method === 'POST') {
        const text = await readBody(req);
        try {
          body = JSON.parse(text);
        } catch {
          throw new HttpError(400, 'the request body is not JSON');
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the request body must be a JSON object');
      }
      send(res, 200, await handle(served, method, path, body));
    })().catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : e instanceof ModelError ? 400 : 500;
      const message = e instanceof Error ? e.message : String(e);
      send(res, status, { error: { message, type: e instanceof HttpError ? e.type : status === 400 ? 'BadRequestError' : 'InternalServerError', param: null, code: status } });
    });
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new UsageError(`port ${port} is already in use`) : e));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  // Graceful stop: no new connections, in-flight requests finish (5 s at most), then the models are released.
  // The handlers are in place before the address is announced, so whoever reads it can stop us at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`stepwise serve: ${signal}, shutting down\n`);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 5000).unref();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stderr.write(`stepwise serve: listening on http://127.0.0.1:${actual} (policy ${served[0].id}, prm ${served[1].id}); Ctrl-C stops it\n`);
  await stopped;
  await Promise.all(served.map((s) => s.lane.run(() => s.model.release())));
  return 0;
}
