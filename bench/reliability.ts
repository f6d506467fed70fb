// Reliability of the CLI and of the engine worker, measured:
//   1. bad input through the real CLI (the cases of test/fixtures/reliability/cases.ts): exit 1, one
//      line on stderr, and how long the rejection takes (the contract: under a second);
//   2. broken model folders: a ModelError naming the file, in process and through `--model` (exit 2),
//      and the bundled models still loading in the same process afterwards;
//   3. the worker killed in the middle of a search: the solve fails cleanly, the next one works;
//   4. solves submitted at once: queued, each result its own (equal to the same solve run alone);
//   5. cancellation: from AbortController.abort() to the client's promise settling, and to the
//      worker being idle again, at random points of beam searches (target p99 < 100 ms);
//   6. soak: N consecutive small solves in one worker: the process's RSS (the worker thread shares
//      it) after the first 50 and after N (target growth < 10%), latency of the first and last 50.
//
//   npm run bench:reliability -- [--soak 500] [--cancels 100] [--threads 1] [--seed 1] [--quick]
//                                [--only bad-input,faults,queue,cancel,soak]
//
// Prints tables, then one JSON line. Needs `npm run build` (dist/cli.js, dist/worker.js).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { EngineClient, EngineError } from '../src/worker/client';
import { OnnxDecoder } from '../src/core/model/onnx-decoder';
import { ModelError } from '../src/core/model/folder';
import { createEngine } from '../src/core/backends';
import { generateProblems, Rng } from '../src/core/domains/stepmath';
import type { SolveOptions, SolveResult } from '../src/core/protocol/results';
import { CLI, makeFaults, MEGABYTE_TEXT, POLICY, PRM, randomBytes, REJECTED, ROOT } from '../test/fixtures/reliability/cases';

const { values: args } = parseArgs({
  options: {
    soak: { type: 'string', default: '500' },
    cancels: { type: 'string', default: '100' },
    threads: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'bad-input,faults,queue,cancel,soak' },
  },
});
const ONLY = new Set(args.only.split(','));
for (const name of ONLY) if (!['bad-input', 'faults', 'queue', 'cancel', 'soak'].includes(name)) throw new Error(`--only takes bad-input, faults, queue, cancel, soak (got ${name})`);
const SOAK = args.quick ? 100 : Number(args.soak);
const CANCELS = args.quick ? 20 : Number(args.cancels);
const THREADS = Number(args.threads);
const SEED = Number(args.seed);
if (!(SOAK >= 100 && SOAK % 50 === 0)) throw new Error('--soak must be a multiple of 50, at least 100 (the first and last 50 are compared)');

const HARD = 'Compute 79 + ( 47 + 9 - 84 * 12 / ( 8 * 6 ) ).';
const WORKER = join(ROOT, 'dist/worker.js');
const config = { policyDir: POLICY, prmDir: PRM, threads: THREADS };
const scratch = mkdtempSync(join(tmpdir(), 'stepwise-bench-reliability-'));

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
/** Nearest-rank percentile. */
const pct = (xs: number[], p: number) => (xs.length ? sorted(xs)[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))] : NaN);
const median = (xs: number[]) => pct(xs, 50);
const r1 = (x: number) => Math.round(x * 10) / 10;
const mb = (bytes: number) => r1(bytes / 2 ** 20);

function table(title: string, header: string[], rows: (string | number | boolean)[][]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? String(r1(c)) : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  console.log(`\n${title}`);
  cells.forEach((r, k) => {
    console.log('  ' + r.map((c, i) => c.padEnd(widths[i])).join('  '));
    if (k === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  });
}

function cli(argv: string[], input?: string | Buffer) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...argv], { input, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout, ms: performance.now() - started };
}

// ------------------------------------------------------------------------------- 1. bad input

