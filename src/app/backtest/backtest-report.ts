import { type Fixed, formatFixed } from '../../lib/fixed.ts';
import type { BacktestMetrics } from './backtest-metrics.ts';
import type { BacktestResult } from './backtest-runner.ts';

/** What identifies a run in its report: no wall-clock time and no absolute path, so reruns are byte-identical. */
export interface ReportHeader {
  readonly runId: string;
  readonly inputHash: string;
  readonly configHash: string;
  readonly dataHash: string;
  readonly codeVersion: string;
  /** The data file's name (not its path). */
  readonly dataFile: string;
  readonly format: string;
  readonly strategy: string;
  readonly fees: string;
  readonly slippageBps: number;
  readonly fundingRate8h: number;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const usdt = (value: Fixed): string => `${formatFixed(value, 2)} USDT`;
const pct = (fraction: Fixed): string => `${formatFixed(fraction * 100n, 2)} %`;
const ratio = (value: number | undefined, digits: number): string =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);

/** The Markdown report (issue 8 point 2). Every money figure is exact, printed to the cent. */
export function renderBacktestReport(header: ReportHeader, result: BacktestResult, metrics: BacktestMetrics): string {
  const worst = metrics.worstDaily;
  const lines = [
    `# Backtest ${header.runId}`,
    '',
    `${result.symbol}, ${iso(result.from)} → ${iso(result.to)}, ${result.events} market events replayed from \`${header.dataFile}\` (${header.format}).`,
    '',
    '## Inputs',
    '',
    '| | |',
    '|---|---|',
    `| input hash | \`${header.inputHash}\` |`,
    `| config hash | \`${header.configHash}\` |`,
    `| data hash | \`${header.dataHash}\` |`,
    `| code version | \`${header.codeVersion}\` |`,
    `| strategy | ${header.strategy} |`,
    `| fees | ${header.fees} |`,
    `| slippage | ${header.slippageBps} bps against the replayed price |`,
    `| funding | ${header.fundingRate8h === 0 ? 'none' : `flat ${header.fundingRate8h} per 8 h`} |`,
    '',
    '## Results',
    '',
    '| figure | value |',
    '|---|---|',
    `| net PnL | ${usdt(metrics.netPnl)} (${usdt(metrics.initialEquity)} → ${usdt(metrics.finalEquity)}) |`,
    `| realized PnL (before fees) | ${usdt(metrics.realizedPnl)} |`,
    `| fees | ${usdt(metrics.fees)} |`,
    `| funding | ${usdt(metrics.funding)} |`,
    `| maximum drawdown | ${usdt(metrics.maxDrawdown)} (${pct(metrics.maxDrawdownFraction)} of its peak) |`,
    `| worst daily drawdown | ${worst === undefined ? 'n/a' : `${pct(worst.drawdown)} on ${worst.day}`} (limit ${(result.maxDailyDd * 100).toFixed(2)} %) |`,
    `| daily limit breaches | ${metrics.limitBreaches} |`,
    `| orders / fills | ${metrics.orders} / ${metrics.fills} |`,
    `| closed trades | ${metrics.trades.length} |`,
    `| win rate | ${metrics.winRate === undefined ? 'n/a' : `${(metrics.winRate * 100).toFixed(1)} %`} |`,
    `| profit factor | ${ratio(metrics.profitFactor, 2)} |`,
    `| Sharpe (daily returns, × √365) | ${ratio(metrics.sharpe, 2)} |`,
    '',
    '## Incidents that would have fired',
    '',
    ...(result.incidents.length === 0
      ? ['None.']
      : [
          '| detected | type | severity | status | summary |',
          '|---|---|---|---|---|',
          ...result.incidents.map(
            (incident) =>
              `| ${iso(incident.detectedAt)} | ${incident.type} | ${incident.severity} | ${incident.status} | ${incident.summary.replaceAll('|', '\\|')} |`,
          ),
        ]),
    '',
    '## Daily drawdown',
    '',
    '| day (UTC) | baseline | low | drawdown | breach |',
    '|---|---|---|---|---|',
    ...metrics.daily.map(
      (day) =>
        `| ${day.day} | ${usdt(day.baseline)} | ${usdt(day.low)} | ${pct(day.drawdown)} | ${day.breached ? 'yes' : ''} |`,
    ),
    '',
    '## Assumptions',
    '',
    '- The engine, strategy, risk gate, execution service, kill switch and the daily-drawdown and flash-crash detectors are the production ones; only the exchange port is the in-process simulator (its matching and account).',
    '- Kline rows are walked open → low → high → close (rising) or open → high → low → close (falling) in three equal legs, cut into 1m candles with a trade at each minute’s open, corners and close; aggTrades rows are trades as they are.',
    '- The book is one level at the last price ∓ slippage with unlimited size; the mark price is the last price (at most once a second).',
    '- Funding, when configured, is a flat rate charged at 00:00, 08:00 and 16:00 UTC on the position’s notional and counted in equity and net PnL here; the engine’s own equity (and its drawdown limit) does not include it.',
    '- WebSocket staleness, reconnect-rate, REST-error, latency, stuck-order and reconciliation detectors do not run: a replayed venue has no connection to lose and answers at once.',
    '- After a kill switch trip the run stays HALTED to the end (no operator releases it).',
    '',
  ];
  return lines.join('\n');
}
