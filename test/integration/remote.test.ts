import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RemotePolicy } from '../../src/core/backends/remote-policy';
import { RemotePrm, parsePrmConvention } from '../../src/core/backends/remote-prm';
import { RemoteError } from '../../src/core/backends/http';
import { CancelledError } from '../../src/core/cancel';
import { Rng } from '../../src/core/rng';
import { ModelError, readModelFolder } from '../../src/core/model/folder';
import { TextTokenizer } from '../../src/core/model/tokenizer';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const POLICY = join(ROOT, 'models/stepmath-policy');
const GREEDY = { temperature: 0, topP: 1, suppress: [] };
const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');

// ---------- `stepwise serve` as a child process ----------

interface Serve {
  child: ChildProcess;
  url: string;
  log: string[];
  exited: Promise<number | null>;
}

function startServe(): Promise<Serve> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--threads', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolveServe, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${log.join('\n')}`)), 60_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        log.push(line);
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolveServe({ child, url: m[1], log, exited });
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${log.join('\n')}`)));
  });
}

function cli(args: string[], onSpawn?: (c: ChildProcess) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const c = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout!.on('data', (d) => (stdout += d));
    c.stderr!.on('data', (d) => (stderr += d));
    c.on('exit', (code) => done({ code, stdout, stderr }));
    onSpawn?.(c);
  });
}

let serve: Serve;
before(async () => {
  serve = await startServe();
});
after(async () => {
  if (serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
});

interface Solved {
  answer: string | null;
  tokens: number;
  candidates: { answer: string | null; steps: { text: string; score: number }[] }[];
}

async function solve(problem: string, extra: string[]): Promise<Solved> {
  const r = await cli(['solve', problem, '--strategy', 'greedy', '--json', '--threads', '1', '--max-steps', '8', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function assertSameSolution(local: Solved, remote: Solved, what: string): void {
  assert.equal(remote.answer, local.answer, `${what}: answer`);
  assert.equal(remote.tokens, local.tokens, `${what}: generated tokens`);
  assert.equal(remote.candidates.length, local.candidates.length, `${what}: candidates`);
  local.candidates.forEach((c, i) => {
    const r = remote.candidates[i];
    assert.deepEqual(
      r.steps.map((s) => s.text),
      c.steps.map((s) => s.text),
      `${what}: step texts`,
    );
    r.steps.forEach((s, j) => assert.ok(Math.abs(s.score - c.steps[j].score) < 1e-4, `${what}: score of step ${j}: ${s.score} vs ${c.steps[j].score}`));
  });
}

test('solve against `stepwise serve` gives what the local engine gives (greedy, temperature 0), also mixed local/remote', async () => {
  for (const problem of ['Compute 12 + 7 * ( 5 - 3 ).', 'Solve for x: 3 * x + 5 = 20.']) {
    const local = await solve(problem, []);
    const remote = await solve(problem, ['--policy-url', serve.url, '--prm-url', `${serve.url}/v1`]);
    assertSameSolution(local, remote, `remote ${problem}`);
    assertSameSolution(local, await solve(problem, ['--policy-url', serve.url]), `remote policy + local PRM ${problem}`);
    assertSameSolution(local, await solve(problem, ['--prm-url', serve.url]), `local policy + remote PRM ${problem}`);
  }
});

test('serve answers bad requests with 4xx JSON errors and keeps running', async () => {
  const post = (path: string, body: string) => fetch(`${serve.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const cases: [string, string, number, RegExp][] = [
    ['/v1/completions', 'not json{', 400, /not JSON/],
    ['/v1/completions', '[1,2]', 400, /JSON object/],
    ['/v1/completions', '{"prompt": 7}', 400, /prompt/],
    ['/v1/completions', '{"prompt": "Compute 1 + 1.\\n", "n": 1000}', 400, /n/],
    ['/v1/completions', '{"prompt": "Compute 1 + 1.\\n", "model": "gpt-9"}', 404, /gpt-9/],
    ['/v1/completions', '{"prompt": "Compute 1 + 1.\\n", "model": "stepmath-prm"}', 400, /reward model/],
    ['/v1/completions', '{"prompt": "Compute 1 + 1.\\n", "stream": true}', 400, /stream/],
    ['/pooling', '{"input": {"a": 1}}', 400, /input/],
    ['/pooling', `{"input": "${'1 + '.repeat(400)}1"}`, 400, /context length/],
    ['/nowhere', '{}', 404, /no route/],
  ];
  for (const [path, body, status, message] of cases) {
    const r = await post(path, body);
    assert.equal(r.status, status, `${path} ${body.slice(0, 40)}`);
    const json = await r.json();
    assert.match(json.error.message, message);
  }
  const models = await (await fetch(`${serve.url}/v1/models`)).json();
  assert.deepEqual(
    models.data.map((m: { id: string }) => m.id),
    ['stepmath-policy', 'stepmath-prm'],
  );
  const ok = await (await post('/v1/completions', '{"prompt": ["Compute 1 + 1.\\n", "Compute 2 + 2.\\n"], "n": 2, "stop": "\\n", "max_tokens": 8, "temperature": 0.7, "seed": 3}')).json();
  assert.equal(ok.choices.length, 4);
  assert.ok(ok.usage.completion_tokens >= 4 && ok.usage.prompt_tokens > 0);
});