function badInput() {
  const file = join(scratch, 'megabyte.jsonl');
  writeFileSync(file, JSON.stringify({ problem: MEGABYTE_TEXT }) + '\n');
  const cases: { name: string; run: () => ReturnType<typeof cli>; message: RegExp }[] = [
    ...REJECTED.map((c) => ({ name: `solve: ${c.name}`, run: () => cli(['solve', c.problem, '--json']), message: c.message })),
    ...REJECTED.map((c) => ({ name: `verify: ${c.name}`, run: () => cli(['verify', '--json'], `${c.problem}\n1 + 1 = 2\n`), message: c.message })),
    { name: 'solve: 100 KB argument', run: () => cli(['solve', MEGABYTE_TEXT.slice(0, 100_000)]), message: /characters long/ },
    { name: 'solve --input: 1 MB problem', run: () => cli(['solve', '--input', file]), message: /characters long/ },
    { name: 'verify: 1 MB on one line', run: () => cli(['verify'], MEGABYTE_TEXT), message: /characters long/ },
    { name: 'verify: 1 MB of steps', run: () => cli(['verify'], `Compute 2 + 3.\n${'2 + 3 = 5\n'.repeat(100_000)}`), message: /steps; the limit/ },
    { name: 'verify: 1 MB of binary', run: () => cli(['verify'], randomBytes(1_000_000, 11, true)), message: /binary/ },
  ];
  const rows = cases.map((c) => {
    const r = c.run();
    const lines = r.stderr.trimEnd().split('\n');
    const ok = r.code === 1 && lines.length === 1 && /^stepwise: /.test(lines[0]) && c.message.test(lines[0]) && !/\n\s+at /.test(r.stderr) && r.stdout === '';
    return { name: c.name, code: r.code, lines: lines.length, ms: r.ms, ok, message: lines[0].slice(10, 70) };
  });
  const nodeStart = median([0, 1, 2].map(() => cli(['--help']).ms));
  table('Bad input through the CLI (exit 1, one line on stderr)', ['case', 'exit', 'lines', 'ms', 'ok', 'message'], rows.map((r) => [r.name, r.code ?? 'none', r.lines, r.ms, r.ok ? 'yes' : 'NO', r.message]));
  const max = Math.max(...rows.map((r) => r.ms));
  console.log(`  max ${r1(max)} ms, median ${r1(median(rows.map((r) => r.ms)))} ms; \`stepwise --help\` (process start and bundle load) takes ${r1(nodeStart)} ms`);
  return { bad_input_cases: rows.length, bad_input_ok: rows.filter((r) => r.ok).length, bad_input_max_ms: r1(max), bad_input_median_ms: r1(median(rows.map((r) => r.ms))), cli_start_ms: r1(nodeStart) };
}

// ------------------------------------------------------------------------------- 2. model faults

async function modelFaults() {
  const rows: (string | boolean | number)[][] = [];
  let ok = 0;
  const faults = makeFaults(scratch);
  for (const f of faults) {
    let inProcess = false;
    let message = '';
    try {
      await (await OnnxDecoder.load(f.dir, 'logits', { threads: THREADS })).release();
      message = 'LOADED';
    } catch (e) {
      message = (e as Error).message;
      inProcess = e instanceof ModelError && message.includes(f.file) && f.message.test(message) && !message.includes('\n');
    }
    const r = cli(['solve', 'Compute 2 + 3.', '--model', f.dir, '--threads', String(THREADS)]);
    const line = r.stderr.trimEnd();
    const viaCli = r.code === 2 && !line.includes('\n') && line.includes(f.file) && f.message.test(line);
    if (inProcess && viaCli) ok++;
    rows.push([f.name, inProcess ? 'yes' : 'NO', viaCli ? 'yes' : 'NO', r.ms, message.replace(scratch, '$TMP').slice(0, 90)]);
  }
  const engine = await createEngine(config);
  let bundledAfter = false;
  try {
    bundledAfter = (await engine.solve('Compute 2 + 3.', { strategy: 'greedy', maxSteps: 2 })).problem === 'Compute 2 + 3.';
  } finally {
    await engine.dispose();
  }
  table('Broken model folders (a copy of the bundled policy, broken one way each)', ['fault', 'ModelError', 'CLI exit 2', 'CLI ms', 'message'], rows);
  console.log(`  the bundled models load and solve in the same process afterwards: ${bundledAfter ? 'yes' : 'NO'}`);
  return { model_faults_ok: ok, model_faults_total: faults.length, bundled_after_faults: bundledAfter };
}

// ------------------------------------------------------------------------------- 3 + 4. worker kill, queueing

