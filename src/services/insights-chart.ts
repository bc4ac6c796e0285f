import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { platformLabels, platformMetrics } from './insight-metrics.ts';
import type { InsightsReport } from './insights.ts';

/** The chart's size in CSS pixels; the PNG is drawn at `CHART_SCALE` times this for sharp text in Slack. */
export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 400;
export const CHART_SCALE = 2;

/** DejaVu Sans, shipped as an npm package so the chart has readable text on a host without system fonts. */
const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const fontFiles = [join(fontDir, 'DejaVuSans.ttf'), join(fontDir, 'DejaVuSans-Bold.ttf')];

/** One point of the chart: an account's figure on one day (views, or people reached where that is the daily series). */
export interface ViewsPoint {
  date: string;
  account: string;
  views: number;
}

/** What an account's line measures: its platform's daily series. */
function measureOf(platform: keyof typeof platformMetrics): 'views' | 'people reached' {
  return platformMetrics[platform].dailyMetric === 'reach' ? 'people reached' : 'views';
}

/** The chart's data: each account's figure per day, labelled with what it measures (Instagram gives reach per day). */
export function viewsPerDay(report: InsightsReport): ViewsPoint[] {
  return report.accounts.flatMap((account) => {
    const label = `${account.name} · ${platformLabels[account.platform]}, ${measureOf(account.platform)}`;
    return account.daily.map((day) => ({ date: day.date, account: label, views: day.value }));
  });
}

/** What the chart plots, as its title and axis say it: "Views per day", or views and people reached when both. */
export function chartTitle(report: InsightsReport): string {
  const drawn = report.accounts.filter((account) => account.daily.length > 0);
  const measures = new Set(drawn.map((account) => measureOf(account.platform)));
  if (measures.size === 2) return 'Views per day (people reached per day for Instagram)';
  return measures.has('people reached') ? 'People reached per day' : 'Views per day';
}

/** The chart's alt text: what it plots and for whom, and which accounts gave no daily figures. */
export function chartAltText(report: InsightsReport): string {
  const drawn = report.accounts.filter((account) => account.daily.length > 0).map((account) => account.name);
  const missing = missingAccounts(report);
  return `Line chart: ${chartTitle(report).toLowerCase()}, one line per account (${drawn.join(', ')}).${
    missing.length > 0 ? ` No daily figures from ${missing.join(', ')}.` : ''
  }`.slice(0, 1000);
}

/** Connected accounts that gave no daily figures for the period, named on the chart so none is silently left out. */
function missingAccounts(report: InsightsReport): string[] {
  return report.accounts
    .filter((account) => account.daily.length === 0)
    .map((account) => `${account.name} (${platformLabels[account.platform]})`);
}

/** The Vega-Lite line chart, one line per account, sized to exactly `CHART_WIDTH`×`CHART_HEIGHT`. */
export function viewsChartSpec(points: ViewsPoint[], title: string, subtitle?: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: subtitle ? { text: title, subtitle } : title,
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
      y: { field: 'views', type: 'quantitative', title },
      color: { field: 'account', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 360 } },
    },
  };
}

/**
 * Renders the report's views per day as a PNG: the Vega-Lite spec compiled to Vega, drawn headless to SVG by Vega's
 * own renderer, then rasterised by resvg. Returns `undefined` when the report has no daily figures to draw.
 */
export async function renderViewsChart(report: InsightsReport): Promise<Buffer | undefined> {
  const points = viewsPerDay(report);
  if (points.length === 0) return undefined;
  const title = chartTitle(report);
  const missing = missingAccounts(report);
  const subtitle = missing.length > 0 ? `No daily figures from ${missing.join(', ')}` : undefined;
  // Loaded on first use: charts are drawn once a week or on request, and these libraries are a large part of the
  // memory an idle process would otherwise hold.
  const [{ Resvg }, { parse: parseVega, View }, { compile }] = await Promise.all([
    import('@resvg/resvg-js'),
    import('vega'),
    import('vega-lite'),
  ]);
  const view = new View(parseVega(compile(viewsChartSpec(points, title, subtitle)).spec), { renderer: 'none' });
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
