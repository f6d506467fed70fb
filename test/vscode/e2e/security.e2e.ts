// End to end: problem and step text full of markup is shown as text in the panel; nothing runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { screenshot, solveFromPalette, waitUntil, webviewWith, workbenchPerFile } from './helpers';

const HOSTILE = `Compute 2 + 3 <script>alert('s')</script> <img src=x onerror="alert('i')"> <a href="javascript:alert('a')">x</a> <style>body{display:none}</style>`;

const workbench = workbenchPerFile({ name: 'security', settings: { 'stepwise.strategy': 'bon', 'stepwise.budget': 2, 'stepwise.maxSteps': 3 } });

test('markup in a problem is shown as text and never executed', { timeout: 240_000 }, async () => {
  const { page } = workbench();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await solveFromPalette(page, HOSTILE);
  const panel = await webviewWith(page, 'h1.problem', 120_000);
  await waitUntil(async () => (await panel.locator('.meta').innerText()).match(/done|failed|cancelled/), { timeoutMs: 180_000, what: 'the end of the search' });
  await screenshot(page, 'security');
  const shown = await panel.locator('h1.problem').innerText();
  for (const fragment of ['<script>', '<img src=x', 'javascript:', '<style>']) assert.ok(shown.includes(fragment), `"${fragment}" is shown as text`);
  assert.equal(await panel.locator('#app img, #app script, #app a, #app style').count(), 0, 'no element was created from the text');
  assert.ok(await panel.locator('body').isVisible(), 'injected CSS did not hide the panel');
  assert.deepEqual(dialogs, [], 'no dialog opened');
  assert.deepEqual(workbench().consoleLines.filter((l) => /\b(alert|onerror)\b/.test(l) && l.startsWith('[error]')), []);
});
