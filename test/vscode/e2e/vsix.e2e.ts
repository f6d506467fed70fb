// End to end on the packaged extension: `npm run package` builds the linux-x64 VSIX, code-server
// installs it (`--install-extension`) into a fresh extensions dir, and a person solves from the
// palette with nothing of the repository loaded: the bundles and bundled models come from the VSIX.
// (Runs last of the e2e files: packaging rebuilds dist/ minified; `after` rebuilds the test build.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installVsix, makeTempDir, openWorkbench, removeTempDir, repoRoot, screenshot, solveFromPalette, waitUntil, webviewWith, type Workbench } from './helpers';

const PROBLEM = 'Compute 12 + 7 * ( 5 - 3 ).';
const VSIX = join(repoRoot, 'stepwise-linux-x64.vsix');

let wb: Workbench | undefined;
let extensionsDir: string;
let installed: string;
before(() => {
  execFileSync('npm', ['run', 'package'], { cwd: repoRoot, stdio: 'inherit' });
  extensionsDir = makeTempDir('stepwise-vsix-ext-');
  installVsix(VSIX, extensionsDir);
  const { publisher, name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, string>;
  installed = join(extensionsDir, `${publisher}.${name}-${version}`);
  assert.ok(existsSync(installed), `installed as ${installed} (found: ${readdirSync(extensionsDir).join(', ')})`);
}, { timeout: 300_000 });
after(async () => {
  await wb?.close();
  if (extensionsDir) removeTempDir(extensionsDir);
  execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
}, { timeout: 120_000 });

test('the VSIX holds the bundles, both domains\' models and only the linux-x64 onnxruntime binary', () => {
  for (const f of ['dist/extension.js', 'dist/worker.js', 'dist/explain.js', 'models/stepmath-policy/onnx/model.onnx', 'models/stepmath-prm/onnx/model.onnx', 'models/stepmath-policy/tokenizer.json', 'models/make24-policy/onnx/model.onnx', 'models/make24-prm/onnx/model.onnx', 'models/stepmath-policy/onnx/model_inplace.onnx', 'models/stepmath-prm/onnx/model_inplace.onnx', 'models/make24-policy/onnx/model_inplace.onnx', 'models/make24-prm/onnx/model_inplace.onnx', 'models/make24-policy/tokenizer.json']) {
    assert.ok(existsSync(join(installed, f)), `${f} is installed`);
  }
  for (const f of ['src', 'test', 'models/train', 'models/stepmath-policy-4x', 'models/make24-policy-4x', 'webview', 'bench', 'node_modules/@huggingface/transformers']) {
    assert.ok(!existsSync(join(installed, f)), `${f} is not shipped`);
  }
  const napi = join(installed, 'node_modules/onnxruntime-node/bin');
  const platforms = readdirSync(napi).flatMap((v) => readdirSync(join(napi, v)).flatMap((os) => readdirSync(join(napi, v, os)).map((arch) => `${os}/${arch}`)));
  assert.deepEqual([...new Set(platforms)], ['linux/x64']);
  const mb = statSync(VSIX).size / 2 ** 20;
  assert.ok(mb < 60, `VSIX is ${mb.toFixed(1)} MB`);
});

test('the installed VSIX solves from the palette', { timeout: 300_000 }, async () => {
  wb = await openWorkbench({ name: 'vsix', extension: 'none', extensionsDir, files: { 'notes.txt': `${PROBLEM}\n` }, settings: { 'stepwise.strategy': 'beam', 'stepwise.budget': 8 } });
  const { page } = wb;
  await solveFromPalette(page, PROBLEM);
  const panel = await webviewWith(page, 'section.candidates', 120_000);
  await waitUntil(async () => (await panel.locator('.meta').innerText()).includes('done'), { timeoutMs: 180_000, what: 'a finished search' });
  await screenshot(page, 'vsix-panel');
  assert.ok((await panel.locator('article.candidate').count()) >= 1, 'at least one candidate');
  assert.match(await panel.locator('article.candidate .answer').first().innerText(), /^Answer /);
});
