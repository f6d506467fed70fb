import * as v from 'valibot';
import { CancelledError, throwIfCancelled } from '../cancel';

/** A remote model server failed us: unreachable, too slow, an error status, or an answer we cannot read. One line. */
export class RemoteError extends Error {
  constructor(
    message: string,
    /** The HTTP status when the server answered with an error, else undefined. */
    readonly status?: number,
  ) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'RemoteError';
  }
}

export interface HttpOptions {
  /** Per attempt, from sending the request to the last byte of the answer. */
  timeoutMs: number;
  /** Extra attempts after a 429, a 5xx, a refused or reset connection (never after a timeout). */
  retries: number;
  /** First backoff; doubles each retry (plus jitter). */
  backoffMs: number;
  /** Sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
}

export const DEFAULT_HTTP: HttpOptions = { timeoutMs: 60_000, retries: 3, backoffMs: 250 };

/** The HTTP knobs out of a backend's options, defaults filled in. */
export function httpOptions(o: Partial<HttpOptions>): HttpOptions {
  return {
    timeoutMs: o.timeoutMs ?? DEFAULT_HTTP.timeoutMs,
    retries: o.retries ?? DEFAULT_HTTP.retries,
    backoffMs: o.backoffMs ?? DEFAULT_HTTP.backoffMs,
    apiKey: o.apiKey,
  };
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const MAX_BODY_CHARS = 64 << 20;

/** `http://host:port` of a URL, as error messages show it. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** The errno-like code buried in a fetch failure (undici wraps it in `cause`, sometimes in an AggregateError). */
function causeCode(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && depth < 4; depth++) {
    const o = x as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof o.code === 'string') return o.code;
    const inner = o.errors?.find((y) => typeof (y as { code?: unknown })?.code === 'string') as { code: string } | undefined;
    if (inner) return inner.code;
    x = o.cause;
  }
  return undefined;
}

const CONNECTION_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'the server closed the connection',
  UND_ERR_CLOSED: 'the server closed the connection',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNABORTED: 'connection aborted',
};
const RETRY_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED', 'EAI_AGAIN']);

/** Waits `ms`, or throws CancelledError as soon as the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The server's own words from an error body ({"error": {"message"}}, {"message"}, {"detail"} or text). */
function errorDetail(text: string): string {
  try {
    const j = JSON.parse(text);
    const m = j?.error?.message ?? (typeof j?.error === 'string' ? j.error : undefined) ?? j?.message ?? j?.detail;
    if (typeof m === 'string') return m;
    if (m !== undefined) return JSON.stringify(m);
  } catch {
    // not JSON: show the text itself
  }
  return text;
}

function clip(text: string, max = 120): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}...` : one || '(empty)';
}

interface Attempt {
  retryable: boolean;
  error: Error;
  retryAfterMs?: number;
}

/**
 * One JSON request with a timeout per attempt, bounded retries with exponential backoff on 429/5xx and
 * refused or reset connections, cancellation through `signal` (in-flight requests are aborted), and the
 * answer validated against `schema`; `what` names the expected answer in errors ("a completions response").
 */
export async function requestJson<T extends v.GenericSchema>(
  method: 'GET' | 'POST',
  url: string,
  body: unknown,
  schema: T,
  what: string,
  options: HttpOptions,
  signal?: AbortSignal,
): Promise<v.InferOutput<T>> {
  const origin = originOf(url);
  let last: Attempt | undefined;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) {
      const backoff = options.backoffMs * 2 ** (attempt - 1) * (1 + 0.25 * Math.random());
      await sleep(Math.min(10_000, Math.max(backoff, last?.retryAfterMs ?? 0)), signal);
    }
    const result = await once(method, url, body, schema, what, options, origin, signal);
    if (!('retryable' in result)) return result.value;
    last = result;
    if (!result.retryable) break;
  }
  throw last!.error;
}

async function once<T extends v.GenericSchema>(
  method: string,
  url: string,
  body: unknown,
  schema: T,
  what: string,
  options: HttpOptions,
  origin: string,
  signal?: AbortSignal,
): Promise<{ value: v.InferOutput<T> } | Attempt> {
  if (signal?.aborted) throw new CancelledError();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  let status: number;
  let statusText: string;
  let text: string;
  let retryAfter: string | null;
  try {
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: controller.signal });
    status = res.status;
    statusText = res.statusText;
    retryAfter = res.headers.get('retry-after');
    text = await res.text();
  } catch (e) {
    if (signal?.aborted) throw new CancelledError();
    if (timedOut) return { retryable: false, error: new RemoteError(`no answer from ${origin} within ${seconds(options.timeoutMs)}`) };
    const code = causeCode(e);
    const words = (code && CONNECTION_WORDS[code]) ?? (code ? code : clip((e as Error).message));
    return { retryable: code === undefined || RETRY_CODES.has(code), error: new RemoteError(`cannot reach ${origin}: ${words}`) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  if (status < 200 || status >= 300) {
    const error = new RemoteError(`${url} answered ${status}${statusText ? ` ${statusText}` : ''}: ${clip(errorDetail(text), 200)}`, status);
    const seconds = retryAfter !== null && /^\d+(\.\d+)?$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
    return { retryable: RETRY_STATUS.has(status), error, retryAfterMs: seconds };
  }
  const garbage = (why: string) => ({ retryable: false, error: new RemoteError(`${url} answered with something that is not ${what}: ${why}`) });
  if (text.length > MAX_BODY_CHARS) return garbage(`${text.length} characters`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return garbage(`${JSON.stringify(clip(text, 80))} is not JSON`);
  }
  const parsed = v.safeParse(schema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = v.getDotPath(issue);
    return garbage(`${path ? `${path}: ` : ''}${issue.message} (got ${clip(JSON.stringify(json), 80)})`);
  }
  return { value: parsed.output };
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order; the first failure aborts the rest. */
export async function mapLimit<I, O>(items: readonly I[], limit: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const out = new Array<O>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** An AbortController that also aborts when `parent` does; `done` detaches it. */
export function linkedController(parent?: AbortSignal): { controller: AbortController; done: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (parent?.aborted) controller.abort();
  else parent?.addEventListener('abort', onAbort, { once: true });
  return { controller, done: () => parent?.removeEventListener('abort', onAbort) };
}

/** The server's root from whatever URL the user gave: `http://h:8000`, `.../v1`, `.../v1/completions`, `.../pooling`. */
export function serverRoot(url: string): string {
  let u = url.trim().replace(/\/+$/, '');
  u = u.replace(/\/(completions|chat\/completions|pooling|classify|reward|models)$/, '');
  return u.replace(/\/v1$/, '');
}

