import { type Fixed, fixedToFloat, formatFixed, maxFixed, minFixed } from '../../lib/fixed.ts';
import type { EquityPoint } from './backtest-runner.ts';

const WIDTH = 960;
const EQUITY_HEIGHT = 300;
const DRAWDOWN_HEIGHT = 140;
const MARGIN = { left: 90, right: 20, top: 30, bottom: 30 };
/** Enough points for a 960 px wide chart; more only makes the file bigger. */
const MAX_POINTS = 2000;

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Every n-th point, always keeping the last one, so the chart ends where the run ended. */
function sample(points: readonly EquityPoint[]): EquityPoint[] {
  if (points.length <= MAX_POINTS) return [...points];
  const stride = Math.ceil(points.length / MAX_POINTS);
  const result = points.filter((_, index) => index % stride === 0);
  const last = points.at(-1);
  if (last !== undefined && result.at(-1) !== last) result.push(last);
  return result;
}

function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * Equity and drawdown as a self-contained HTML page with inline SVG: no script, no network, opens in
 * any browser and is byte-identical for the same run. Drawdown is from the running peak, in USDT.
 */
export function renderEquityChart(title: string, points: readonly EquityPoint[]): string {
  const shown = sample(points);
  const first = shown[0];
  const last = shown.at(-1);
  if (first === undefined || last === undefined)
    return `<!doctype html><title>${escapeHtml(title)}</title><p>No data.</p>`;
  let peak: Fixed = first.equity;
  const drawdowns = shown.map((point) => {
    if (point.equity > peak) peak = point.equity;
    return peak - point.equity;
  });
  const equities = shown.map((point) => point.equity);
  let low = equities.reduce(minFixed);
  let high = equities.reduce(maxFixed);
  if (low === high) {
    low -= 100_000_000n;
    high += 100_000_000n;
  }
  const deepest = drawdowns.reduce(maxFixed, 0n);
  const span = Math.max(1, last.at - first.at);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (at: number) => (MARGIN.left + ((at - first.at) / span) * plotWidth).toFixed(1);
  const equityPlot = EQUITY_HEIGHT - MARGIN.top - MARGIN.bottom;
  const yEquity = (value: Fixed) =>
    (MARGIN.top + (1 - fixedToFloat(value - low) / fixedToFloat(high - low)) * equityPlot).toFixed(1);
  const drawdownPlot = DRAWDOWN_HEIGHT - MARGIN.top - MARGIN.bottom;
  const yDrawdown = (value: Fixed) =>
    (MARGIN.top + (deepest === 0n ? 0 : fixedToFloat(value) / fixedToFloat(deepest)) * drawdownPlot).toFixed(1);
  const equityPath = shown.map((point) => `${x(point.at)},${yEquity(point.equity)}`).join(' ');
  const drawdownPath = [
    `${x(first.at)},${MARGIN.top}`,
    ...shown.map((point, index) => `${x(point.at)},${yDrawdown(drawdowns[index] ?? 0n)}`),
    `${x(last.at)},${MARGIN.top}`,
  ].join(' ');
  const axis = (height: number, top: string, bottom: string) =>
    [
      `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${height - MARGIN.bottom}" stroke="#888"/>`,
      `<line x1="${MARGIN.left}" y1="${height - MARGIN.bottom}" x2="${WIDTH - MARGIN.right}" y2="${height - MARGIN.bottom}" stroke="#888"/>`,
      `<text x="${MARGIN.left - 6}" y="${MARGIN.top + 4}" text-anchor="end">${top}</text>`,
      `<text x="${MARGIN.left - 6}" y="${height - MARGIN.bottom}" text-anchor="end">${bottom}</text>`,
      `<text x="${MARGIN.left}" y="${height - 8}">${isoMinute(first.at)}</text>`,
      `<text x="${WIDTH - MARGIN.right}" y="${height - 8}" text-anchor="end">${isoMinute(last.at)}</text>`,
    ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}svg{display:block;margin-bottom:16px}text{font-size:12px;fill:#444}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<h2>Equity (USDT)</h2>
<svg width="${WIDTH}" height="${EQUITY_HEIGHT}" viewBox="0 0 ${WIDTH} ${EQUITY_HEIGHT}" role="img" aria-label="equity">
${axis(EQUITY_HEIGHT, formatFixed(high, 2), formatFixed(low, 2))}
<polyline fill="none" stroke="#1f6feb" stroke-width="1.5" points="${equityPath}"/>
</svg>
<h2>Drawdown from the running peak (USDT)</h2>
<svg width="${WIDTH}" height="${DRAWDOWN_HEIGHT}" viewBox="0 0 ${WIDTH} ${DRAWDOWN_HEIGHT}" role="img" aria-label="drawdown">
${axis(DRAWDOWN_HEIGHT, '0', `-${formatFixed(deepest, 2)}`)}
<polygon fill="#f8514966" stroke="#cf222e" stroke-width="1" points="${drawdownPath}"/>
</svg>
</body>
</html>
`;
}
