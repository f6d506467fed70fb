import './explain.css';
import * as v from 'valibot';
import { el } from './dom';
import { HostToExplainSchema, type ExplainToHost, type HostToExplain } from '../src/core/protocol/panel';
import type { ExplainResult, TokenView } from '../src/core/protocol/results';

declare function acquireVsCodeApi(): { postMessage(m: ExplainToHost): void };
const vscode = acquireVsCodeApi();
const root = document.getElementById('explain')!;
const SVG = 'http://www.w3.org/2000/svg';


const shown = (token: string) => (token === '\n' ? '⏎' : token === ' ' ? '␣' : token);
const spoken = (token: string) => (token === '\n' ? 'end of step' : token === ' ' ? 'space' : token);

let data: { problem: string; result: ExplainResult } | null = null;
let step = 0;
let selected = 0;
let temperature = 1;
let whatIf: Extract<HostToExplain, { type: 'whatIf' }> | null = null;

/** The token's alternatives at the slider's temperature, from the same raw logits (no model call). */
function distribution(t: TokenView): { token: string; p: number }[] {
  if (!t.logits?.length) return t.top;
  const scaled = t.logits.map((l) => l.logit / temperature);
  const max = Math.max(...scaled);
  const exp = scaled.map((x) => Math.exp(x - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return t.logits.map((l, i) => ({ token: l.token, p: exp[i] / sum })).sort((a, b) => b.p - a.p);
}
const probabilityOf = (t: TokenView) => distribution(t).find((d) => d.token === t.token)?.p ?? t.p;

function chips(tokens: TokenView[]): HTMLElement {
  const row = el('div', { className: 'chips' });
  row.setAttribute('role', 'listbox');
  row.setAttribute('aria-label', 'Tokens of the step, shaded by the policy\u2019s probability');
  tokens.forEach((t, i) => {
    const p = probabilityOf(t);
    const chip = el('span', { className: `chip${i === selected ? ' selected' : ''}`, text: shown(t.token), title: `${spoken(t.token)}: p ${p.toFixed(3)}` });
    // Shade: how sure the policy was of this token (a theme colour, mixed by opacity).
    chip.style.setProperty('--p', p.toFixed(3));
    chip.setAttribute('role', 'option');
    chip.setAttribute('aria-selected', String(i === selected));
    chip.setAttribute('aria-label', `token ${spoken(t.token)}, probability ${p.toFixed(3)}`);
    chip.dataset.p = p.toFixed(6);
    chip.tabIndex = i === selected ? 0 : -1;
    const choose = () => {
      selected = i;
      whatIf = null;
      render();
      root.querySelector<HTMLElement>('.chip.selected')?.focus();
    };
    chip.addEventListener('click', choose);
    chip.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        e.preventDefault();
        selected = Math.max(0, Math.min(tokens.length - 1, selected + (e.key === 'ArrowRight' ? 1 : -1)));
        render();
        root.querySelector<HTMLElement>('.chip.selected')?.focus();
      } else if (e.key === 'Enter' || e.key === ' ') choose();
    });
    row.append(chip);
  });
  return row;
}

function alternatives(t: TokenView): HTMLElement {
  const list = el('ol', { className: 'alternatives' });
  for (const alt of distribution(t).slice(0, 8)) {
    const bar = el('span', { className: 'bar' });
    bar.style.width = `${(100 * alt.p).toFixed(1)}%`;
    const written = alt.token === t.token;
    const button = el('button', { className: 'what-if', text: written ? 'written' : 'What if?', title: written ? 'the token the step has' : `continue the step from "${spoken(alt.token)}" here` }) as HTMLButtonElement;
    button.disabled = written;
    button.addEventListener('click', () => vscode.postMessage({ type: 'whatIf', step, position: selected, token: alt.token, temperature }));
    list.append(el('li', { className: written ? 'written' : '' }, el('span', { className: 'token', text: shown(alt.token) }), el('span', { className: 'meter' }, bar), el('span', { className: 'p', text: alt.p.toFixed(3) }), button));
  }
  return list;
}