const ModelList = v.object({
  data: v.array(
    v.looseObject({
      id: v.string(),
      stepwise: v.optional(v.looseObject({ role: v.optional(v.string()), parameters: v.optional(v.number()) })),
    }),
  ),
});

/**
 * Which model to name in requests, and its size when the server says it (our `stepwise serve` does):
 * the given name, else the one served for `role`, else the first one the server lists.
 */
export async function resolveModel(root: string, role: 'policy' | 'prm', name: string | undefined, options: HttpOptions, signal?: AbortSignal): Promise<{ model: string; parameters: number | undefined }> {
  let list: v.InferOutput<typeof ModelList>;
  try {
    list = await requestJson('GET', `${root}/v1/models`, undefined, ModelList, 'a model list', options, signal);
  } catch (e) {
    // Some servers have no model list; a named model still works.
    if (name !== undefined && e instanceof RemoteError && e.status !== undefined) return { model: name, parameters: undefined };
    throw e;
  }
  const entry = name !== undefined ? list.data.find((m) => m.id === name) : (list.data.find((m) => m.stepwise?.role === role) ?? list.data[0]);
  if (!entry) {
    if (name === undefined) throw new RemoteError(`${root}/v1/models lists no model`);
    throw new RemoteError(`${root} does not serve the model "${name}" (it serves ${list.data.map((m) => m.id).join(', ') || 'nothing'})`);
  }
  return { model: entry.id, parameters: entry.stepwise?.parameters };
}

/** The model a server serves for a role, resolved once from /v1/models (again after a failure). */
export class ServedModel {
  private resolved: Promise<{ model: string; parameters: number | undefined }> | null = null;
  private known: number;

  constructor(
    private readonly root: string,
    private readonly role: 'policy' | 'prm',
    private readonly requested: string | undefined,
    private readonly http: HttpOptions,
    private readonly givenParameters: number | undefined,
  ) {
    this.known = givenParameters ?? 0;
  }

  /** Parameters for FLOPs: as given, else as the server reports (ours does), else 0. */
  get parameters(): number {
    return this.known;
  }

  name(signal?: AbortSignal): Promise<string> {
    this.resolved ??= resolveModel(this.root, this.role, this.requested, this.http, signal).then(
      (r) => {
        if (r.parameters !== undefined && this.givenParameters === undefined) this.known = r.parameters;
        return r;
      },
      (e) => {
        this.resolved = null;
        throw e;
      },
    );
    return this.resolved.then((r) => r.model);
  }
}

/**
 * Runs `work` on every item, at most `limit` at once, under one AbortSignal that fires when the
 * caller cancels, the backend is disposed, or any request fails (so the others stop too).
 */
export async function fanOut<T, R>(items: readonly T[], limit: number, signal: AbortSignal | undefined, disposed: AbortSignal, work: (item: T, signal: AbortSignal) => Promise<R>): Promise<R[]> {
  const { controller, done } = linkedController(signal);
  const onDispose = () => controller.abort();
  disposed.addEventListener('abort', onDispose, { once: true });
  try {
    return await mapLimit([...items], limit, (item) =>
      work(item, controller.signal).catch((e) => {
        controller.abort();
        throw e;
      }),
    );
  } catch (e) {
    throwIfCancelled(signal);
    throw e;
  } finally {
    done();
    disposed.removeEventListener('abort', onDispose);
  }
}
