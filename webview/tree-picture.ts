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
  const width = Math.max(240, leaves * 14);
  const height = Math.max(120, (depth + 1) * 44);
  const laid: HierarchyPointNode<NodeView> = tree<NodeView>().size([width - 20, height - 30])(root);
  const canvas = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%' });
  const g = svg('g', { transform: 'translate(10,15)' });
  for (const link of laid.links()) {
    const onPath = chosen.has(link.target.data.id);
    g.append(svg('line', { x1: link.source.x, y1: link.source.y, x2: link.target.x, y2: link.target.y, class: `link${onPath ? ' chosen' : ''}${link.target.data.status === 'pruned' ? ' pruned' : ''}` }));
  }
  for (const n of laid.descendants()) {
    const d = n.data;
    const circle = svg('circle', { cx: n.x, cy: n.y, r: d.status === 'finished' ? 6 : 4, class: `node score-${band(d.score)} ${d.status}${chosen.has(d.id) ? ' chosen' : ''}${d.valid === false ? ' invalid' : ''}`, tabindex: 0 });
    const title = svg('title', {});
    title.textContent = `${d.text}\nscore ${d.score === null ? '–' : d.score.toFixed(2)} · ${d.status}${d.reason ? ` · ${d.reason}` : ''}`;
    circle.append(title);
    circle.addEventListener('click', () => vscode.postMessage({ type: 'select', nodeId: d.id }));
    circle.addEventListener('keydown', (e) => e.key === 'Enter' && vscode.postMessage({ type: 'select', nodeId: d.id }));
    g.append(circle);
  }
  canvas.append(g);
  picture.replaceChildren(canvas);
  const pruned = nodes.filter((n) => n.status === 'pruned').length;
  const finished = nodes.filter((n) => n.status === 'finished').length;
  legend.textContent = `${nodes.length - 1} steps · ${finished} finished · ${pruned} pruned. Colour: PRM score (green high, red low); thick: the chosen solution.`;
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = v.safeParse(HostToTreePictureSchema, event.data);
  if (!parsed.success) return console.warn('Stepwise: dropped a message of the wrong shape');
  draw(parsed.output.nodes, new Set(parsed.output.chosen));
});
vscode.postMessage({ type: 'ready' });
