// Bar charts drawn as SVG on the server by Vega-Lite: no script in the page, and a table of the same figures
// beside each chart for those who cannot see it.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { escapeHtml } from './render';

export interface Bar {
  label: string;
  value: number;
}

/** A horizontal bar chart as an SVG element, named for assistive technology by `title`. */
export async function barChart(title: string, bars: Bar[]): Promise<string> {
  const spec: TopLevelSpec = {
    width: 400,
    data: { values: bars },
    mark: { type: 'bar', color: '#1d70b8' },
    encoding: {
      y: { field: 'label', type: 'nominal', title: null, sort: '-x', axis: { labelLimit: 220, labelFontSize: 14 } },
      x: { field: 'value', type: 'quantitative', title: null, axis: { tickMinStep: 1, labelFontSize: 14 } },
    },
    config: { font: 'Arial, sans-serif', view: { stroke: null } },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg.replace('<svg ', `<svg role="img" aria-label="${escapeHtml(title)}" focusable="false" `);
}
