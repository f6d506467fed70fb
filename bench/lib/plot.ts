import type { TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to a standalone SVG string (no browser, no network). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // vega ships ESM with top-level await: load it as ESM, not through the CJS transform.
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export function accuracyPlot(values: { strategy: string; tokens: number; flops: number; accuracy: number; budget: number }[], x: 'tokens' | 'flops', title: string) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 560,
    height: 340,
    background: 'white',
    data: { values },
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: { field: x, type: 'quantitative' as const, scale: { type: 'log' as const, base: 2 }, axis: { format: '.2s' }, title },
      y: { field: 'accuracy', type: 'quantitative' as const, axis: { format: '%' }, title: 'accuracy' },
      // 10-colour schemes repeat a colour at 11 strategies; the 4x policy's lines get their own shape
      color: { field: 'strategy', type: 'nominal' as const, scale: { scheme: 'tableau20' } },
      shape: { condition: { test: "indexof(datum.strategy, '4x') === 0", value: 'triangle-up' }, value: 'circle' },
      strokeDash: { condition: { test: "datum.strategy === 'oracle pass@N'", value: [4, 4] }, value: [1, 0] },
      tooltip: [{ field: 'strategy' }, { field: 'budget' }, { field: 'accuracy', format: '.1%' }],
    },
  };
}