test('serve completions end at the earliest stop string, at max_tokens, or at the end of the solution; a choice does not depend on n', async () => {
  type Reply = { choices: { index: number; text: string; finish_reason: string; stop_reason: string | null }[]; usage: { completion_tokens: number } };
  const complete = async (body: object): Promise<Reply> => (await fetch(`${serve.url}/v1/completions`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })).json() as Promise<Reply>;
  const prompt = 'Compute 12 + 7 * ( 5 - 3 ).\n';
  const whole = (await complete({ prompt, temperature: 0, max_tokens: 200 })).choices[0];
  assert.equal(whole.finish_reason, 'stop');
  assert.equal(whole.stop_reason, null, 'ended by the end of sequence');
  assert.match(whole.text, /\nAnswer: 26\n?$/);
  // Two stops: the one that comes first in the text wins, whichever is listed first.
  const stopped = (await complete({ prompt, temperature: 0, max_tokens: 200, stop: ['Answer', ' = '] })).choices[0];
  assert.equal(stopped.finish_reason, 'stop');
  assert.equal(stopped.stop_reason, ' = ');
  assert.equal(stopped.text, whole.text.slice(0, whole.text.indexOf(' = ')));
  const short = await complete({ prompt, temperature: 0, max_tokens: 5 });
  assert.deepEqual([short.choices[0].finish_reason, short.choices[0].text, short.usage.completion_tokens], ['length', whole.text.slice(0, 5), 5]);
  // Sampled (a product the policy often gets wrong, so samples differ): every choice has its own
  // seed from the request's, so the first three choices of n = 3 and n = 6 agree.
  const hard = { prompt: 'Compute 97 * 7.\n', temperature: 1, max_tokens: 40, seed: 11, stop: '\n' };
  const three = await complete({ ...hard, n: 3 });
  assert.deepEqual((await complete({ ...hard, n: 3 })).choices, three.choices, 'same seed, same choices');
  const many = await complete({ ...hard, n: 6 });
  assert.deepEqual(many.choices.slice(0, 3).map((c) => c.text), three.choices.map((c) => c.text));
  assert.deepEqual(many.choices.map((c) => c.index), [0, 1, 2, 3, 4, 5]);
  assert.ok(many.choices.every((c) => c.finish_reason === 'stop' && c.stop_reason === '\n' && !c.text.includes('\n')));
  assert.ok(new Set(many.choices.map((c) => c.text)).size > 1, 'the choices differ');
});

