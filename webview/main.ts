import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import './style.css';
import * as v from 'valibot';
import { el } from './dom';
import { clampKnob, KNOBS } from '../src/core/search/params';
import { distinctSolutions, scoreTone, solutionVerdict, HostToPanelSchema, PanelStateSchema, type DistinctSolution, type PanelState, type PanelToHost } from '../src/core/protocol/panel';
import { NO_CANDIDATES, type CandidateStep } from '../src/core/protocol/results';

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;


const scoreClass = (s: number | null, verdict: boolean | null) => `score-${scoreTone(s, verdict)}`;
const fmt = (s: number | null) => (s === null ? '–' : s.toFixed(2));

function verdictMark(step: CandidateStep): HTMLElement {
  const [mark, cls, label] = step.valid === true ? ['✓', 'valid', 'checked: correct'] : step.valid === false ? ['✗', 'invalid', 'checked: wrong'] : ['?', 'unknown', 'not checkable'];
  const node = el('span', { className: `verdict ${cls}`, text: mark, title: step.reason || label });
  node.setAttribute('aria-label', `${label}. ${step.reason}`);
  node.tabIndex = 0;
  return node;
}

function stepRow(step: CandidateStep, candidate: number, index: number): HTMLElement {
  const tone = scoreClass(step.score, step.valid);
  const bar = el('span', { className: `bar ${tone}` });
  bar.style.width = `${Math.round(100 * Math.max(0, Math.min(1, step.score ?? 0)))}%`;
  const meaning = `PRM score ${fmt(step.score)}: the process reward model's estimate that this step leads to a right answer`;
  const explain = el('button', { className: 'explain', text: 'Explain', title: "the policy's view of every token of this step" });
  explain.addEventListener('click', () => vscode.postMessage({ type: 'explain', candidate, step: index }));
  const row = el('li', { className: 'step' }, verdictMark(step), el('span', { className: 'text', text: step.text }), el('span', { className: 'meter', title: meaning }, bar), el('span', { className: `score ${tone}`, text: fmt(step.score), title: meaning }), explain);
  row.title = `PRM score ${fmt(step.score)} — ${step.reason}`;
  return row;
}

function candidateCard(solution: DistinctSolution, rank: number, focus: boolean): HTMLElement {
  const { candidate: c, index, copies } = solution;
  const insert = el('vscode-button', { text: 'Insert into editor' });
  insert.setAttribute('secondary', '');
  insert.addEventListener('click', () => vscode.postMessage({ type: 'insert', candidate: index }));
  const times = copies > 1 ? el('span', { className: 'copies', text: `×${copies}`, title: `the search reached this solution ${copies} times` }) : null;
  // The checker's verdict is the card's first signal; the PRM score beside it is secondary.
  const verdict = solutionVerdict(c);
  const [verdictText, verdictClass, verdictTitle] =
    verdict === true ? ['verified', 'verified', 'every step checked and the answer is right'] : verdict === false ? ['wrong', 'wrong', 'the checker proved a step of this solution wrong'] : ['not checked', 'unchecked', 'the checker could not check every step: the score is only the PRM\'s estimate'];
  const badge = el('span', { className: `verdict-label ${verdictClass}`, text: verdictText, title: verdictTitle });
  const card = el(
    'article',
    { className: `candidate${rank === 0 ? ' best' : ''}${focus ? ' focused' : ''}` },
    el('header', {}, el('span', { className: 'rank', text: `#${rank + 1}` }), badge, el('span', { className: 'answer', text: `Answer ${c.answer ?? '(none)'}` }), times, el('span', { className: `total ${scoreClass(c.score, verdict)}`, text: `score ${fmt(c.score)}`, title: "the solution's score: its steps' PRM scores combined as the search ranks them" }), el('span', { className: 'spacer' }), insert),
    el('ol', { className: 'steps' }, ...c.steps.map((s, i) => stepRow(s, index, i))),
  );
  card.dataset.node = String(c.nodeId);
  card.tabIndex = 0;
  card.setAttribute('aria-label', `Solution ${rank + 1}, ${verdictText}, answer ${c.answer ?? 'none'}, score ${fmt(c.score)}${copies > 1 ? `, reached ${copies} times` : ''}`);
  return card;
}

let controls: { strategy: HTMLElement & { value: string }; budget: HTMLElement & { value: string }; cancel: HTMLElement; rerun: HTMLElement } | null = null;
let shownRun = '';

