// A new user's journey, end to end, asserting what they would see at each step: solve from the
// palette, read the best card, open the side bar, hover a pruned node and read why, put a
// solution in a document, move the cursor through it and see the panel and tree follow, pick a
// node in the tree and land on its line; then the same panel in a narrow window.
// The README's panel.png and tree.png are taken from this test (.test-artifacts/e2e/).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { editorText, openFile, runCommand, screenshot, waitUntil, webviewWith, workbenchPerFile } from './helpers';

// A problem whose first steps differ (the policy often multiplies wrongly here), so the tree has
// both steps pruned by rank and steps the checked verifier dropped; beam search still finds 91.
const PROBLEM = 'Compute 47 * 3 - 58 + 96 / 12.';
const ANSWER = '91';

const workbench = workbenchPerFile({ name: 'journey', files: { 'notes.txt': `${PROBLEM}\n` }, settings: { 'stepwise.strategy': 'beam', 'stepwise.budget': 16 }, viewport: { width: 1400, height: 900 } });

/** Elements running past the frame's right edge: text a person cannot read without scrolling sideways. */
async function overflowing(frame: Frame): Promise<string[]> {
  return frame.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > width + 1).map((e) => `${e.tagName.toLowerCase()}.${e.className}`).slice(0, 8);
  });
}

/** The "Ln 3, Col 1" of the status bar: where the editor's cursor is. */
async function cursorLine(page: Page): Promise<number> {
  const text = await page.locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+/ }).first().innerText();
  return Number(/Ln (\d+)/.exec(text)![1]);
}