test('server killed mid-search: the CLI exits 2 with one clear line', async () => {
  const victim = await startServe();
  let killed = false;
  const r = await cli(['solve', 'Compute 12 + 7 * ( 5 - 3 ) - 81 / 9 + 4 * 6.', '--strategy', 'beam', '--budget', '16', '--max-steps', '16', '--policy-url', victim.url, '--prm-url', victim.url, '--json'], () => {
    const watch = (chunk: Buffer) => {
      if (!killed && /POST \/v1\/completions 200/.test(String(chunk))) {
        killed = true;
        victim.child.kill('SIGKILL');
      }
    };
    victim.child.stderr!.on('data', watch);
  });
  assert.ok(killed, 'the server saw the search');
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^stepwise: cannot reach ${victim.url.replace(/\./g, '\\.')}: connection refused`));
  noStack(r.stderr);
});

test('a server that is not there: exit 2, one line', async () => {
  const port = await freePort();
  const r = await cli(['solve', 'Compute 1 + 2.', '--policy-url', `http://127.0.0.1:${port}`, '--json']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), `stepwise: cannot reach http://127.0.0.1:${port}: connection refused`);
  const bad = await cli(['solve', 'Compute 1 + 2.', '--policy-url', 'localhost:8000']);
  assert.equal(bad.code, 1);
  noStack(bad.stderr);
  const noKey = await cli(['solve', 'Compute 1 + 2.', '--policy-url', `http://127.0.0.1:${port}`, '--api-key-env', 'STEPWISE_TEST_UNSET_KEY']);
  assert.equal(noKey.code, 1);
  assert.match(noKey.stderr, /STEPWISE_TEST_UNSET_KEY is not set/);
});

test('SIGTERM stops serve gracefully (exit 0)', async () => {
  const s = await startServe();
  s.child.kill('SIGTERM');
  assert.equal(await s.exited, 0);
});

// ---------- the remote backends against tiny servers written here ----------

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function tinyServer(onCompletion: Handler): Promise<{ url: string; server: Server; requests: { path: string; body: string; auth?: string }[] }> {
  const requests: { path: string; body: string; auth?: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests.push({ path: req.url!, body, auth: req.headers.authorization });
      if (req.url === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: 'tiny', object: 'model' }] });
      onCompletion(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server, requests };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

