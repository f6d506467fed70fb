// `explain`: the policy's view of every token of a written solution, through the engine's own sessions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Engine } from '../../src/core/engine';
import { createEngine } from '../../src/core/backends';
import { bundledModels } from '../../src/core/domains';

const ROOT = resolve(__dirname, '../..');
let engine: Engine;
before(async () => {
  engine = await createEngine({ ...bundledModels(resolve(ROOT, 'models')), threads: 1 });
});
after(async () => {
  await engine.dispose();
});

test('on greedy solutions every token is its place\'s most likely one at temperature 1, and the PRM score is the search\'s', async () => {
  for (const problem of ['Compute 12 + 7 * ( 5 - 3 ).', 'Solve for x: 3 * x + 5 = 20.', 'Compute 47 * 3 - 58 + 96 / 12.']) {
    const solved = await engine.solve(problem, { strategy: 'greedy', verifier: 'prm' });
    const steps = solved.candidates[0].steps;
    const explained = await engine.explain(problem, steps.map((s) => s.text), { temperature: 1, top: 3 });
    assert.equal(explained.steps.length, steps.length);
    explained.steps.forEach((s, i) => {
      assert.ok(Math.abs((s.score ?? 0) - (steps[i].score ?? 0)) < 1e-4, `${problem} step ${i}: PRM ${s.score} vs search ${steps[i].score}`);
      assert.equal(s.tokens.map((t) => t.token).join(''), `${steps[i].text}\n`, 'the step and its separator, token by token');
      for (const t of s.tokens) {
        assert.equal(t.top.length, 3);
        assert.ok(t.p >= t.top[0].p - 1e-6, `${JSON.stringify(t.token)} in "${s.text}" is the most likely token (p ${t.p}, best ${t.top[0].token} ${t.top[0].p})`);
        for (let k = 1; k < t.top.length; k++) assert.ok(t.top[k - 1].p >= t.top[k].p, 'most likely first');
      }
    });
  }
});

test('temperature reshapes the same logits: sharper below 1, flatter above', async () => {
  const steps = ['5 - 3 = 2', '7 * 2 = 15'];
  const [cold, warm] = await Promise.all([0.5, 2].map((temperature) => engine.explain('Compute 12 + 7 * ( 5 - 3 ).', steps, { temperature, top: 5 })));
  const wrongDigit = (r: typeof cold) => r.steps[1].tokens.at(-2)!; // the "5" of 15, where the policy expected "4"
  assert.equal(wrongDigit(cold).token, '5');
  assert.ok(wrongDigit(cold).p < wrongDigit(warm).p, 'an unlikely token gains probability as the temperature rises');
  assert.equal(wrongDigit(cold).top[0].token, wrongDigit(warm).top[0].token, 'the order of tokens does not change');
  assert.equal(cold.steps[1].valid, false);
  assert.match(cold.steps[1].reason, /14, not 15/);
});

test('stepwise explain --json prints the documented structure; bad input is one line, exit 1', () => {
  const cli = (args: string[], input: string) => spawnSync(process.execPath, [resolve(ROOT, 'dist/cli.js'), ...args], { input, encoding: 'utf8', timeout: 120_000 });
  const r = cli(['explain', '--json', '--top', '2'], 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 14\n');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out.steps[0]).sort(), ['reason', 'score', 'text', 'tokens', 'valid']);
  assert.deepEqual(Object.keys(out.steps[0].tokens[0]).sort(), ['p', 'token', 'top']);
  assert.equal(out.steps[0].tokens[0].top.length, 2);
  const bad = cli(['explain', '--temperature', '0'], 'Compute 1 + 1.\n1 + 1 = 2\n');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^stepwise: --temperature must be/);
});

test('what-if: the policy writes the rest of a step from a chosen beginning, and the step gets its score and verdict; raw logits come on request', async () => {
  const r = await engine.whatIf('Compute 12 + 7 * ( 5 - 3 ).', ['5 - 3 = 2'], '7 * 2 = 1', { seed: 0 });
  assert.ok(r.text.startsWith('7 * 2 = 1'), r.text);
  assert.ok(r.score !== null && r.score >= 0 && r.score <= 1);
  assert.equal(r.valid, r.text === '7 * 2 = 14');
  const withLogits = await engine.explain('Compute 12 + 7 * ( 5 - 3 ).', ['5 - 3 = 2'], { logits: 256 });
  for (const t of withLogits.steps[0].tokens) {
    assert.ok(t.logits && t.logits.some((l) => l.token === t.token), 'the written token is among the logits sent');
    // softmax over the logits sent (the whole vocabulary of the bundled model) gives the same p
    const max = Math.max(...t.logits!.map((l) => l.logit));
    const sum = t.logits!.reduce((a, l) => a + Math.exp(l.logit - max), 0);
    const own = t.logits!.find((l) => l.token === t.token)!;
    assert.ok(Math.abs(Math.exp(own.logit - max) / sum - t.p) < 1e-5);
  }
});
