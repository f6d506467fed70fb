import { Worker } from 'node:worker_threads';
import { parseMessage, WorkerMessageSchema, type EngineConfig, type ErrorKind, type HostMessage } from '../core/protocol/worker';
import type { ExplainResult, SearchEvent, SolveOptions, SolveResult, VerifyResult, WhatIfResult } from '../core/protocol/results';

type JobResult = SolveResult | VerifyResult | ExplainResult | WhatIfResult;

/** A failure reported by the engine, with its kind (bad input, model, cancelled, internal). */
export class EngineError extends Error {
  constructor(
    readonly kind: ErrorKind | 'crashed',
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

interface Pending {
  resolve: (value: JobResult) => void;
  reject: (e: Error) => void;
  onEvent?: (e: SearchEvent) => void;
  onIdle?: () => void;
}

/**
 * Host side of the worker protocol: starts the worker on first use, restarts it after it dies,
 * validates every message it receives, and maps cancellation to an AbortSignal.
 */
export class EngineClient {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly workerPath: string,
    private config: EngineConfig,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** Takes effect for the next job; the models reload lazily. */
  configure(config: EngineConfig): void {
    this.config = config;
    if (this.worker) this.send({ type: 'configure', config });
  }

  solve(problem: string, options: SolveOptions, onEvent?: (e: SearchEvent) => void, signal?: AbortSignal): Promise<SolveResult> {
    return this.request((id) => ({ type: 'solve', id, problem, options }), signal, onEvent) as Promise<SolveResult>;
  }

  verify(problem: string, steps: string[], signal?: AbortSignal): Promise<VerifyResult> {
    return this.request((id) => ({ type: 'verify', id, problem, steps }), signal) as Promise<VerifyResult>;
  }

  /** Every step's tokens as the policy sees them, with `logits` raw logits per token for the Explain view. */
  explain(problem: string, steps: string[], logits: number): Promise<ExplainResult> {
    return this.request((id) => ({ type: 'explain', id, problem, steps, logits })) as Promise<ExplainResult>;
  }

  /** The step the policy writes from `beginning` on (after `steps`), with its score and verdict. */
  whatIf(problem: string, steps: string[], beginning: string, seed: number, temperature: number): Promise<WhatIfResult> {
    return this.request((id) => ({ type: 'whatIf', id, problem, steps, beginning, seed, temperature })) as Promise<WhatIfResult>;
  }

  /** Whether any job is still in the worker (it reports 'idle' when one leaves). */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  private async request(make: (id: number) => HostMessage, signal?: AbortSignal, onEvent?: (e: SearchEvent) => void): Promise<JobResult> {
    if (signal?.aborted) throw new EngineError('cancelled', 'cancelled');
    await this.start();
    // A cancel that came while the worker was starting must not be lost.
    if (signal?.aborted) throw new EngineError('cancelled', 'cancelled');
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => this.send({ type: 'cancel', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
        onEvent,
      });
      this.send(make(id));
    });
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const worker = new Worker(this.workerPath, { workerData: this.config });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new EngineError('crashed', `the engine stopped while starting (exit code ${code})`)));
    });
    worker.on('message', (data: unknown) => this.receive(data));
    worker.on('error', (e: Error) => this.log(`engine worker error: ${e.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.ready = null;
      const failure = new EngineError('crashed', `the engine stopped unexpectedly (exit code ${code}); it restarts on the next request`);
      for (const p of this.pending.values()) p.reject(failure);
      this.pending.clear();
    });
    return this.ready;
  }

  private receive(data: unknown): void {
    const parsed = parseMessage(WorkerMessageSchema, data);
    if (!parsed.ok) {
      this.log(`dropped an invalid message from the engine (${parsed.error})`);
      return;
    }
    const m = parsed.value;
    if (m.type === 'ready') return;
    if (m.type === 'error' && m.id === null) {
      this.log(`engine: ${m.message}`);
      return;
    }
    const p = this.pending.get(m.id!);
    if (!p) return;
    switch (m.type) {
      case 'event':
        p.onEvent?.(m.event);
        return;
      case 'solved':
      case 'verified':
      case 'explained':
      case 'continued':
        p.resolve(m.result);
        return;
      case 'error':
        p.reject(new EngineError(m.kind, m.message));
        return;
      case 'idle':
        this.pending.delete(m.id);
        p.onIdle?.();
        return;
    }
  }

  private send(m: HostMessage): void {
    this.worker?.postMessage(m);
  }

  /**
   * Stops the worker as a crash would for the jobs in it (tests use this); the next request starts
   * a new one. The worker leaves between ONNX calls: a thread terminated inside one aborts the
   * whole process, so a hard terminate is only the fallback after a few seconds.
   */
  async terminate(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ type: 'shutdown' } satisfies HostMessage);
    const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5000))]);
    if (late) await w.terminate();
  }

  async dispose(): Promise<void> {
    for (const p of this.pending.values()) p.reject(new EngineError('cancelled', 'the engine was shut down'));
    this.pending.clear();
    await this.terminate();
    this.worker = null;
    this.ready = null;
  }
}