/** What must not mix between two solves: the problem, the candidates and the tree. */
const fingerprint = (r: SolveResult) => JSON.stringify({ problem: r.problem, candidates: r.candidates, tree: r.tree.map((n) => n.text) });

async function workerKillAndQueue(client: EngineClient) {
  let killedCleanly = false;
  const running = client.solve(HARD, { strategy: 'beam', budget: 32, seed: 3 }, (e) => {
    if (e.type === 'node' && e.node.id === 3) void client.terminate();
  });
  try {
    await running;
  } catch (e) {
    killedCleanly = e instanceof EngineError && e.kind === 'crashed';
  }
  const t = performance.now();
  const next = await client.solve('Compute 2 + 3.', { strategy: 'greedy' }).then(
    (r) => r.problem === 'Compute 2 + 3.',
    () => false,
  );
  const restartMs = performance.now() - t;

  const jobs: [string, SolveOptions][] = [
    ['Compute 12 + 7 * ( 5 - 3 ).', { strategy: 'bon', budget: 4, seed: 5 }],
    ['Solve for x: 3 * x + 5 = 20.', { strategy: 'beam', budget: 4, seed: 6 }],
    [HARD, { strategy: 'weighted-bon', budget: 4, seed: 7 }],
  ];
  const alone: string[] = [];
  for (const [p, o] of jobs) alone.push(fingerprint(await client.solve(p, o)));
  const order: number[] = [];
  const together = await Promise.all(jobs.map(([p, o], i) => client.solve(p, o).then((r) => (order.push(i), fingerprint(r)))));
  const notMixed = together.every((f, i) => f === alone[i]);
  const fifo = order.join() === jobs.map((_, i) => i).join();
  table('Worker crash and queueing', ['check', 'result'], [
    ['worker killed mid-search: the solve fails with kind "crashed"', killedCleanly ? 'yes' : 'NO'],
    ['the next solve restarts the worker and succeeds', next ? 'yes' : 'NO'],
    ['  time of that solve (worker start + model load + solve), ms', r1(restartMs)],
    [`${jobs.length} solves submitted at once: each result equals the same solve run alone`, notMixed ? 'yes' : 'NO'],
    ['  and they finish in submission order (FIFO queue)', fifo ? 'yes' : 'NO'],
  ]);
  return { worker_kill_clean: killedCleanly, worker_kill_next_ok: next, restart_ms: r1(restartMs), concurrent_not_mixed: notMixed, concurrent_fifo: fifo };
}

// ------------------------------------------------------------------------------- 5. cancellation

async function cancellation(client: EngineClient) {
  const options = (seed: number): SolveOptions => ({ strategy: 'beam', budget: 16, temperature: 1, seed });
  // How long an uncancelled search runs: the random abort points fall inside it.
  const full: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await client.solve(HARD, options(1000 + i));
    full.push(performance.now() - t);
  }
  const span = median(full);
  const rng = new Rng(SEED);
  const settle: number[] = [];
  const idle: number[] = [];
  let missed = 0;
  for (let i = 0; settle.length < CANCELS; i++) {
    if (missed > 5 * CANCELS) throw new Error('searches keep finishing before the abort: the random points are wrong');
    const controller = new AbortController();
    let abortedAt = 0;
    let settledAt = 0;
    const delay = rng.next() * 0.9 * span;
    const solve = client.solve(HARD, options(i), undefined, controller.signal).then(
      () => 'finished' as const,
      (e: unknown) => {
        settledAt = performance.now();
        if (!(e instanceof EngineError && e.kind === 'cancelled')) throw e;
        return 'cancelled' as const;
      },
    );
    const timer = setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, delay);
    const outcome = await solve;
    clearTimeout(timer);
    if (outcome === 'finished' || abortedAt === 0) {
      missed++;
      while (client.busy) await new Promise((r) => setImmediate(r));
      continue;
    }
    while (client.busy) await new Promise((r) => setImmediate(r));
    const idleAt = performance.now();
    settle.push(settledAt - abortedAt);
    idle.push(idleAt - abortedAt);
  }
  const row = (name: string, xs: number[]) => [name, r1(pct(xs, 50)), r1(pct(xs, 90)), r1(pct(xs, 99)), r1(Math.max(...xs))];
  table(
    `Cancellation: ${CANCELS} aborts at uniform random points of beam searches (budget 16, median uncancelled ${r1(span)} ms; ${missed} searches finished before their abort and were redrawn)`,
    ['from abort() to', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
    [row("the client's promise settled", settle), row('the worker idle (client.busy false)', idle)],
  );
  return {
    cancel_n: CANCELS,
    cancel_missed: missed,
    cancel_search_ms: r1(span),
    cancel_settle_p50_ms: r1(pct(settle, 50)),
    cancel_settle_p99_ms: r1(pct(settle, 99)),
    cancel_idle_p50_ms: r1(pct(idle, 50)),
    cancel_idle_p99_ms: r1(pct(idle, 99)),
    cancel_idle_max_ms: r1(Math.max(...idle)),
    cancel_p99_ok: pct(idle, 99) < 100,
  };
}

