import { stratify, tree, type HierarchyPointNode } from 'd3-hierarchy';
import * as v from 'valibot';
import './tree-picture.css';
import { HostToTreePictureSchema, type TreePictureToHost } from '../src/core/protocol/panel';
import type { NodeView } from '../src/core/protocol/results';

declare function acquireVsCodeApi(): { postMessage(m: TreePictureToHost): void };
const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const picture = document.getElementById('picture')!;
const legend = document.getElementById('legend')!;
const info = document.getElementById('info')!;

/** Pan and zoom of the drawing: wheel or +/- zooms, drag or arrow keys pan, 0 or a double click fits. */
const view = { k: 1, x: 0, y: 0 };
let layer: SVGGElement | null = null;
const apply = () => layer?.setAttribute('transform', `translate(${view.x},${view.y}) scale(${view.k})`);
function zoom(factor: number, cx: number, cy: number): void {
  const k = Math.min(40, Math.max(0.2, view.k * factor));
  view.x = cx - ((cx - view.x) * k) / view.k;
  view.y = cy - ((cy - view.y) * k) / view.k;
  view.k = k;
  apply();
}
const fit = () => {
  Object.assign(view, { k: 1, x: 0, y: 0 });
  apply();
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, value] of Object.entries(attrs)) node.setAttribute(k, String(value));
  return node;
}

/** Red (0) through yellow to green (1), from theme chart colours via CSS classes. */
const band = (s: number | null) => (s === null ? 'none' : s >= 0.7 ? 'high' : s >= 0.4 ? 'mid' : 'low');

function draw(nodes: NodeView[], chosen: Set<number>): void {
  if (!nodes.length) return;
  const root = stratify<NodeView>()
    .id((n) => String(n.id))
    .parentId((n) => (n.parentId === null ? null : String(n.parentId)))(nodes);
  const leaves = root.leaves().length;
  const depth = root.height;
  // The drawing fills the view; a margin keeps the outermost nodes off its edges.
  const box = picture.getBoundingClientRect();
  const width = Math.max(box.width || 240, 120);
  const height = Math.max(box.height || 160, (depth + 1) * 24);
  const margin = 16;
  const laid: HierarchyPointNode<NodeView> = tree<NodeView>().size([width - 2 * margin, height - 2 * margin])(root);
  const canvas = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', height: '100%', tabindex: 0 });
  canvas.setAttribute('aria-label', `Search tree, ${leaves} ${leaves === 1 ? 'leaf' : 'leaves'}: wheel or +/- to zoom, drag or arrow keys to pan, 0 to fit`);
  const g = svg('g', {});
  const inner = svg('g', { transform: `translate(${margin},${margin})` });
  g.append(inner);
  // Nodes stay a readable size however many there are: their radius shrinks only down to 2.5.
  const r = Math.max(2.5, Math.min(6, (width - 2 * margin) / Math.max(1, leaves) / 2.5));
  for (const link of laid.links()) {
    const onPath = chosen.has(link.target.data.id);
    inner.append(svg('line', { x1: link.source.x, y1: link.source.y, x2: link.target.x, y2: link.target.y, class: `link${onPath ? ' chosen' : ''}${link.target.data.status === 'pruned' ? ' pruned' : ''}` }));
  }
  for (const n of laid.descendants()) {
    const d = n.data;
    const circle = svg('circle', { cx: n.x, cy: n.y, r: d.status === 'finished' ? r * 1.5 : r, class: `node score-${band(d.score)} ${d.status}${chosen.has(d.id) ? ' chosen' : ''}${d.valid === false ? ' invalid' : ''}`, tabindex: 0 });
    const title = svg('title', {});
    title.textContent = `${d.text}\nscore ${d.score === null ? '–' : d.score.toFixed(2)} · ${d.status}${d.reason ? ` · ${d.reason}` : ''}`;
    circle.append(title);
    const describe = () => (info.textContent = `${d.text} · PRM score ${d.score === null ? '–' : d.score.toFixed(2)} · ${d.status}`);
    circle.addEventListener('mouseenter', describe);
    circle.addEventListener('focus', describe);
    circle.addEventListener('click', () => vscode.postMessage({ type: 'select', nodeId: d.id }));
    circle.addEventListener('keydown', (e) => e.key === 'Enter' && vscode.postMessage({ type: 'select', nodeId: d.id }));
    inner.append(circle);
  }
  canvas.append(g);
  picture.replaceChildren(canvas);
  layer = g;
  apply();
  const pruned = nodes.filter((n) => n.status === 'pruned').length;
  const finished = nodes.filter((n) => n.status === 'finished').length;
  legend.textContent = `${plural(nodes.length - 1, 'step')} · ${finished} finished · ${pruned} pruned · colour: PRM score (green high, red low) · thick: the chosen solution`;
  picture.title = 'Wheel or +/- zooms, drag or arrow keys pan, 0 or a double click fits; click a node to reveal it';
}

let drag: { x: number; y: number } | null = null;
picture.addEventListener('wheel', (e) => {
  e.preventDefault();
  const box = picture.getBoundingClientRect();
  zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, e.clientX - box.left, e.clientY - box.top);
}, { passive: false });
picture.addEventListener('pointerdown', (e) => {
  if ((e.target as Element).tagName === 'circle') return;
  drag = { x: e.clientX - view.x, y: e.clientY - view.y };
  picture.setPointerCapture(e.pointerId);
});
picture.addEventListener('pointermove', (e) => {
  if (!drag) return;
  view.x = e.clientX - drag.x;
  view.y = e.clientY - drag.y;
  apply();
});
picture.addEventListener('pointerup', () => (drag = null));
picture.addEventListener('dblclick', fit);
picture.addEventListener('keydown', (e) => {
  const box = picture.getBoundingClientRect();
  const step = 40;
  const keys: Record<string, () => void> = {
    '+': () => zoom(1.2, box.width / 2, box.height / 2),
    '=': () => zoom(1.2, box.width / 2, box.height / 2),
    '-': () => zoom(1 / 1.2, box.width / 2, box.height / 2),
    '0': fit,
    ArrowLeft: () => ((view.x += step), apply()),
    ArrowRight: () => ((view.x -= step), apply()),
    ArrowUp: () => ((view.y += step), apply()),
    ArrowDown: () => ((view.y -= step), apply()),
  };
  const act = keys[e.key];
  if (act && (e.target as Element).tagName !== 'circle') {
    e.preventDefault();
    act();
  }
});

let last: { nodes: NodeView[]; chosen: Set<number> } | null = null;
// The drawing follows the view's size (the side bar resized, the view moved to the panel).
new ResizeObserver(() => last && draw(last.nodes, last.chosen)).observe(picture);

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = v.safeParse(HostToTreePictureSchema, event.data);
  if (!parsed.success) return console.warn('Stepwise: dropped a message of the wrong shape');
  last = { nodes: parsed.output.nodes, chosen: new Set(parsed.output.chosen) };
  draw(last.nodes, last.chosen);
});
vscode.postMessage({ type: 'ready' });
