// Stands in for the VS Code executable that @vscode/test-electron's runTests() spawns
// (through code-server-launcher.sh, the `vscodeExecutablePath`).
//
// runTests' protocol is only: spawn the executable with
//   --extensionDevelopmentPath=DIR --extensionTestsPath=MODULE [--user-data-dir=D]
//   [--extensions-dir=D] [launchArgs: a folder to open, ...] + Electron flags (ignored here)
// and take its exit code as the result (0: tests passed). This launcher:
//   1. starts code-server (code-server.ts) with those dirs, on a free port of 127.0.0.1;
//   2. opens the workbench in headless Chromium with the URL `payload` that VS Code's web
//      workbench reads: extensionDevelopmentPath / extensionTestsPath as vscode-remote:// URIs
//      (honoured because code-server gets --vscode-option enable-smoke-test-driver). The
//      remote extension host (Node, on the server) loads our extension from DIR, then
//      require()s MODULE and awaits its run();
//   3. when run() settles, the workbench calls window.codeAutomationExit(code, logs), which we
//      expose with Playwright: code 0 if run() resolved, 1 if it rejected;
//   4. closes Chromium, ends code-server's whole process group and exits with that code.
// Console output of the extension host reaches the page's console; lines the runner marks
// with "[vscode-test]" are printed, everything else goes to .test-artifacts/vscode-test/.
//
// Environment: STEPWISE_VSCODE_TEST_TIMEOUT_MS (default 600000), STEPWISE_VSCODE_VERBOSE=1
// (print all browser console and code-server output too).
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import {
  artifactsRoot,
  launchChromium,
  plainConsoleText,
  startCodeServer,
  workbenchUrl,
  type CodeServer,
  type LaunchedBrowser,
} from './code-server';

const RUNNER_TAG = '[vscode-test] ';
const verbose = process.env.STEPWISE_VSCODE_VERBOSE === '1';
const timeoutMs = Number(process.env.STEPWISE_VSCODE_TEST_TIMEOUT_MS ?? 600_000);
const artifacts = join(artifactsRoot, 'vscode-test');

interface LaunchArgs {
  extensionDevelopmentPath: string[];
  extensionTestsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
  folder?: string;
  ignored: string[];
}

function parseArgs(argv: string[]): LaunchArgs {
  const out: LaunchArgs = { extensionDevelopmentPath: [], ignored: [] };
  const valued = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      out.folder ??= a;
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (!valued.has(name)) {
      out.ignored.push(a);
      continue;
    }
    const value = eq < 0 ? argv[++i] : a.slice(eq + 1);
    if (value === undefined) throw new Error(`${a} needs a value`);
    if (name === 'extensionDevelopmentPath') out.extensionDevelopmentPath.push(value);
    else if (name === 'extensionTestsPath') out.extensionTestsPath = value;
    else if (name === 'user-data-dir') out.userDataDir = value;
    else if (name === 'extensions-dir') out.extensionsDir = value;
  }
  return out;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.extensionTestsPath || args.extensionDevelopmentPath.length === 0) {
    console.error('launcher: --extensionDevelopmentPath and --extensionTestsPath are required');
    return 2;
  }
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const consoleLog = join(artifacts, 'browser-console.log');
  writeFileSync(consoleLog, '');

  let server: CodeServer | undefined;
  let browser: LaunchedBrowser | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await browser?.close();
      await server?.stop();
    })());
  // SIGINT/SIGTERM/SIGHUP (runTests forwards Ctrl+C as SIGINT): code-server.ts stops both and exits.
  const t0 = Date.now();
  try {
    for (const d of [args.userDataDir, args.extensionsDir]) if (d) mkdirSync(d, { recursive: true });
    server = await startCodeServer({
      userDataDir: args.userDataDir,
      extensionsDir: args.extensionsDir,
      logFile: join(artifacts, 'code-server.log'),
    });
    console.log(`launcher: code-server ${server.url} (pid ${server.pid}) up in ${Date.now() - t0} ms`);
    if (verbose) console.log(server.output());

    browser = await launchChromium();
    const { page } = browser;
    page.on('console', (msg) => {
      const text = plainConsoleText(msg.text());
      appendFileSync(consoleLog, `[${msg.type()}] ${text}\n`);
      const at = text.indexOf(RUNNER_TAG);
      if (at >= 0) console.log(text.slice(at + RUNNER_TAG.length));
      else if (verbose) console.log(`[browser ${msg.type()}] ${text}`);
    });
    page.on('pageerror', (err) => appendFileSync(consoleLog, `[pageerror] ${err.stack ?? err}\n`));
    page.on('crash', () => appendFileSync(consoleLog, '[crash] page crashed\n'));

    // Called by the workbench when the extension host's run() settles (0 resolved, 1 rejected).
    let resolveResult!: (code: number) => void;
    const result = new Promise<number>((resolve) => (resolveResult = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number, logs?: { relativePath: string; contents: string }[]) => {
      for (const l of logs ?? []) {
        const file = join(artifacts, 'workbench-logs', l.relativePath);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, l.contents);
      }
      resolveResult(typeof code === 'number' ? code : 1);
    });
    let finished = false;
    const serverDied = server.exited.then((code) => {
      if (!finished) console.error(`launcher: code-server exited (${code}) before the tests finished`);
      return 1;
    });
    const timedOut = new Promise<number>((resolve) =>
      setTimeout(() => {
        console.error(`launcher: no result within ${timeoutMs} ms (STEPWISE_VSCODE_TEST_TIMEOUT_MS)`);
        resolve(1);
      }, timeoutMs).unref(),
    );

    const url = workbenchUrl(server, {
      folder: args.folder,
      extensionDevelopmentPath: args.extensionDevelopmentPath,
      extensionTestsPath: args.extensionTestsPath,
    });
    await page.goto(url);
    const code = await Promise.race([result, serverDied, timedOut]);
    finished = true;
    console.log(`launcher: extension tests finished with code ${code} after ${Date.now() - t0} ms`);
    await page.screenshot({ path: join(artifacts, 'workbench.png') }).catch(() => undefined);
    if (code !== 0) printDiagnostics(consoleLog);
    return code;
  } catch (e) {
    console.error('launcher:', e instanceof Error ? e.stack ?? e.message : e);
    printDiagnostics(consoleLog);
    return 2;
  } finally {
    // Server-side logs (extension host, remote agent) are useful when a test fails.
    if (server) {
      const logs = join(server.userDataDir, 'logs');
      if (existsSync(logs)) {
        try {
          cpSync(logs, join(artifacts, 'server-logs'), { recursive: true });
        } catch {
          // best effort
        }
      }
    }
    await cleanup();
  }
}

function printDiagnostics(consoleLog: string): void {
  const lines = existsSync(consoleLog) ? readFileSync(consoleLog, 'utf8').split('\n') : [];
  // Offline noise (gallery, CDN, telemetry) is left out.
  const noise = /ERR_NAME_NOT_RESOLVED|ENOTFOUND|status of 404/;
  const errors = lines.filter((l) => /^\[(error|pageerror|crash)\]/.test(l) && !noise.test(l));
  if (errors.length) {
    console.error(`launcher: last browser console errors (all in ${consoleLog}):`);
    for (const l of errors.slice(-20)) console.error('  ' + l.slice(0, 2000));
  }
  console.error(`launcher: artifacts in ${artifacts}`);
}

void main().then(
  (code) => {
    process.exitCode = code;
    // Playwright or stray handles must not keep us alive once everything is stopped.
    setTimeout(() => process.exit(code), 500).unref();
  },
  (e) => {
    console.error('launcher:', e);
    process.exit(2);
  },
);