// ------------------------------------------------------------------------------- 6. soak

async function soak(client: EngineClient) {
  // 50 different problems, repeated: the first and the last 50 solves are the same jobs.
  const problems = [...generateProblems({ family: 'mixed', count: 50, seed: SEED })].map((p) => p.problem);
  const options = (i: number): SolveOptions => ({ strategy: 'beam', budget: 4, seed: i % 50 });
  const latency: number[] = [];
  const rss: { after: number; rss: number; heap: number }[] = [];
  for (let i = 0; i < SOAK; i++) {
    const t = performance.now();
    await client.solve(problems[i % 50], options(i));
    latency.push(performance.now() - t);
    if ((i + 1) % 50 === 0) {
      const m = process.memoryUsage();
      rss.push({ after: i + 1, rss: m.rss, heap: m.heapUsed });
    }
  }
  const first = latency.slice(0, 50);
  const last = latency.slice(-50);
  const growth = (100 * (rss[rss.length - 1].rss - rss[0].rss)) / rss[0].rss;
  table(
    `Soak: ${SOAK} consecutive solves in one worker (beam, budget 4; 50 generated problems, repeated), RSS of the whole process`,
    ['after solves', 'RSS MB', 'main heap MB', 'median ms (these 50)', 'mean ms (these 50)'],
    rss.map((s, k) => {
      const window = latency.slice(k * 50, k * 50 + 50);
      return [s.after, mb(s.rss), mb(s.heap), median(window), window.reduce((a, b) => a + b, 0) / window.length];
    }),
  );
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`  RSS growth from 50 to ${SOAK} solves: ${r1(growth)}% (target < 10%); latency last 50 / first 50: median ${r1(median(last) / median(first))}x, mean ${r1(mean(last) / mean(first))}x`);
  return {
    soak_n: SOAK,
    rss_after_50_mb: mb(rss[0].rss),
    rss_after_n_mb: mb(rss[rss.length - 1].rss),
    rss_growth_pct: r1(growth),
    rss_ok: growth < 10,
    first50_median_ms: r1(median(first)),
    last50_median_ms: r1(median(last)),
    first50_mean_ms: r1(mean(first)),
    last50_mean_ms: r1(mean(last)),
    latency_ratio: Math.round((100 * median(last)) / median(first)) / 100,
  };
}

async function main(): Promise<void> {
  console.log(`stepwise bench:reliability: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load ${loadavg()[0].toFixed(2)}, --threads ${THREADS}, soak ${SOAK}, cancels ${CANCELS}`);
  const started = performance.now();
  const result: Record<string, unknown> = { bench: 'reliability' };
  if (ONLY.has('bad-input')) Object.assign(result, badInput());
  if (ONLY.has('faults')) Object.assign(result, await modelFaults());
  const client = new EngineClient(WORKER, config, (m) => console.error(`  [engine] ${m}`));
  try {
    if (ONLY.has('queue')) Object.assign(result, await workerKillAndQueue(client));
    if (ONLY.has('cancel')) Object.assign(result, await cancellation(client));
    if (ONLY.has('soak')) Object.assign(result, await soak(client));
  } finally {
    await client.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
  Object.assign(result, { threads: THREADS, cpus: cpus().length, load_avg_1m: Number(loadavg()[0].toFixed(2)), seconds: Math.round((performance.now() - started) / 1000) });
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
