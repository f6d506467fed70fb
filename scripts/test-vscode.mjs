// Extension-host tests in a real VS Code: code-server, through @vscode/test-electron's runTests().
//
//   node scripts/test-vscode.mjs          (npm run test:vscode builds dist/ first)
//
// 1. Bundles test/vscode/runner.ts + every test/vscode/suite/**/*.test.ts into
//    out/test/vscode/suite.js (CommonJS; `vscode` external), whose run() the extension host calls.
// 2. runTests() with vscodeExecutablePath = test/vscode/code-server-launcher.sh, which starts
//    code-server and headless Chromium, runs the tests in the remote extension host and exits
//    with their exit code (see test/vscode/launcher.ts). Nothing is downloaded.
// Needs: `npm ci` and `bash test/vscode/setup.sh` (Chromium comes from test/vscode/chromium.ts).
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const suiteDir = join(root, 'test/vscode/suite');
const bundle = join(root, 'out/test/vscode/suite.js');

const testFiles = readdirSync(suiteDir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => './' + relative(root, join(suiteDir, f)).split('\\').join('/'));
if (testFiles.length === 0) {
  console.error(`no test files in ${suiteDir}`);
  process.exit(1);
}

await esbuild.build({
  stdin: {
    contents: [`export { run } from './test/vscode/runner';`, ...testFiles.map((f) => `import '${f.replace(/\.ts$/, '')}';`)].join('\n'),
    resolveDir: root,
    sourcefile: 'vscode-test-entry.ts',
    loader: 'ts',
  },
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode', 'onnxruntime-node'],
  logLevel: 'warning',
});

const temp = mkdtempSync(join(tmpdir(), 'stepwise-vscode-test-'));
const workspace = join(temp, 'workspace');
mkdirSync(workspace, { recursive: true });
writeFileSync(join(workspace, 'solution.txt'), 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 15\n');

// The runner's summary ("vscode: N passed, N failed") comes through the launcher's output;
// it is repeated as the last line so that CI reads it as the closing line.
let summary;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  const m = /^vscode: \d+ passed, \d+ failed.*$/m.exec(String(chunk));
  if (m) summary = m[0];
  return write(chunk, ...rest);
};

const started = Date.now();
let code = 0;
try {
  await runTests({
    vscodeExecutablePath: join(root, 'test/vscode/code-server-launcher.sh'),
    extensionDevelopmentPath: root,
    extensionTestsPath: bundle,
    launchArgs: [workspace, `--user-data-dir=${join(temp, 'user-data')}`, `--extensions-dir=${join(temp, 'extensions')}`],
    extensionTestsEnv: { STEPWISE_VSCODE_TEST: '1' },
  });
} catch (e) {
  code = typeof e?.code === 'number' && e.code !== 0 ? e.code : 1;
  console.error(`extension-host tests failed: ${e?.message ?? e}`);
} finally {
  rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
}
console.log(`test:vscode finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
// No summary: the tests never ran (setup, code-server or browser failure).
console.log(summary ?? 'vscode: 0 passed, 1 failed');
process.exit(code);
