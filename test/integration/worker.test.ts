import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { EngineClient, EngineError } from '../../src/worker/client';
import type { SearchEvent } from '../../src/core/protocol/results';

const WORKER = resolve(__dirname, '../../dist/worker.js');
const config = { policyDir: resolve(__dirname, '../../models/stepmath-policy'), prmDir: resolve(__dirname, '../../models/stepmath-prm'), threads: 1 };
const HARD = 'Compute 79 + ( 47 + 9 - 84 * 12 / ( 8 * 6 ) ).';

const client = new EngineClient(WORKER, config);
after(() => client.dispose());

test('a solve streams events, then its result', async () => {
  const events: SearchEvent[] = [];
  const r = await client.solve('Compute 12 + 7 * ( 5 - 3 ).', { strategy: 'beam', budget: 4, seed: 1 }, (e) => events.push(e));
  assert.equal(events[0].type, 'plan');
  assert.ok(events.filter((e) => e.type === 'node').length === r.tree.length);
  assert.ok(events.some((e) => e.type === 'candidate'));
  assert.ok(r.candidates.length > 0);
});

test('cancel stops a running solve quickly and leaves the worker usable', async () => {
  const controller = new AbortController();
  let nodes = 0;
  let abortedAt = 0;
  const started = client.solve(HARD, { strategy: 'beam', budget: 64, seed: 2, temperature: 1 }, (e) => {
    if (e.type === 'node' && ++nodes === 5) {
      abortedAt = Date.now();
      controller.abort();
    }
  }, controller.signal);
  await assert.rejects(started, (e: unknown) => e instanceof EngineError && e.kind === 'cancelled');
  // Generous: this is a correctness test on a busy machine; bench:reliability measures the latency.
  assert.ok(Date.now() - abortedAt < 1000, `cancel took ${Date.now() - abortedAt} ms`);
  const r = await client.solve('Compute 2 + 3.', { strategy: 'greedy' });
  assert.equal(r.problem, 'Compute 2 + 3.');
});

test('a killed worker fails the solve cleanly and the next solve restarts it', async () => {
  const running = client.solve(HARD, { strategy: 'beam', budget: 32, seed: 3 }, (e) => {
    if (e.type === 'node' && e.node.id === 3) void client.terminate();
  });
  await assert.rejects(running, (e: unknown) => e instanceof EngineError && e.kind === 'crashed');
  const r = await client.solve('Compute 2 + 3.', { strategy: 'greedy' });
  assert.ok(r.tree.length >= 2);
});

test('two solves at once are queued and never mix results', async () => {
  const a = client.solve('Compute 12 + 7 * ( 5 - 3 ).', { strategy: 'bon', budget: 4, seed: 5 });
  const b = client.solve('Solve for x: 3 * x + 5 = 20.', { strategy: 'bon', budget: 4, seed: 5 });
  const [ra, rb] = await Promise.all([a, b]);
  assert.equal(ra.problem, 'Compute 12 + 7 * ( 5 - 3 ).');
  assert.equal(rb.problem, 'Solve for x: 3 * x + 5 = 20.');
  // Each result is one whole search of its own problem: a tree rooted at it, and the Compute
  // search holds no step about x while the equation's does.
  for (const r of [ra, rb]) assert.ok(r.tree.every((n) => n.parentId === null || r.tree.some((m) => m.id === n.parentId)), 'every parent is in the same tree');
  assert.ok(ra.tree.slice(1).every((n) => !/\bx\b/.test(n.text)), 'no step of the equation in the Compute search');
  assert.ok(rb.tree.slice(1).some((n) => /\bx\b/.test(n.text)), 'the equation search is about x');
  assert.equal(ra.tree[0].text, ra.problem);
  assert.equal(rb.tree[0].text, rb.problem);
});

test('bad input and a missing model come back as typed errors', async () => {
  await assert.rejects(client.solve('   ', {}), (e: unknown) => e instanceof EngineError && e.kind === 'bad-input' && /empty/.test(e.message));
  const broken = new EngineClient(WORKER, { ...config, policyDir: '/nonexistent/model' });
  try {
    await assert.rejects(broken.solve('Compute 2 + 3.', {}), (e: unknown) => e instanceof EngineError && e.kind === 'model' && e.message.includes('/nonexistent/model'));
  } finally {
    await broken.dispose();
  }
});

test('the worker drops a message of the wrong shape and says so', async () => {
  const worker = new Worker(WORKER, { workerData: config });
  try {
    await once(worker, 'message');
    worker.postMessage({ type: 'solve', id: 'one', problem: 3 });
    const [reply] = await once(worker, 'message');
    assert.equal(reply.type, 'error');
    assert.equal(reply.id, null);
    assert.match(reply.message, /invalid message/);
  } finally {
    await worker.terminate();
  }
});