function controlsFor(state: PanelState): HTMLElement {
  const strategy = el('vscode-single-select') as HTMLElement & { value: string };
  strategy.setAttribute('aria-label', 'Strategy');
  for (const name of state.strategies) {
    const option = el('vscode-option', { text: name });
    option.setAttribute('value', name);
    strategy.append(option);
  }
  const budget = el('vscode-textfield') as HTMLElement & { value: string };
  budget.setAttribute('type', 'number');
  budget.setAttribute('min', String(KNOBS.budget.min));
  budget.setAttribute('max', String(KNOBS.budget.max));
  budget.setAttribute('aria-label', 'Budget');
  const rerun = el('vscode-button', { text: 'Re-run' });
  rerun.addEventListener('click', () => {
    const n = Number(budget.value);
    vscode.postMessage({ type: 'rerun', strategy: strategy.value, budget: Number.isInteger(n) ? clampKnob('budget', n) : state.budget });
  });
  const cancel = el('vscode-button', { text: 'Cancel' });
  cancel.setAttribute('secondary', '');
  cancel.addEventListener('click', () => vscode.postMessage({ type: 'cancel' }));
  controls = { strategy, budget, cancel, rerun };
  // Each label stays on the row of its field when the controls wrap in a narrow panel.
  return el('div', { className: 'controls' }, el('span', { className: 'field' }, el('label', { text: 'Strategy' }), strategy), el('span', { className: 'field' }, el('label', { text: 'Budget' }), budget), rerun, cancel);
}

function render(state: PanelState): void {
  if (!controls) app.replaceChildren(el('header', { className: 'top' }), controlsFor(state), el('section', { className: 'agreement' }), el('section', { className: 'candidates' }));
  const runKey = `${state.problem}|${state.strategy}|${state.budget}`;
  if (runKey !== shownRun) {
    // Only a new run resets the controls, so the user's edits survive streaming updates.
    controls!.strategy.value = state.strategy;
    controls!.budget.value = String(state.budget);
    shownRun = runKey;
  }
  controls!.cancel.toggleAttribute('disabled', state.status !== 'running');
  const difficulty = state.difficulty ? ` · estimated difficulty ${state.difficulty.bin} of 5` : '';
  const plan = state.chosen ? `${state.strategy} chose ${state.chosen}, cap ${state.budget}` : `${state.strategy}, budget ${state.budget}`;
  const status = state.status === 'running' ? el('vscode-progress-ring', { className: 'spinner' }) : null;
  const statusText = { idle: '', running: 'searching…', done: 'done', cancelled: 'cancelled', error: 'failed' }[state.status];
  const header = [
    el('h1', { className: 'problem', text: state.problem }),
    el('div', { className: 'meta' }, status, el('span', { text: `${plan}${difficulty} · ${state.tokens} tokens · ${(state.flops / 1e9).toFixed(2)} GFLOP · ${state.ms} ms · ${state.nodes} ${state.nodes === 1 ? 'step' : 'steps'} explored · ${statusText}` })),
  ];
  if (state.notice) {
    const banner = el('div', { className: 'notice', text: state.notice });
    banner.setAttribute('role', 'status');
    header.splice(1, 0, banner);
  }
  if (state.message) header.push(el('div', { className: `message ${state.status}`, text: state.message }));
  if (state.cursor) {
    const c = state.cursor;
    const mark = verdictMark({ text: c.text, score: c.score, valid: c.valid, reason: c.reason });
    header.push(el('div', { className: 'cursor', title: c.reason }, el('span', { className: 'label', text: `Line ${c.line}:` }), mark, el('span', { className: 'text', text: c.text }), el('span', { className: `score ${scoreClass(c.score, c.valid)}`, text: `PRM ${fmt(c.score)}`, title: "the process reward model's estimate that this step leads to a right answer" }), el('span', { className: 'reason', text: c.reason })));
  }
  app.querySelector('header.top')!.replaceChildren(...header);
  app.querySelector('section.agreement')!.replaceChildren(
    ...(state.agreement.length ? [el('span', { className: 'label', text: 'Answers:' }), ...state.agreement.map((a) => el('span', { className: 'vote', text: `${a.answer}: ${a.count} of ${state.candidates.length}`, title: `${a.count} of the ${state.candidates.length} finished solutions answer ${a.answer}` }))] : []),
  );
  const list = app.querySelector('section.candidates')!;
  list.replaceChildren(...(state.candidates.length ? distinctSolutions(state.candidates).map((s, rank) => candidateCard(s, rank, state.focusNodeId !== null && s.nodeIds.includes(state.focusNodeId))) : [el('p', { className: 'empty', text: state.status === 'running' ? 'Candidates appear here as the search finishes them.' : NO_CANDIDATES })]));
  if (state.focusNodeId !== null) list.querySelector<HTMLElement>('.candidate.focused')?.scrollIntoView({ block: 'nearest' });
  vscode.setState(state);
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = v.safeParse(HostToPanelSchema, event.data);
  if (!parsed.success) {
    console.warn('Stepwise: dropped a message of the wrong shape');
    return;
  }
  render(parsed.output.state);
});

const saved = v.safeParse(PanelStateSchema, vscode.getState());
if (saved.success) render(saved.output);
vscode.postMessage({ type: 'ready' });