/** The PRM's score after each step of the path, the current one marked. */
function scoreChart(result: ExplainResult): HTMLElement {
  const w = 240;
  const h = 60;
  const n = result.steps.length;
  const x = (i: number) => (n === 1 ? w / 2 : 8 + (i * (w - 16)) / (n - 1));
  const y = (s: number | null) => h - 6 - (s ?? 0) * (h - 12);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `PRM score along the path: ${result.steps.map((s, i) => `step ${i + 1} ${s.score?.toFixed(2) ?? 'none'}`).join(', ')}`);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', result.steps.map((s, i) => `${x(i)},${y(s.score)}`).join(' '));
  svg.append(line);
  result.steps.forEach((s, i) => {
    const dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('cx', String(x(i)));
    dot.setAttribute('cy', String(y(s.score)));
    dot.setAttribute('r', i === step ? '5' : '3');
    dot.setAttribute('class', i === step ? 'current' : '');
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `step ${i + 1}: PRM ${s.score?.toFixed(2) ?? '–'}`;
    dot.append(title);
    svg.append(dot);
  });
  return svg as unknown as HTMLElement;
}

function render(): void {
  if (!data) return;
  const s = data.result.steps[step];
  if (!s) return;
  const verdict = s.valid === true ? '✓ correct' : s.valid === false ? '✗ wrong' : '? not checkable';
  const slider = el('input', { className: 'temperature' }) as HTMLInputElement;
  Object.assign(slider, { type: 'range', min: '0.1', max: '2', step: '0.1', value: String(temperature) });
  slider.setAttribute('aria-label', 'Temperature');
  slider.addEventListener('input', () => {
    temperature = Number(slider.value);
    render();
    root.querySelector<HTMLInputElement>('input.temperature')?.focus();
  });
  const nav = (delta: number, label: string) => {
    const b = el('button', { text: label }) as HTMLButtonElement;
    b.disabled = step + delta < 0 || step + delta >= data!.result.steps.length;
    b.addEventListener('click', () => {
      step += delta;
      selected = 0;
      whatIf = null;
      render();
    });
    return b;
  };
  const token = s.tokens[selected];
  const parts: (HTMLElement | null)[] = [
    el('h1', { className: 'problem', text: data.problem }),
    el('div', { className: 'stepline' }, nav(-1, '‹ Previous step'), el('span', { text: `Step ${step + 1} of ${data.result.steps.length}` }), nav(1, 'Next step ›')),
    el('p', { className: `verdict ${s.valid === true ? 'valid' : s.valid === false ? 'invalid' : 'unknown'}` }, el('strong', { text: verdict }), el('span', { text: ` ${s.reason}` })),
    el('div', { className: 'temperature-row' }, el('label', { text: 'Temperature' }), slider, el('span', { className: 'value', text: temperature.toFixed(1) })),
    chips(s.tokens),
    token ? el('section', { className: 'token' }, el('h2', { text: `At "${spoken(token.token)}" the policy would write` }), alternatives(token)) : null,
    whatIf && whatIf.step === step
      ? el(
          'section',
          { className: 'what-if-result' },
          el('h2', { text: `What if "${spoken(whatIf.token)}" at token ${whatIf.position + 1}` }),
          el('p', { className: 'text', text: whatIf.result.text }),
          el('p', { text: `PRM ${whatIf.result.score?.toFixed(2) ?? '–'} · ${whatIf.result.valid === true ? '✓' : whatIf.result.valid === false ? '✗' : '?'} ${whatIf.result.reason}` }),
        )
      : null,
    el('section', { className: 'path' }, el('h2', { text: 'PRM score along the path' }), scoreChart(data.result), el('p', { className: 'caption', text: `step ${step + 1}: ${s.score?.toFixed(2) ?? '–'}` })),
  ];
  root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = v.safeParse(HostToExplainSchema, event.data);
  if (!parsed.success) return console.warn('Stepwise: dropped a message of the wrong shape');
  const m = parsed.output;
  if (m.type === 'failed') return root.replaceChildren(el('p', { className: 'error', text: m.message }));
  if (m.type === 'whatIf') {
    whatIf = m;
    return render();
  }
  data = { problem: m.problem, result: m.result };
  step = Math.min(m.step, m.result.steps.length - 1);
  selected = 0;
  whatIf = null;
  render();
});
vscode.postMessage({ type: 'ready' });
