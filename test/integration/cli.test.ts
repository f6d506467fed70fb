import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(__dirname, '../../dist/cli.js');
function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');

test('verify marks a wrong step with a clear reason (issue example) and exits 3; a clean check exits 0', () => {
  assert.equal(cli(['verify'], 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 14\n').code, 0);
  const r = cli(['verify', '--json'], 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 15\n');
  assert.equal(r.code, 3);
  const out = JSON.parse(r.stdout);
  assert.equal(out.steps[0].valid, true);
  assert.equal(out.steps[1].valid, false);
  assert.equal(out.steps[1].reason, '7 * 2 is 14, not 15');
  // The PRM's real score of each step, not a placeholder.
  for (const step of out.steps) assert.ok(typeof step.score === 'number' && step.score > 0 && step.score < 1, JSON.stringify(step));
});

test('Make 24: verify follows the numbers left; generate prints held-out puzzles; an impossible puzzle is one clear line', () => {
  const ok = cli(['verify', '--json'], 'Use 3, 5, 6, 9 to make 24\n9 - 5 = 4 (left: 3 4 6)\n6 * 4 = 24 (left: 3 24)\n');
  assert.equal(ok.code, 0);
  assert.deepEqual(JSON.parse(ok.stdout).steps.map((s: { valid: boolean }) => s.valid), [true, true]);
  const bad = cli(['verify', '--json'], 'Make 24 with 4 7 8 8.\n8 / 8 = 1 (left: 1 4 7)\n7 - 1 = 6 (left: 4 6)\n6 * 4 = 24 (left: 24)\nAnswer: (7 - 8 / 8) * 4 * 8 = 24\n');
  assert.equal(bad.code, 3);
  assert.match(JSON.parse(bad.stdout).steps[3].reason, /uses 8 3 times/);
  const gen = cli(['generate', '--family', 'make24', '--split', 'test', '--numbers', '4', '--count', '20', '--seed', '3']);
  assert.equal(gen.code, 0);
  const rows = gen.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, 20);
  for (const row of rows) assert.deepEqual(Object.keys(row).sort(), ['difficulty', 'numbers', 'problem', 'solution', 'target']);
  assert.equal(gen.stdout, cli(['generate', '--family', 'make24', '--split', 'test', '--numbers', '4', '--count', '20', '--seed', '3']).stdout);
  const none = cli(['solve', 'Make 24 with 1 1 1 1.']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /has no solution/);
  noStack(none.stderr);
  const wrongFlag = cli(['generate', '--family', 'make24', '--ops', '3']);
  assert.equal(wrongFlag.code, 1);
  assert.match(wrongFlag.stderr, /--ops is for StepMath/);
});

test('verify on empty or binary input exits 1 with one line', () => {
  for (const input of ['', '\n\n', '\u0000\u0001\u0002binary']) {
    const r = cli(['verify'], input);
    assert.equal(r.code, 1, JSON.stringify(input));
    assert.equal(r.stderr.trim().split('\n').length, 1);
    noStack(r.stderr);
  }
});

test('verify --jsonl checks many solutions, one line each', () => {
  const lines = [
    { problem: 'Compute 2 + 3 * 4.', steps: ['3 * 4 = 12', '2 + 12 = 14', 'Answer: 14'] },
    { problem: 'Compute 2 + 3 * 4.', steps: ['2 + 3 = 5', '5 * 4 = 20', 'Answer: 20'] },
  ];
  const r = cli(['verify', '--jsonl'], lines.map((l) => JSON.stringify(l)).join('\n'));
  const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(out[0].steps.map((s: { valid: boolean }) => s.valid), [true, true, true]);
  assert.deepEqual(out[1].steps.map((s: { valid: boolean }) => s.valid), [false, false, false]);
});

test('generate prints deterministic JSONL with the documented fields', () => {
  const a = cli(['generate', '--family', 'mixed', '--count', '5', '--seed', '11']);
  const b = cli(['generate', '--family', 'mixed', '--count', '5', '--seed', '11']);
  assert.equal(a.stdout, b.stdout);
  for (const line of a.stdout.trim().split('\n')) {
    const p = JSON.parse(line);
    assert.deepEqual(Object.keys(p).sort(), ['answer', 'family', 'id', 'ops', 'problem', 'solution']);
  }
  const bad = cli(['generate', '--family', 'poetry']);
  assert.equal(bad.code, 1);
  noStack(bad.stderr);
});

test('solve --json follows the CLI contract', () => {
  const r = cli(['solve', 'Compute 12 + 7 * ( 5 - 3 ).', '--strategy', 'beam', '--budget', '4', '--json', '--threads', '1']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const key of ['problem', 'answer', 'strategy', 'budget', 'difficulty', 'tokens', 'flops', 'ms', 'candidates']) assert.ok(key in out, key);
  assert.equal(out.strategy, 'beam');
  assert.equal(out.budget, 4);
  for (let i = 1; i < out.candidates.length; i++) assert.ok(out.candidates[i - 1].score >= out.candidates[i].score || out.strategy !== 'beam');
  for (const c of out.candidates) {
    assert.ok('verified' in c && 'answer' in c);
    for (const s of c.steps) assert.ok([true, false, null].includes(s.valid) && typeof s.score === 'number');
  }
});

test('solve: bad input exits 1, a broken model exits 2, both with one clear line', () => {
  const empty = cli(['solve', '   ']);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /empty/);
  const strategy = cli(['solve', 'Compute 1 + 1.', '--strategy', 'magic']);
  assert.equal(strategy.code, 1);
  const missing = cli(['solve', 'Compute 1 + 1.', '--model', '/nonexistent/folder']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /\/nonexistent\/folder/);
  for (const r of [empty, strategy, missing]) {
    assert.equal(r.stderr.trim().split('\n').length, 1);
    noStack(r.stderr);
  }
});

test('solve --input writes one object per line and a summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-'));
  const file = join(dir, 'p.jsonl');
  writeFileSync(file, [{ id: 'a', problem: 'Compute 2 + 3.', answer: '5' }, { id: 'b', problem: 'Compute 4 * 5.' }].map((x) => JSON.stringify(x)).join('\n'));
  const r = cli(['solve', '--input', file, '--strategy', 'greedy', '--json', '--threads', '1']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.deepEqual(lines.slice(0, 2).map((l) => l.id), ['a', 'b']);
  assert.equal(typeof lines[0].correct, 'boolean');
  assert.equal(lines[2].summary, true);
  assert.equal(lines[2].graded, 1);
  assert.ok(lines[2].tokens > 0);
  const garbage = cli(['solve', '--input', join(dir, 'missing.jsonl')]);
  assert.equal(garbage.code, 1);
});

test('a problem too long for the model is bad input (exit 1), not a model failure', () => {
  const long = `Compute ${Array.from({ length: 120 }, (_, i) => String((i % 9) + 1)).join(' + ')}.`;
  const r = cli(['solve', long, '--strategy', 'greedy']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /tokens long; this model reads at most/);
  noStack(r.stderr);
});

test('solve names the domain; text no bundled model knows gets domain null and one warning line', () => {
  const known = cli(['solve', 'Compute 2 + 3.', '--strategy', 'greedy', '--json']);
  assert.equal(known.code, 0);
  assert.equal(JSON.parse(known.stdout).domain, 'stepmath');
  assert.equal(known.stderr, '');
  const unknown = cli(['solve', 'Natalia sold clips to 48 of her friends in April', '--strategy', 'greedy', '--json']);
  assert.equal(unknown.code, 0);
  assert.equal(JSON.parse(unknown.stdout).domain, null);
  assert.equal(unknown.stderr.trim().split('\n').length, 1);
  assert.match(unknown.stderr, /^stepwise: warning: .*not trained for this kind of problem.*Bigger models/);
});
