import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { metricLabels, platformLabels, platformMetrics } from './insight-metrics.ts';
import type { InsightsReport } from './insights.ts';

/** The chart's size in CSS pixels; the PNG is drawn at `CHART_SCALE` times this for sharp text in Slack. */
export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 400;
export const CHART_SCALE = 2;

/** DejaVu Sans, shipped as an npm package so the chart has readable text on a host without system fonts. */
const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const fontFiles = [join(fontDir, 'DejaVuSans.ttf'), join(fontDir, 'DejaVuSans-Bold.ttf')];

/** One point of the chart: an account's views on one day. */
export interface ViewsPoint {
  date: string;
  account: string;
  views: number;
}

/** The chart's data: views per day per account (reach for Instagram, whose views come only as a total). */
export function viewsPerDay(report: InsightsReport): ViewsPoint[] {
  return report.accounts.flatMap((account) => {
    const { dailyMetric, accountViews } = platformMetrics[account.platform];
    const what = dailyMetric === accountViews ? '' : `, ${metricLabels[dailyMetric] ?? dailyMetric}`;
    const label = `${account.name} (${platformLabels[account.platform]}${what})`;
    return account.daily.map((day) => ({ date: day.date, account: label, views: day.value }));
  });
}

/** The Vega-Lite line chart of views per day, one line per account, sized to exactly `CHART_WIDTH`×`CHART_HEIGHT`. */
export function viewsChartSpec(points: ViewsPoint[], title: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 12,
    background: 'white',
    config: { font: 'DejaVu Sans' },
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'date', type: 'temporal', timeUnit: 'utcyearmonthdate', title: null, axis: { format: '%a %d %b' } },
      y: { field: 'views', type: 'quantitative', title: 'Views' },
      color: { field: 'account', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 360 } },
    },
  };
}

/**
 * Renders the report's views per day as a PNG: the Vega-Lite spec compiled to Vega, drawn headless to SVG by Vega's
 * own renderer, then rasterised by resvg. Returns `undefined` when the report has no daily figures to draw.
 */
export async function renderViewsChart(report: InsightsReport, title = 'Views per day'): Promise<Buffer | undefined> {
  const points = viewsPerDay(report);
  if (points.length === 0) return undefined;
  // Loaded on first use: charts are drawn once a week or on request, and these libraries are a large part of the
  // memory an idle process would otherwise hold.
  const [{ Resvg }, { parse: parseVega, View }, { compile }] = await Promise.all([
    import('@resvg/resvg-js'),
    import('vega'),
    import('vega-lite'),
  ]);
  const view = new View(parseVega(compile(viewsChartSpec(points, title)).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const png = new Resvg(svg, {
      font: { loadSystemFonts: false, fontFiles, defaultFontFamily: 'DejaVu Sans' },
      fitTo: { mode: 'zoom', value: CHART_SCALE },
    }).render();
    return png.asPng();
  } finally {
    view.finalize();
  }
}
