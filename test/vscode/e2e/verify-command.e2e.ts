// End to end: code-server + headless Chromium, the user runs "Stepwise: Verify Solution"
// from the command palette on a file holding a solution with one wrong step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editorText, errorNotifications, notificationCenter, openFile, outputChannelText, runCommand, screenshot, sleep, waitUntil, workbenchPerFile } from './helpers';

const SOLUTION = 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 15';

const workbench = workbenchPerFile({ name: 'verify-command', files: { 'solution.txt': SOLUTION } });

test('Stepwise: Verify Solution runs from the command palette without an error', { timeout: 180_000 }, async () => {
  const { page } = workbench();
  await openFile(page, 'solution.txt');
  assert.equal(await editorText(page), SOLUTION);
  await screenshot(page, 'verify-command-1-opened');

  await runCommand(page, 'Stepwise: Verify Solution');
  // Activation + verification; an exception would surface as an error notification.
  await sleep(3000);
  await screenshot(page, 'verify-command-2-verified');
  assert.deepEqual(await errorNotifications(page), [], 'no error toast');
  const errors = (await notificationCenter(page)).filter((n) => n.severity === 'error');
  assert.deepEqual(errors, [], 'no error in the Notifications center');

  // The "Stepwise" output channel exists only once the command has activated the extension.
  const log = await outputChannelText(page, 'Stepwise');
  await screenshot(page, 'verify-command-3-output');
  assert.ok(log.trim().length > 0, 'the Stepwise output channel has content');
  // and it did its work: the wrong step is in the Problems panel with its reason
  await runCommand(page, 'View: Focus Problems');
  await waitUntil(async () => (await page.locator('.markers-panel').innerText().catch(() => '')).includes('7 * 2 is 14, not 15'), { what: 'the verdict in the Problems panel' });
});
