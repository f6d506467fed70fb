// Helpers for end-to-end tests: code-server + headless Debian Chromium driven by playwright-core.
//
//   const wb = await openWorkbench({ files: { 'solution.txt': '...' } });
//   try {
//     await openFile(wb.page, 'solution.txt');
//     await runCommand(wb.page, 'Stepwise: Verify Solution');
//     await screenshot(wb.page, 'after-verify');
//     assert.deepEqual(await errorNotifications(wb.page), []);
//   } finally {
//     await wb.close();
//   }
//
// By default our extension is *installed from the repository folder*: a symlink
// <publisher>.<name>-<version> -> repo root in a fresh --extensions-dir, which code-server
// registers on start, as if a user had installed it. Notification toasts show as for a user.
// With `extension: 'development'` it is loaded as a development extension instead (URL payload,
// smoke-test driver on; the workbench then shows no toasts: see CodeServerOptions.smokeTestDriver).
// Either way the extension runs from dist/: run `npm run build` first (npm run test:e2e does).
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { dirname, join } from 'node:path';
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';
import {
  artifactsRoot,
  launchChromium,
  makeTempDir,
  plainConsoleText,
  removeTempDir,
  repoRoot,
  sleep,
  startCodeServer,
  workbenchUrl,
  type CodeServer,
  type CodeServerOptions,
  type LaunchedBrowser,
} from '../code-server';

export { startCodeServer, launchChromium, workbenchUrl, remoteUri, repoRoot, sleep, makeTempDir, removeTempDir, installVsix } from '../code-server';
export type { CodeServer, CodeServerOptions, LaunchedBrowser } from '../code-server';

/** Where screenshots and logs of e2e tests go (gitignored). */
export const e2eArtifacts = join(artifactsRoot, 'e2e');

export interface Workbench {
  server: CodeServer;
  browser: LaunchedBrowser;
  page: Page;
  /** The folder opened in the workbench (a fresh temporary one unless `folder` was given). */
  folder: string;
  /** Browser console lines so far (also written to .test-artifacts/e2e/<name>-console.log). */
  consoleLines: string[];
  /** Closes Chromium, stops code-server (its whole process group), removes temporary folders. */
  close(): Promise<void>;
}

export interface OpenWorkbenchOptions extends CodeServerOptions {
  /** Folder to open; default: a new temporary folder holding `files`. */
  folder?: string;
  /** Files to create (relative path -> content) in the folder before opening it. */
  files?: Record<string, string>;
  /**
   * How our extension (the repository root) is loaded: 'installed' (default; symlinked into the
   * extensions dir), 'development' (URL payload + smoke-test driver), or 'none'.
   */
  extension?: 'installed' | 'development' | 'none';
  /** A name for this workbench's artifacts (console log); default 'workbench'. */
  name?: string;
  viewport?: { width: number; height: number };
}

/** Stops a server started with startCodeServer() (SIGTERM, then SIGKILL, to its process group). */
export async function stopCodeServer(server: CodeServer): Promise<void> {
  await server.stop();
}

/** One workbench for a test file: opened before its tests, closed after them; call the getter inside a test. */
export function workbenchPerFile(options: OpenWorkbenchOptions): () => Workbench {
  let wb: Workbench | undefined;
  before(async () => {
    wb = await openWorkbench(options);
  }, { timeout: 180_000 });
  after(async () => {
    await wb?.close();
  });
  return () => {
    if (!wb) throw new Error('the workbench did not open');
    return wb;
  };
}

/**
 * Starts code-server, opens the workbench on a folder in headless Chromium with our extension
 * loaded, and waits until the workbench is restored.
 */
