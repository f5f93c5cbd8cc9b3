import { type Command, InvalidArgumentError } from 'commander';
import { runBacktestToFiles } from '../app/backtest/run-backtest.ts';
import { loadConfig } from '../app/config/load-config.ts';
import { formatFixed } from '../lib/fixed.ts';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?Z?$/;

/** `--from/--to`: epoch milliseconds, or a UTC date / date-time (`2025-10-02`, `2025-10-02T12:00`). */
export function timeOption(value: string): number {
  if (/^\d{10,16}$/.test(value)) return Number(value);
  const match = DATE_TIME.exec(value.trim());
  const [, year, month, day, hour = '0', minute = '0', second = '0'] = match ?? [];
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (match === null || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(
      `expected epoch milliseconds or a UTC time like 2025-10-02 or 2025-10-02T12:00, got "${value}"`,
    );
  }
  return ms;
}

/** `yunmin backtest`: replay history through the engine on a virtual clock (issue 8). */
export function registerBacktestCommand(program: Command): void {
  program
    .command('backtest')
    .description(
      'replay a Binance kline or aggTrades CSV (or timestamp,open,high,low,close,volume) through the engine on a virtual clock; writes report.md, chart.html and run.json under <state_dir>/backtests/<run id>/',
    )
    .requiredOption('--config <file>', 'YAML configuration (strategy, risk, backtest fees)')
    .requiredOption('--data <file>', 'market data CSV')
    .option('--from <time>', 'first event time (inclusive): epoch ms or UTC date-time', timeOption)
    .option('--to <time>', 'last event time (exclusive): epoch ms or UTC date-time', timeOption)
    .option('--symbol <symbol>', 'symbol of the data (default: the file name prefix, else the first configured)')
    .action(async (raw: { config: string; data: string; from?: number; to?: number; symbol?: string }) => {
      if (raw.from !== undefined && raw.to !== undefined && raw.from >= raw.to) {
        throw new InvalidArgumentError(`--from must be before --to`);
      }
      const config = loadConfig(raw.config, process.env);
      const outcome = await runBacktestToFiles({
        config,
        dataPath: raw.data,
        ...(raw.from !== undefined && { from: raw.from }),
        ...(raw.to !== undefined && { to: raw.to }),
        ...(raw.symbol !== undefined && { symbol: raw.symbol }),
      });
      const { metrics, record } = outcome;
      process.stdout.write(
        [
          `backtest ${record.runId}: ${record.events} events, net PnL ${formatFixed(metrics.netPnl, 2)} USDT, max drawdown ${formatFixed(metrics.maxDrawdown, 2)} USDT, ${metrics.trades.length} trades, ${outcome.result.incidents.length} incidents`,
          `report: ${outcome.reportPath}`,
          `chart: ${outcome.chartPath}`,
          `input hash: ${record.inputHash}`,
          '',
        ].join('\n'),
      );
    });
}
