// Bar charts drawn as SVG on the server by Vega-Lite: no script in the page, and a table of the same figures
// beside each chart for those who cannot see it.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { escapeHtml } from './render';

export interface Bar {
  label: string;
  value: number;
}

/** A bar of a paired chart: one of two series (say "Requests" and "Expected") for its label. */
export interface PairedBar extends Bar {
  series: string;
}

const config = { font: 'Arial, sans-serif', view: { stroke: null } };
// Without a canvas Vega guesses text widths on the wide side: room for about 37 characters of label.
const labelAxis = { labelLimit: 420, labelFontSize: 14 };
const valueAxis = { tickMinStep: 1, labelFontSize: 14 };

async function svgOf(title: string, spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg.replace('<svg ', `<svg role="img" aria-label="${escapeHtml(title)}" focusable="false" `);
}

/**
 * A horizontal bar chart as an SVG element, named for assistive technology by `title`: the longest bar first, or the
 * bars in the order given (months, say) with `inOrder`.
 */
export function barChart(title: string, bars: Bar[], { inOrder = false } = {}): Promise<string> {
  return svgOf(title, {
    width: 400,
    data: { values: bars },
    mark: { type: 'bar', color: '#1d70b8' },
    encoding: {
      y: { field: 'label', type: 'nominal', title: null, sort: inOrder ? null : '-x', axis: labelAxis },
      x: { field: 'value', type: 'quantitative', title: null, axis: valueAxis },
    },
    config,
  });
}

/**
 * Two bars a label, side by side, in GOV.UK blue and dark grey (each 3:1 or more against white), with a legend:
 * what was done beside what was expected. The labels keep the order given.
 */
export function pairedBarChart(title: string, bars: PairedBar[]): Promise<string> {
  const series = [...new Set(bars.map((bar) => bar.series))];
  return svgOf(title, {
    width: 400,
    data: { values: bars },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'label', type: 'nominal', title: null, sort: null, axis: labelAxis },
      yOffset: { field: 'series', type: 'nominal', sort: series },
      x: { field: 'value', type: 'quantitative', title: null, axis: valueAxis },
      color: {
        field: 'series',
        type: 'nominal',
        sort: series,
        scale: { domain: series, range: ['#1d70b8', '#505a5f'] },
        legend: { title: null, orient: 'bottom', labelFontSize: 14 },
      },
    },
    config,
  });
}