export async function openWorkbench(options: OpenWorkbenchOptions = {}): Promise<Workbench> {
  mkdirSync(e2eArtifacts, { recursive: true });
  const ownFolder = options.folder === undefined;
  const folder = options.folder ?? makeTempDir('stepwise-e2e-');
  for (const [rel, content] of Object.entries(options.files ?? {})) {
    const file = join(folder, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  const name = options.name ?? 'workbench';
  const mode = options.extension ?? 'installed';
  let extensionsDir = options.extensionsDir;
  let ownExtensionsDir = false;
  if (mode === 'installed') {
    if (!extensionsDir) {
      extensionsDir = makeTempDir('stepwise-e2e-ext-');
      ownExtensionsDir = true;
    }
    installExtensionFromFolder(extensionsDir, repoRoot);
  }
  let server: CodeServer | undefined;
  let browser: LaunchedBrowser | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await browser?.close();
      await server?.stop();
      if (ownFolder) removeTempDir(folder);
      if (ownExtensionsDir && extensionsDir) removeTempDir(extensionsDir);
    })());
  try {
    server = await startCodeServer({
      ...options,
      extensionsDir,
      smokeTestDriver: options.smokeTestDriver ?? mode === 'development',
      logFile: options.logFile ?? join(e2eArtifacts, `${name}-code-server.log`),
    });
    browser = await launchChromium({ viewport: options.viewport });
    const { page } = browser;
    const consoleLines: string[] = [];
    const consoleFile = join(e2eArtifacts, `${name}-console.log`);
    writeFileSync(consoleFile, '');
    page.on('console', (msg) => {
      const line = `[${msg.type()}] ${plainConsoleText(msg.text())}`;
      consoleLines.push(line);
      try {
        writeFileSync(consoleFile, line + '\n', { flag: 'a' });
      } catch {
        // artifacts are best effort
      }
    });
    await page.goto(workbenchUrl(server, { folder, extensionDevelopmentPath: mode === 'development' ? repoRoot : undefined }));
    await waitForWorkbench(page);
    return { server, browser, page, folder, consoleLines, close };
  } catch (e) {
    if (browser) await screenshot(browser.page, `${name}-open-failed`).catch(() => undefined);
    await close();
    throw e;
  }
}

/**
 * "Installs" the extension in `folder` (default: this repository) into an extensions dir, as
 * the symlink <publisher>.<name>-<version>; code-server registers it in extensions.json on start.
 */
export function installExtensionFromFolder(extensionsDir: string, folder: string = repoRoot): string {
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const link = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  mkdirSync(extensionsDir, { recursive: true });
  rmSync(link, { recursive: true, force: true });
  symlinkSync(folder, link, 'dir');
  return link;
}

/**
 * Waits until the workbench is up: restored (through window.driver when the smoke-test driver
 * is on), status bar and editor area visible.
 */
export async function waitForWorkbench(page: Page, timeoutMs = 120_000): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
  if (await page.evaluate(() => 'driver' in window)) {
    await page.evaluate(async () => {
      const driver = (window as unknown as { driver: { whenWorkbenchRestored(): Promise<void> } }).driver;
      await driver.whenWorkbenchRestored();
    });
  }
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.editor').waitFor({ state: 'visible', timeout: timeoutMs });
}

const quickInputBox = (page: Page) => page.locator('.quick-input-widget .quick-input-box input');

/** Opens the command palette (F1) and waits for its input box; its value starts with '>'. */
export async function openCommandPalette(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').focus().catch(() => undefined);
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press(attempt === 1 ? 'Control+Shift+P' : 'F1');
    try {
      await quickInputBox(page).waitFor({ state: 'visible', timeout: 5000 });
      return;
    } catch {
      await page.keyboard.press('Escape');
    }
  }
  throw new Error('the command palette did not open');
}

/** Types into the open quick input (palette, quick open, quick pick); replaces what is there unless append. */
export async function typeInQuickInput(page: Page, text: string, options: { append?: boolean; submit?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const box = quickInputBox(page);
  const timeout = options.timeoutMs;
  await box.waitFor({ state: 'visible', timeout });
  if (!options.append) await box.fill('', { timeout });
  await box.pressSequentially(text, { delay: 10, timeout });
  if (options.submit) await page.keyboard.press('Enter');
}

/** Labels of the rows the quick input shows now. */
export async function quickInputItems(page: Page): Promise<string[]> {
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Waits for a quick-input row whose label contains `label`, then picks it (Enter on it selected). */
export async function pickQuickInputItem(page: Page, label: string, timeoutMs = 15_000): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
    has: page.locator('.label-name', { hasText: label }),
  });
  await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
  await row.first().click();
}

/**
 * Runs a command by its palette title ("Category: Title"), as a user would: F1, type, pick.
 * Retries while the command is not listed yet (extensions still registering), up to timeoutMs.
 * Returns once the palette has closed or the command has put up a quick input of its own.
 */
export async function runCommand(page: Page, title: string, options: { timeoutMs?: number } = {}): Promise<void> {
  const end = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    await openCommandPalette(page);
    await typeInQuickInput(page, '>' + title);
    try {
      await pickQuickInputItem(page, title, Math.min(5000, Math.max(1000, end - Date.now())));
      break;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (Date.now() > end) throw new Error(`command "${title}" is not in the palette: ${e instanceof Error ? e.message : e}`);
      await sleep(500);
    }
  }
  await page.waitForFunction(
    () => {
      const widget = document.querySelector<HTMLElement>('.quick-input-widget');
      const input = widget?.querySelector<HTMLInputElement>('.quick-input-box input');
      return !widget || widget.style.display === 'none' || !input || !input.value.startsWith('>');
    },
    undefined,
    { timeout: 15_000 },
  );
}

