import { parentPort, workerData } from 'node:worker_threads';
import type { Engine } from '../core/engine';
import { createEngine } from '../core/backends';
import { BadInputError, prepareProblem } from '../core/input';
import { CancelledError } from '../core/cancel';
import { ModelError } from '../core/model/folder';
import { EngineConfigSchema, HostMessageSchema, parseMessage, type EngineConfig, type ErrorKind, type HostMessage, type WorkerMessage } from '../core/protocol/worker';
import * as v from 'valibot';

/**
 * The engine behind a worker thread: an ONNX run blocks its thread, so the host stays free.
 * Jobs run one at a time in arrival order; `cancel` aborts the running job between decoding
 * steps or drops a queued one.
 */
type Job = Extract<HostMessage, { type: 'solve' | 'verify' | 'explain' | 'whatIf' }>;

const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);

let config: EngineConfig = v.parse(EngineConfigSchema, workerData);
let engine: Promise<Engine> | null = null;
const queue: Job[] = [];
let running: { id: number; controller: AbortController } | null = null;
const retired: Promise<Engine>[] = [];
let shuttingDown = false;

function disposeRetired(): void {
  for (const old of retired.splice(0)) void old.then((e) => e.dispose()).catch(() => {});
}

function errorKind(e: unknown): ErrorKind {
  if (e instanceof BadInputError) return 'bad-input';
  if (e instanceof CancelledError) return 'cancelled';
  if (e instanceof ModelError) return 'model';
  return 'internal';
}

function loadEngine(): Promise<Engine> {
  if (!engine) {
    engine = createEngine(config);
    engine.catch(() => (engine = null));
  }
  return engine;
}

async function runJob(job: Job, signal: AbortSignal): Promise<void> {
  // Bad input is answered before any model loads, so it costs milliseconds.
  prepareProblem(job.problem);
  const e = await loadEngine();
  switch (job.type) {
    case 'solve':
      post({ type: 'solved', id: job.id, result: await e.solve(job.problem, job.options, (event) => post({ type: 'event', id: job.id, event }), signal) });
      return;
    case 'verify':
      post({ type: 'verified', id: job.id, result: await e.verify(job.problem, job.steps) });
      return;
    case 'explain':
      post({ type: 'explained', id: job.id, result: await e.explain(job.problem, job.steps, { temperature: 1, top: 5, logits: job.logits }) });
      return;
    case 'whatIf':
      post({ type: 'continued', id: job.id, result: await e.whatIf(job.problem, job.steps, job.beginning, { seed: job.seed, temperature: job.temperature }) });
      return;
  }
}

async function pump(): Promise<void> {
  if (running) return;
  for (let job = queue.shift(); job; job = queue.shift()) {
    running = { id: job.id, controller: new AbortController() };
    try {
      await runJob(job, running.controller.signal);
    } catch (e) {
      if (!shuttingDown) post({ type: 'error', id: job.id, kind: errorKind(e), message: e instanceof Error ? e.message : String(e) });
    } finally {
      running = null;
      if (shuttingDown) process.exit(0);
      disposeRetired();
      post({ type: 'idle', id: job.id });
    }
  }
}

port.on('message', (data: unknown) => {
  const parsed = parseMessage(HostMessageSchema, data);
  if (!parsed.ok) {
    post({ type: 'error', id: null, kind: 'internal', message: `dropped an invalid message (${parsed.error})` });
    return;
  }
  const m = parsed.value;
  switch (m.type) {
    case 'configure': {
      if (JSON.stringify(m.config) === JSON.stringify(config)) return;
      // The running job keeps the engine it started with; the old one goes once the worker is idle.
      if (engine) retired.push(engine);
      engine = null;
      config = m.config;
      if (!running) disposeRetired();
      return;
    }
    case 'shutdown':
      // The job (if any) unwinds at its next checkpoint and the thread exits from pump().
      shuttingDown = true;
      queue.length = 0;
      if (running) running.controller.abort();
      else process.exit(0);
      return;
    case 'cancel': {
      if (running?.id === m.id) running.controller.abort();
      const i = queue.findIndex((j) => j.id === m.id);
      if (i >= 0) {
        queue.splice(i, 1);
        post({ type: 'error', id: m.id, kind: 'cancelled', message: 'cancelled' });
        post({ type: 'idle', id: m.id });
      }
      return;
    }
    default:
      queue.push(m);
      void pump();
  }
});

post({ type: 'ready' });
