// End to end: a person hovers a wrong step of their own solution, explains it token by token and
// sees the Problems panel (the solve-and-explore journey is journey.e2e.ts). Screenshots go to
// .test-artifacts/e2e/ (the README's hover.png and explain.png come from here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoverEditorLine, openFile, runCommand, screenshot, sleep, waitUntil, webviewWith, workbenchPerFile } from './helpers';

const WRONG = 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 15\n12 + 15 = 27\nAnswer: 27\n';

const workbench = workbenchPerFile({ name: 'hover', files: { 'wrong.txt': WRONG }, viewport: { width: 1400, height: 900 } });

test('hovering a wrong step explains it; Verify Solution puts it in the Problems panel', { timeout: 180_000 }, async () => {
  const { page } = workbench();
  await openFile(page, 'wrong.txt');
  const hover = await hoverEditorLine(page, 3, { waitForHover: true, timeoutMs: 60_000 });
  const shown = async () => (await hover.innerText()).replace(/\u00a0/g, ' ');
  await waitUntil(async () => (await shown()).includes('7 * 2 is 14, not 15'), { what: 'the hover reason' });
  assert.match(await shown(), /PRM score/);
  await screenshot(page, 'hover');
  // Explain Step from the hover: tokens shaded by probability; the temperature slider reshapes them in the view.
  await hover.locator('a', { hasText: 'Explain this step' }).click();
  const explain = await webviewWith(page, '#explain .chips', 120_000);
  const chip = explain.locator('.chip').last();
  const before = Number(await chip.getAttribute('data-p'));
  await explain.locator('input.temperature').fill('0.3');
  await explain.locator('input.temperature').dispatchEvent('input');
  await waitUntil(async () => Number(await explain.locator('.chip').last().getAttribute('data-p')) !== before, { what: 'the distribution reshaped by the temperature' });
  assert.match(await explain.locator('.verdict').innerText(), /wrong/);
  await explain.locator('.chip').nth(2).click();
  await explain.locator('button.what-if:not([disabled])').first().click();
  await explain.locator('.what-if-result').waitFor({ state: 'visible', timeout: 60_000 });
  assert.match(await explain.locator('.what-if-result').innerText(), /PRM \d\.\d\d/);
  await screenshot(page, 'explain');
  await openFile(page, 'wrong.txt');
  await page.mouse.move(5, 5);
  await runCommand(page, 'Stepwise: Verify Solution');
  await runCommand(page, 'View: Focus Problems');
  const problems = page.locator('.markers-panel');
  await waitUntil(async () => (await problems.innerText().catch(() => '')).includes('7 * 2 is 14, not 15'), { what: 'the diagnostic in the Problems panel' });
  await screenshot(page, 'problems');
  await sleep(200);
});