/** Opens a file of the workspace folder through Quick Open (Ctrl+P). */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const base = relativePath.split('/').pop()!;
  // Quick Open closes itself when focus moves to a webview that a previous step revealed
  // (the focus arrives late); then it is opened again.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.locator('.monaco-workbench').focus().catch(() => undefined);
      await page.keyboard.press('Control+P');
      await typeInQuickInput(page, relativePath, { timeoutMs: 5_000 });
      await pickQuickInputItem(page, base, 5_000);
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      await page.keyboard.press('Escape');
      await sleep(500);
    }
  }
  await activeEditor(page).locator(`.monaco-editor`).first().waitFor({ state: 'visible' });
  await page
    .locator('.editor-group-container.active .tab.active', { hasText: base })
    .waitFor({ state: 'visible', timeout: 15_000 });
}

/** The active editor group's editor area. */
export function activeEditor(page: Page): Locator {
  return page.locator('.editor-group-container.active .editor-container');
}

/** Text of the visible lines of the active text editor (Monaco renders only what is on screen). */
export async function editorText(page: Page): Promise<string> {
  const lines = activeEditor(page).locator('.view-lines .view-line');
  const items = await lines.evaluateAll((els) =>
    els.map((el) => ({ top: parseFloat((el as HTMLElement).style.top) || 0, text: el.textContent ?? '' })),
  );
  return items
    .sort((a, b) => a.top - b.top)
    .map((l) => l.text.replace(/\u00a0/g, ' '))
    .join('\n');
}

/** Types text into the active editor at the cursor (newlines as Enter; auto-closing may apply). */
export async function typeInEditor(page: Page, text: string): Promise<void> {
  await activeEditor(page).locator('.monaco-editor textarea, .monaco-editor .native-edit-context').first().focus();
  await page.keyboard.type(text, { delay: 5 });
}

/**
 * Hovers the mouse over a line (1-based) of the active text editor, `x` pixels into the text
 * (default: over the first characters), and waits for a hover widget when `waitForHover`.
 */
export async function hoverEditorLine(
  page: Page,
  line: number,
  options: { x?: number; waitForHover?: boolean; timeoutMs?: number } = {},
): Promise<Locator> {
  const editor = activeEditor(page);
  const number = editor.locator('.margin-view-overlays .line-numbers').filter({ hasText: new RegExp(`^\\s*${line}\\s*$`) });
  const nbox = await number.first().boundingBox();
  const lines = await editor.locator('.view-lines').first().boundingBox();
  if (!nbox || !lines) throw new Error(`line ${line} is not on screen`);
  await page.mouse.move(lines.x + (options.x ?? 12), nbox.y + nbox.height / 2, { steps: 4 });
  const hover = page.locator('.monaco-hover:not(.hidden)');
  if (options.waitForHover) await hover.first().waitFor({ state: 'visible', timeout: options.timeoutMs ?? 10_000 });
  return hover;
}

/** Hovers the first rendered text of the active editor that contains `text`. */
export async function hoverEditorText(page: Page, text: string): Promise<Locator> {
  const span = activeEditor(page).locator('.view-lines .view-line span span', { hasText: text }).first();
  await span.hover();
  return page.locator('.monaco-hover:not(.hidden)');
}

/**
 * The content frame of a webview (panel or view): `iframe.webview.ready` > `iframe#active-frame`.
 * With several webviews open, `index` picks one in DOM order (default: the last one opened).
 */
export function webviewFrame(page: Page, options: { index?: number } = {}): FrameLocator {
  const outer = page.locator('iframe.webview.ready');
  return (options.index === undefined ? outer.last() : outer.nth(options.index)).contentFrame().locator('iframe#active-frame').contentFrame();
}

