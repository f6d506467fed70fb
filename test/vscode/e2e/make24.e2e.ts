// End to end on the second domain: a Make 24 puzzle solved from the palette with beam search; the
// panel puts a checked solution first, and the Search Tree shows the dead ends the PRM scored low.
// Screenshots go to .test-artifacts/e2e/ (docs/screenshots/make24-*.png come from here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { screenshot, solveFromPalette, waitUntil, webviewWith, workbenchPerFile } from './helpers';

const PUZZLE = 'Make 24 with 4 7 8 8.';

const workbench = workbenchPerFile({ name: 'make24', files: { 'puzzle.txt': `${PUZZLE}\n` }, settings: { 'stepwise.strategy': 'beam', 'stepwise.budget': 16 }, viewport: { width: 1400, height: 900 } });

test('a Make 24 puzzle from the palette: a checked solution first, dead ends in the tree', { timeout: 300_000 }, async () => {
  const { page } = workbench();
  await solveFromPalette(page, '4 7 8 8');
  const panel = await webviewWith(page, 'section.candidates');
  await waitUntil(async () => (await panel.locator('article.candidate').count()) >= 1 && (await panel.locator('.meta').innerText()).includes('done'), { timeoutMs: 180_000, what: 'a finished search' });
  assert.equal(await panel.locator('h1.problem').innerText(), PUZZLE, 'the puzzle in its surface form');
  const first = panel.locator('article.candidate').first();
  assert.equal(await first.locator('.verified').count(), 1, 'the first candidate is a checked solution');
  assert.match(await first.locator('.answer').innerText(), /= 24/);
  await screenshot(page, 'make24-panel');

  await page.locator('.activitybar [aria-label^="Stepwise"]').first().click();
  const tree = page.locator('.pane', { hasText: 'Search Tree' });
  await tree.locator('.monaco-list-row', { hasText: PUZZLE }).first().waitFor({ state: 'visible', timeout: 30_000 });
  const rows = tree.locator('.monaco-list-row');
  await waitUntil(async () => (await rows.count()) >= 3, { what: 'moves under the puzzle' });
  const texts = await rows.allInnerTexts();
  assert.ok(texts.some((t) => /left:/.test(t) && /\d\.\d\d/.test(t)), 'moves with their PRM scores');
  assert.ok(texts.some((t) => /pruned/.test(t)), 'the dead ends the search left are visible');
  await webviewWith(page, '#picture svg');
  await screenshot(page, 'make24-tree');
});

test('a problem no bundled model was trained for is solved with a banner that says so', { timeout: 300_000 }, async () => {
  const { page } = workbench();
  const panel = await webviewWith(page, 'section.candidates');
  assert.equal(await panel.locator('.notice').count(), 0, 'no banner on a Make 24 puzzle');
  await solveFromPalette(page, 'Natalia sold clips to 48 of her friends in April');
  await waitUntil(async () => (await panel.locator('h1.problem').innerText()).startsWith('Natalia') && (await panel.locator('.meta').innerText()).includes('done'), { timeoutMs: 180_000, what: 'the out-of-scope solve' });
  assert.match(await panel.locator('.notice').innerText(), /not trained for this kind of problem.*Bigger models/);
  await screenshot(page, 'out-of-scope');
});
