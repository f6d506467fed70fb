// End to end: a person solves from the palette, reads the panel, inserts a candidate, explores
// the search in the side bar, hovers a step and sees the Problems panel. Screenshots go to
// .test-artifacts/e2e/ (the README's come from here).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { editorText, hoverEditorLine, openFile, openWorkbench, runCommand, screenshot, sleep, waitUntil, webviewWith, type Workbench } from './helpers';

const PROBLEM = 'Compute 12 + 7 * ( 5 - 3 ).';
const WRONG = 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 15\n12 + 15 = 27\nAnswer: 27\n';

let wb: Workbench;
before(async () => {
  wb = await openWorkbench({ name: 'solve', files: { 'notes.txt': `${PROBLEM}\n`, 'wrong.txt': WRONG }, settings: { 'stepwise.strategy': 'beam', 'stepwise.budget': 8 }, viewport: { width: 1400, height: 900 } });
}, { timeout: 180_000 });
after(async () => {
  await wb?.close();
});

test('Solve Problem from the palette: ranked, scored, checked candidates; insert into editor', { timeout: 300_000 }, async () => {
  const { page } = wb;
  await openFile(page, 'notes.txt');
  await runCommand(page, 'Stepwise: Solve Problem...');
  // The input box is pre-filled with the current line: accept it.
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  assert.equal(await input.inputValue(), PROBLEM);
  await page.keyboard.press('Enter');

  const panel = await webviewWith(page, 'section.candidates');
  await waitUntil(async () => (await panel.locator('article.candidate').count()) >= 1 && (await panel.locator('.meta').innerText()).includes('done'), { timeoutMs: 180_000, what: 'a candidate and a finished search' });
  await screenshot(page, 'panel');
  const cards = panel.locator('article.candidate');
  const scores = (await cards.locator('.total').allInnerTexts()).map((t) => Number(/score (\d\.\d\d)/.exec(t)?.[1]));
  assert.ok(scores.every((x) => Number.isFinite(x)), 'every candidate has a score');
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1] >= scores[i], 'best first');
  const first = cards.first();
  assert.equal((await first.locator('.answer').innerText()).trim(), 'Answer 26', 'the right answer on top');
  assert.ok((await first.locator('li.step').count()) >= 1);
  assert.equal(await first.locator('.verdict').count(), await first.locator('li.step').count(), 'every step has a checker verdict');
  assert.equal(await panel.locator('h1.problem').innerText(), PROBLEM);
  assert.ok((await panel.locator('.agreement .vote').count()) >= 1, 'answer agreement is shown');
  assert.match(await panel.locator('.agreement .vote').first().innerText(), /^26: \d+ of \d+$/, 'the vote reads as a vote');
  const texts = await cards.evaluateAll((list) => list.map((c) => [...c.querySelectorAll('li.step .text')].map((s) => s.textContent).join('\n')));
  assert.equal(new Set(texts).size, texts.length, 'one card per distinct solution');

  const firstStep = (await first.locator('li.step .text').first().innerText()).trim();
  await first.locator('vscode-button', { hasText: 'Insert into editor' }).click();
  await waitUntil(async () => (await editorText(page)).includes(firstStep), { what: 'the candidate in the editor' });
  // Cursor-synced view: the cursor on an inserted step finds it in the panel.
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('ArrowDown');
  await waitUntil(async () => (await panel.locator('.cursor').innerText().catch(() => '')).includes(firstStep), { what: 'the step under the cursor in the panel header' });
  assert.match(await panel.locator('.cursor').innerText(), /^Line 2:/);
  assert.equal(await panel.locator('article.candidate.focused').count(), 1, 'its card is highlighted');
});

test('the side bar shows the search tree and its picture; a node reveals its candidate', { timeout: 180_000 }, async () => {
  const { page } = wb;
  await page.locator('.activitybar [aria-label^="Stepwise"]').first().click();
  const tree = page.locator('.pane', { hasText: 'Search Tree' });
  const root = tree.locator('.monaco-list-row', { hasText: PROBLEM }).first();
  await root.waitFor({ state: 'visible', timeout: 30_000 });
  const rows = tree.locator('.monaco-list-row');
  // Siblings that wrote the same step share a row, so the problem may have a single child row.
  await waitUntil(async () => (await rows.count()) >= 2, { what: 'steps under the problem' });
  const step = rows.nth(1);
  assert.match(await step.innerText(), /\d\.\d\d/, 'the PRM score is in the description');
  await step.click();
  const picture = await webviewWith(page, '#picture svg');
  assert.ok((await picture.locator('circle.node').count()) >= 3);
  assert.ok((await picture.locator('circle.node.chosen').count()) >= 2, 'the chosen path is highlighted');
  await picture.locator('circle.node').nth(1).hover();
  await waitUntil(async () => /PRM score \d\.\d\d/.test(await picture.locator('#info').innerText()), { what: 'the hovered node described' });
  const layer = picture.locator('#picture svg > g');
  const before = await layer.getAttribute('transform');
  await picture.locator('#picture').dispatchEvent('wheel', { deltaY: -120, clientX: 40, clientY: 40 });
  await waitUntil(async () => (await layer.getAttribute('transform')) !== before, { what: 'the picture zoomed' });
  assert.match((await picture.locator('#legend').innerText()), /^\d+ steps? · /);
  await screenshot(page, 'tree');
  const panel = await webviewWith(page, 'section.candidates');
  await waitUntil(async () => (await panel.locator('article.candidate.focused').count()) === 1, { what: 'the focused candidate' });
});

test('hovering a wrong step explains it; Verify Solution puts it in the Problems panel', { timeout: 180_000 }, async () => {
  const { page } = wb;
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