test("a new user's journey: solve, read, explore, hover a pruned node, follow the cursor", { timeout: 400_000 }, async () => {
  const { page } = workbench();

  // 1. Solve from the palette, the problem taken from the current line.
  await openFile(page, 'notes.txt');
  await runCommand(page, 'Stepwise: Solve Problem...');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  assert.equal(await input.inputValue(), PROBLEM);
  await page.keyboard.press('Enter');

  // 2. Read the best card: one card per distinct solution, the vote, plain words.
  const panel = await webviewWith(page, 'section.candidates');
  await waitUntil(async () => (await panel.locator('.meta').innerText()).includes('done'), { timeoutMs: 240_000, what: 'a finished search' });
  assert.equal(await panel.locator('h1.problem').innerText(), PROBLEM);
  assert.match(await panel.locator('.meta').innerText(), /\d+ tokens · \d+\.\d\d GFLOP · \d+ ms · \d+ steps explored · done/);
  const cards = panel.locator('article.candidate');
  const best = cards.first();
  assert.equal((await best.locator('.answer').innerText()).trim(), `Answer ${ANSWER}`, 'the right answer on top');
  assert.equal((await best.locator('.verdict-label').innerText()).trim(), 'verified', "the checker's verdict first");
  assert.equal(await best.locator('.verdict').count(), await best.locator('li.step').count(), 'every step has a verdict');
  const votes = (await panel.locator('.agreement .vote').allInnerTexts()).map((t) => /^(.+): (\d+) of (\d+)$/.exec(t.trim()));
  assert.ok(votes.length >= 1 && votes.every(Boolean), `the answers read as a vote: ${votes}`);
  assert.equal(votes[0]![1], ANSWER);
  const finished = Number(votes[0]![3]);
  assert.equal(votes.reduce((sum, v) => sum + Number(v![2]), 0), finished, 'the votes add up to the finished solutions');
  const copies = (await cards.evaluateAll((list) => list.map((c) => Number(/×(\d+)/.exec(c.querySelector('.copies')?.textContent ?? '')?.[1] ?? 1)))) as number[];
  assert.equal(copies.reduce((a, b) => a + b, 0), finished, 'the cards and their ×N account for every finished solution');
  const texts = await cards.evaluateAll((list) => list.map((c) => [...c.querySelectorAll('li.step .text')].map((s) => s.textContent).join('\n')));
  assert.equal(new Set(texts).size, texts.length, 'no two cards show the same solution');
  assert.equal(await panel.locator('vscode-button', { hasText: 'Insert into editor' }).count(), texts.length, 'one Insert per card');
  assert.deepEqual(await overflowing(panel), [], 'nothing in the panel runs off its right edge');
  await screenshot(page, 'panel');

  // 3. Open the side bar: merged rows, and why a node was pruned.
  await page.locator('.activitybar [aria-label^="Stepwise"]').first().click();
  const tree = page.locator('.pane', { hasText: 'Search Tree' });
  await tree.locator('.monaco-list-row', { hasText: PROBLEM }).first().waitFor({ state: 'visible', timeout: 30_000 });
  const level1 = tree.locator('.monaco-list-row[aria-level="2"]');
  await waitUntil(async () => (await level1.count()) >= 2, { what: 'the first steps under the problem' });
  const labels = (await level1.locator('.label-name').allInnerTexts()).map((t) => t.trim());
  assert.equal(new Set(labels).size, labels.length, `siblings that wrote the same step share one row: ${labels}`);
  const pruned = level1.filter({ hasText: 'pruned' }).first();
  await pruned.waitFor({ state: 'visible' });
  await pruned.hover();
  const tooltip = page.locator('.monaco-hover:not(.hidden), .workbench-hover').filter({ hasText: /pruned: / });
  await tooltip.first().waitFor({ state: 'visible', timeout: 15_000 });
  assert.ok((await level1.filter({ hasText: 'pruned' }).count()) >= 2, 'several first steps were left');
  const why = (await tooltip.first().innerText()).replace(/\u00a0/g, ' ');
  // Pruned for its rank, or (checked verifier) because the checker proved it wrong: either way, in words.
  const byRank = /pruned: rank (\d+) of (\d+) at depth 1, kept (\d+)/.exec(why);
  if (byRank) assert.ok(Number(byRank[1]) > Number(byRank[3]), `ranked below the nodes the search kept: ${why}`);
  else assert.match(why, /Checker wrong: .*\n*.*pruned: the checker proved this step wrong/s, `the pruned node says why: ${why}`);
  assert.match(why, /PRM score \d\.\d\d/);
  await screenshot(page, 'tree');
  await page.mouse.move(700, 10);

  // 4. The picture beside it: a node described on hover.
  const picture = await webviewWith(page, '#picture svg');
  assert.ok((await picture.locator('circle.node').count()) >= 3);
  await picture.locator('circle.node').nth(1).hover();
  await waitUntil(async () => /PRM score \d\.\d\d/.test(await picture.locator('#info').innerText()), { what: 'the hovered node described' });
  assert.match(await picture.locator('#legend').innerText(), /^\d+ steps? · /);

  // 5. Put the best solution in the document; the cursor on a step finds it in panel and tree.
  const steps = (await best.locator('li.step .text').allInnerTexts()).map((t) => t.trim());
  await best.locator('vscode-button', { hasText: 'Insert into editor' }).click();
  await waitUntil(async () => (await editorText(page)).includes(steps[1]), { what: 'the solution in the editor' });
  const stepLine = async (text: string) => (await editorText(page)).split('\n').findIndex((l) => l.trim() === text) + 1;
  const secondLine = await stepLine(steps[1]);
  assert.ok(secondLine > 0);
  await page.locator('.editor-group-container.active .monaco-editor').first().click();
  await page.keyboard.press('Control+Home');
  for (let i = 1; i < secondLine; i++) await page.keyboard.press('ArrowDown');
  await waitUntil(async () => (await panel.locator('.cursor').innerText().catch(() => '')).includes(steps[1]), { what: 'the step under the cursor in the panel header' });
  assert.match(await panel.locator('.cursor').innerText(), new RegExp(`^Line ${secondLine}:`));
  assert.equal(await panel.locator('article.candidate.focused').count(), 1, 'its card is highlighted');
  await waitUntil(async () => (await tree.locator('.monaco-list-row.selected').innerText().catch(() => '')).includes(steps[1]), { what: 'its node selected in the tree' });

  // 6. A node picked in the tree puts the cursor on its line.
  const firstLine = await stepLine(steps[0]);
  await page.keyboard.press('Control+End');
  await waitUntil(async () => (await cursorLine(page)) !== firstLine, { what: 'the cursor moved away' });
  await tree.locator('.monaco-list-row[aria-level="2"]', { hasText: steps[0] }).first().click();
  await waitUntil(async () => (await cursorLine(page)) === firstLine, { what: `the cursor on line ${firstLine}` });

  // 7. A narrow window: the panel still fits.
  await page.setViewportSize({ width: 880, height: 900 });
  await waitUntil(async () => (await panel.evaluate(() => document.documentElement.clientWidth)) < 420, { what: 'a narrow panel' });
  await screenshot(page, 'panel-narrow');
  assert.deepEqual(await overflowing(panel), [], 'a narrow panel wraps instead of running off its edge');
});