const completion = (texts: string[]) => ({
  id: 'cmpl-1',
  object: 'text_completion',
  model: 'tiny',
  choices: texts.map((text, index) => ({ index, text, finish_reason: 'stop', stop_reason: '\n' })),
  usage: { prompt_tokens: 10, completion_tokens: 6, total_tokens: 16 },
});

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => r(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

test('RemotePolicy retries a 500 and a 429, then succeeds', async () => {
  let calls = 0;
  const t = await tinyServer((_req, _body, res) => {
    calls++;
    if (calls === 1) return json(res, 500, { error: { message: 'warming up' } });
    if (calls === 2) return json(res, 429, { error: { message: 'slow down' } });
    json(res, 200, completion(['5 - 3 = 2', '7 * 2 = 14']));
  });
  process.env.STEPWISE_TEST_KEY = 'sk-test';
  try {
    const policy = new RemotePolicy({ url: `${t.url}/v1`, backoffMs: 10, apiKey: process.env.STEPWISE_TEST_KEY });
    const root = await policy.start('Compute 12 + 7 * ( 5 - 3 ).');
    assert.equal(root.prefix, 'Compute 12 + 7 * ( 5 - 3 ).\n');
    const drafts = await policy.extend([root, root], GREEDY, new Rng(1));
    assert.equal(calls, 3);
    assert.deepEqual(
      drafts.map((d) => [d.text, d.ended, d.state?.prefix]),
      [
        ['5 - 3 = 2', 'separator', 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n'],
        ['7 * 2 = 14', 'separator', 'Compute 12 + 7 * ( 5 - 3 ).\n7 * 2 = 14\n'],
      ],
    );
    assert.equal(drafts[0].tokens + drafts[1].tokens, 6);
    assert.equal(policy.tokensProcessed, 16);
    const sent = JSON.parse(t.requests.at(-1)!.body);
    assert.equal(sent.model, 'tiny');
    assert.equal(sent.n, 2);
    assert.deepEqual(sent.stop, ['\n']);
    assert.equal(sent.temperature, 0);
    assert.equal(t.requests.at(-1)!.auth, 'Bearer sk-test');
  } finally {
    await close(t.server);
  }
});

test('RemotePolicy gives up after bounded retries on a 503 with the server words', async () => {
  let calls = 0;
  const t = await tinyServer((_req, _body, res) => {
    calls++;
    json(res, 503, { object: 'error', message: 'overloaded' });
  });
  try {
    const policy = new RemotePolicy({ url: t.url, model: 'tiny', backoffMs: 5, retries: 2 });
    const root = await policy.start('Compute 1 + 2.');
    await assert.rejects(policy.extend([root], GREEDY, new Rng(1)), (e: unknown) => e instanceof RemoteError && /answered 503 Service Unavailable: overloaded/.test(e.message));
    assert.equal(calls, 3);
  } finally {
    await close(t.server);
  }
});

test('a stalled server times out within the configured time; cancel aborts at once', async () => {
  const t = await tinyServer(() => {
    // never answers
  });
  try {
    const policy = new RemotePolicy({ url: t.url, timeoutMs: 400, backoffMs: 5 });
    const root = await policy.start('Compute 1 + 2.');
    const started = performance.now();
    await assert.rejects(policy.extend([root], GREEDY, new Rng(1)), (e: unknown) => e instanceof RemoteError && e.message === `no answer from ${t.url} within 0.4 s`);
    const ms = performance.now() - started;
    assert.ok(ms >= 350 && ms < 2500, `timed out after ${ms} ms`);

    const slow = new RemotePolicy({ url: t.url, timeoutMs: 30_000 });
    const controller = new AbortController();
    const cancelStarted = performance.now();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(slow.extend([root], GREEDY, new Rng(1), controller.signal), CancelledError);
    assert.ok(performance.now() - cancelStarted < 1000);
  } finally {
    await close(t.server);
  }
});

test('garbage answers give a clear error, without retrying', async () => {
  let calls = 0;
  let answer: (res: ServerResponse) => void = () => {};
  const t = await tinyServer((_req, _body, res) => {
    calls++;
    answer(res);
  });
  try {
    const policy = new RemotePolicy({ url: t.url, backoffMs: 5 });
    const root = await policy.start('Compute 1 + 2.');
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    };
    await assert.rejects(policy.extend([root], GREEDY, new Rng(1)), (e: unknown) => e instanceof RemoteError && e.message.startsWith(`${t.url}/v1/completions answered with something that is not a completions response: "<html>hello</html>" is not JSON`));
    answer = (res) => json(res, 200, { choices: [{ txt: 'x' }] });
    await assert.rejects(policy.extend([root], GREEDY, new Rng(1)), (e: unknown) => e instanceof RemoteError && /not a completions response: choices\.0\.text/.test(e.message));
    answer = (res) => json(res, 200, completion(['a', 'b']));
    await assert.rejects(policy.extend([root], GREEDY, new Rng(1)), /2 choices for n = 1/);
    assert.equal(calls, 3);
    // A server that ignores n (one choice whatever is asked) still gives every child, one request each.
    answer = (res) => json(res, 200, completion([`step ${calls}`]));
    const drafts = await policy.extend([root, root, root], GREEDY, new Rng(1));
    assert.equal(new Set(drafts.map((d) => d.text)).size, 3);
    assert.ok(drafts.every((d) => d.ended === 'separator'));
  } finally {
    await close(t.server);
  }
});

test('RemotePrm reads the score at the last token with the convention of prm.json', async () => {
  const t = await tinyServer((_req, body, res) => {
    const { input } = JSON.parse(body);
    // Two classes per token; the last token's logits are [0, k] for the k-th input.
    json(res, 200, { object: 'list', data: input.map((_: string, k: number) => ({ index: k, object: 'pooling', data: [[5, -5], [0, k]] })), usage: { prompt_tokens: 7, total_tokens: 7 } });
  });
  try {
    const prm = new RemotePrm({ url: t.url, convention: parsePrmConvention({ step_token: '<extra_0>', score: { softmax_index: 1 }, prompt: '<user>{problem}</user>', task: 'token_classify' }, 'prm.json') });
    const root = await prm.start('Compute 1 + 2.');
    const scored = await prm.score([root, root], ['1 + 2 = 3', 'Answer: 3']);
    assert.ok(Math.abs(scored[0].score - 0.5) < 1e-9);
    assert.ok(Math.abs(scored[1].score - 1 / (1 + Math.exp(-1))) < 1e-9);
    assert.equal(scored[1].state.prefix, '<user>Compute 1 + 2.</user>Answer: 3<extra_0>');
    const sent = JSON.parse(t.requests.at(-1)!.body);
    assert.equal(sent.task, 'token_classify');
    assert.deepEqual(sent.input, ['<user>Compute 1 + 2.</user>1 + 2 = 3<extra_0>', '<user>Compute 1 + 2.</user>Answer: 3<extra_0>']);
    assert.equal(prm.tokensProcessed, 7);
    assert.throws(() => parsePrmConvention({ score: 'tanh' }, 'prm.json'), (e: unknown) => e instanceof ModelError && /^prm\.json: score/.test(e.message));
    assert.throws(() => parsePrmConvention({ step_tokn: '\n' }, 'prm.json'), /step_tokn/);
  } finally {
    await close(t.server);
  }
});

// ---------- local folders: chat template and step separator ----------

function modelCopy(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-folder-'));
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(POLICY, f), join(dir, f));
  mkdirSync(join(dir, 'onnx'));
  symlinkSync(join(POLICY, 'onnx', 'model.onnx'), join(dir, 'onnx', 'model.onnx'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('folders: no chat template -> <bos> + problem + separator; a chat template renders the prompt; bad pieces are named', () => {
  const plain = new TextTokenizer(readModelFolder(POLICY));
  assert.deepEqual(plain.promptIds('Compute 1 + 2.'), [1, ...plain.encode('Compute 1 + 2.\n')]);

  const twoLines = readModelFolder(modelCopy({ 'stepwise.json': '{"step_separator": "\\n\\n"}' }));
  assert.equal(twoLines.stepSeparator, '\n\n');
  assert.deepEqual(new TextTokenizer(twoLines).promptIds('Compute 1 + 2.'), [1, ...plain.encode('Compute 1 + 2.\n\n')]);

  const template = "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[assistant]\n{% endif %}";
  const config = { ...JSON.parse(readFileSync(join(POLICY, 'tokenizer_config.json'), 'utf8')), chat_template: template };
  const chat = new TextTokenizer(readModelFolder(modelCopy({ 'tokenizer_config.json': JSON.stringify(config), 'stepwise.json': '{"system_prompt": "Be brief."}' })));
  assert.deepEqual(chat.promptIds('Compute 1 + 2.'), plain.encode('[system] Be brief.\n[user] Compute 1 + 2.\n[assistant]\n'));

  const jinjaFile = readModelFolder(modelCopy({ 'chat_template.jinja': '{{ bos_token }}{{ messages[-1].content }}|' }));
  assert.equal(jinjaFile.chatTemplate, '{{ bos_token }}{{ messages[-1].content }}|');

  assert.throws(() => new TextTokenizer(readModelFolder(modelCopy({ 'chat_template.jinja': '{% for %}' }))), (e: unknown) => e instanceof ModelError && /chat template/.test(e.message));
  assert.throws(() => readModelFolder(modelCopy({ 'stepwise.json': '{"step_separator": ""}' })), /step_separator/);
  assert.throws(() => readModelFolder(modelCopy({ 'config.json': '{"is_encoder_decoder": true}' })), /encoder-decoder/);
});