/** Like webviewFrame(), but waits for the inner frame and returns it as a Frame (for evaluate()). */
export async function webviewFrameHandle(page: Page, options: { index?: number; timeoutMs?: number } = {}): Promise<Frame> {
  const timeout = options.timeoutMs ?? 30_000;
  const outerLoc = page.locator('iframe.webview.ready');
  const outer = options.index === undefined ? outerLoc.last() : outerLoc.nth(options.index);
  await outer.waitFor({ state: 'attached', timeout });
  const outerFrame = await (await outer.elementHandle({ timeout }))!.contentFrame();
  if (!outerFrame) throw new Error('webview outer frame has no content');
  const inner = await outerFrame.waitForSelector('iframe#active-frame', { state: 'attached', timeout });
  const frame = await inner.contentFrame();
  if (!frame) throw new Error('webview has no active frame');
  await frame.waitForLoadState('domcontentloaded', { timeout });
  return frame;
}

/** Runs `Stepwise: Solve Problem...` from the palette with `problem` typed into its input box. */
export async function solveFromPalette(page: Page, problem: string): Promise<void> {
  await runCommand(page, 'Stepwise: Solve Problem...');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(problem);
  await page.keyboard.press('Enter');
}

/** The webview frame (panel or view) whose document has `selector`, once one does. */
export async function webviewWith(page: Page, selector: string, timeoutMs = 60_000): Promise<Frame> {
  const frame = await waitUntil(
    async () => {
      for (const f of page.frames()) if (await f.$(selector).catch(() => null)) return f;
      return undefined;
    },
    { timeoutMs, what: `a webview with ${selector}` },
  );
  return frame!;
}

export interface Notification {
  severity: 'error' | 'warning' | 'info';
  message: string;
}

/**
 * Notification toasts visible now. (A workbench started with the smoke-test driver, as in
 * `extension: 'development'` mode, shows none: use notificationCenter() there.)
 */
export async function notifications(page: Page): Promise<Notification[]> {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  return toasts.evaluateAll((els) =>
    els.map((el) => {
      const icon = el.querySelector('.notification-list-item-icon');
      const cls = icon?.className ?? '';
      const severity = cls.includes('codicon-error') ? 'error' : cls.includes('codicon-warning') ? 'warning' : 'info';
      const message = el.querySelector('.notification-list-item-message')?.textContent ?? el.textContent ?? '';
      return { severity, message: message.trim() } as { severity: 'error' | 'warning' | 'info'; message: string };
    }),
  );
}

/** Messages of the error notifications visible now (toasts). */
export async function errorNotifications(page: Page): Promise<string[]> {
  return (await notifications(page)).filter((n) => n.severity === 'error').map((n) => n.message);
}

/** Every notification of this session, from the Notifications center (opened, then closed). */
export async function notificationCenter(page: Page): Promise<Notification[]> {
  await runCommand(page, 'Notifications: Show Notifications');
  const center = page.locator('.notifications-center');
  await center.waitFor({ state: 'visible' });
  const items = await center.locator('.notification-list-item').evaluateAll((els) =>
    els.map((el) => {
      const cls = el.querySelector('.notification-list-item-icon')?.className ?? '';
      const severity = cls.includes('codicon-error') ? 'error' : cls.includes('codicon-warning') ? 'warning' : 'info';
      const message = el.querySelector('.notification-list-item-message')?.textContent ?? '';
      return { severity, message: message.trim() } as { severity: 'error' | 'warning' | 'info'; message: string };
    }),
  );
  await center.click({ position: { x: 5, y: 5 } }).catch(() => undefined);
  await page.keyboard.press('Escape');
  await center.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
  return items;
}

/**
 * Shows an output channel in the Output panel (View: Output, channel picked by name) and
 * returns the text of its visible lines.
 */
export async function outputChannelText(page: Page, channel: string): Promise<string> {
  await runCommand(page, 'Output: Show Output Channels...');
  // That command opens a quick pick of channel names.
  await quickInputBox(page).waitFor({ state: 'visible' });
  await typeInQuickInput(page, channel);
  await pickQuickInputItem(page, channel);
  const view = page.locator('.part.panel .output-view .view-lines').first();
  await view.waitFor({ state: 'visible' });
  const lines = await view.locator('.view-line').evaluateAll((els) =>
    els.map((el) => ({ top: parseFloat((el as HTMLElement).style.top) || 0, text: el.textContent ?? '' })),
  );
  return lines
    .sort((a, b) => a.top - b.top)
    .map((l) => l.text.replace(/\u00a0/g, ' '))
    .join('\n');
}

/** Saves a full-page screenshot as .test-artifacts/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(e2eArtifacts, { recursive: true });
  const path = join(e2eArtifacts, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path });
  return path;
}

/** Polls `check` until it returns a truthy value (returned) or the time is up (throws). */
export async function waitUntil<T>(check: () => Promise<T> | T, options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const end = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    await sleep(options.intervalMs ?? 200);
  }
}
