import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatFixed } from '../../lib/fixed.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import { DEFAULT_INSTRUMENTS } from '../../sim/instruments.ts';
import { canonicalJson, configHash } from '../config/config-hash.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import { renderEquityChart } from './backtest-chart.ts';
import { type BacktestMetrics, computeMetrics } from './backtest-metrics.ts';
import { renderBacktestReport } from './backtest-report.ts';
import {
  type BacktestRunRecord,
  backtestRunDir,
  backtestRunId,
  writeBacktestRunRecord,
} from './backtest-run-record.ts';
import { type BacktestResult, runBacktest } from './backtest-runner.ts';
import { detectFormat, openTape } from './market-tape.ts';

export interface BacktestRequest {
  readonly config: EngineConfig;
  readonly dataPath: string;
  /** Epoch ms, inclusive / exclusive. */
  readonly from?: number;
  readonly to?: number;
  /** Default: the file name's prefix (`BTCUSDT-5m-…`), else the first configured symbol. */
  readonly symbol?: string;
  /** Overrides the code version (tests); default package version + git commit. */
  readonly codeVersion?: string;
}

export interface BacktestOutcome {
  readonly record: BacktestRunRecord;
  readonly result: BacktestResult;
  readonly metrics: BacktestMetrics;
  readonly runDir: string;
  readonly reportPath: string;
  readonly chartPath: string;
}

const REPORT_FILE = 'report.md';
const CHART_FILE = 'chart.html';

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** package.json's version plus the checked-out commit when a .git directory is found. */
export function codeVersion(): string {
  const root = join(import.meta.dirname, '..', '..', '..');
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version;
  let commit: string | undefined;
  try {
    const head = readFileSync(join(root, '.git', 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(head)) commit = head;
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (ref !== undefined) {
      const loose = join(root, '.git', ref);
      if (existsSync(loose)) commit = readFileSync(loose, 'utf8').trim();
      else {
        const packed = readFileSync(join(root, '.git', 'packed-refs'), 'utf8');
        commit = packed
          .split('\n')
          .find((line) => line.endsWith(` ${ref}`))
          ?.split(' ')[0];
      }
    }
  } catch {
    commit = undefined;
  }
  return `${version ?? '0.0.0'}${commit === undefined ? '' : `+${commit.slice(0, 12)}`}`;
}

function symbolOf(request: BacktestRequest): string {
  if (request.symbol !== undefined) return request.symbol;
  const prefix = /^([A-Z0-9]+)-/.exec(basename(request.dataPath))?.[1];
  if (prefix !== undefined && request.config.tradingEngine.symbols.includes(prefix)) return prefix;
  const first = request.config.tradingEngine.symbols[0];
  if (first === undefined) throw new YunminError('BACKTEST_SYMBOL_NOT_TRADED', 'trading_engine.symbols is empty');
  return first;
}

/**
 * `yunmin backtest` end to end: hash the inputs, replay, and write `report.md`, `chart.html` and
 * `run.json` under `<state_dir>/backtests/<runId>/`. The run id derives from the input hash, and
 * nothing written depends on the wall clock or on where the files live: same inputs, same bytes.
 */
export async function runBacktestToFiles(request: BacktestRequest): Promise<BacktestOutcome> {
  const { config } = request;
  let data: Buffer;
  try {
    data = readFileSync(request.dataPath);
  } catch {
    throw new YunminError('BACKTEST_DATA_UNREADABLE', `--data: cannot read ${request.dataPath}`);
  }
  const text = data.toString('utf8');
  const format = detectFormat(text);
  const symbol = symbolOf(request);
  const instrument = DEFAULT_INSTRUMENTS.find((candidate) => candidate.symbol === symbol);
  if (instrument === undefined) {
    throw new YunminError(
      'BACKTEST_SYMBOL_NOT_TRADED',
      `symbol ${symbol}: the simulated venue lists ${DEFAULT_INSTRUMENTS.map((i) => i.symbol).join(', ')}`,
    );
  }
  const hashes = {
    configHash: configHash(config),
    dataHash: sha256(data),
    codeVersion: request.codeVersion ?? codeVersion(),
  };
  // Fees and funding change the figures but are not part of the live config hash: they go in here.
  const inputHash = sha256(
    canonicalJson({
      ...hashes,
      from: request.from ?? null,
      to: request.to ?? null,
      symbol,
      backtest: config.backtest,
    }),
  );
  const runId = backtestRunId(inputHash);
  const range = {
    ...(request.from !== undefined && { from: request.from }),
    ...(request.to !== undefined && { to: request.to }),
  };
  const result = await runBacktest({ config, symbol, tape: openTape(text, instrument.tickSize, range) });
  const metrics = computeMetrics(result);
  const dataFile = basename(request.dataPath);
  const report = renderBacktestReport(
    {
      runId,
      inputHash,
      ...hashes,
      dataFile,
      format,
      strategy: `${config.tradingEngine.strategy.name} ${canonicalJson(config.tradingEngine.strategy.params)}, decision every ${config.tradingEngine.decisionIntervalS} s`,
      fees: `maker ${config.backtest.makerFee}, taker ${config.backtest.takerFee}`,
      slippageBps: config.executor.slippageBps,
      fundingRate8h: config.backtest.fundingRate8h,
    },
    result,
    metrics,
  );
  const chart = renderEquityChart(`Backtest ${runId}: ${symbol} equity and drawdown`, result.equity);
  const record: BacktestRunRecord = {
    runId,
    ...hashes,
    inputHash,
    dataFile,
    from: result.from,
    to: result.to,
    events: result.events,
    summary: {
      netPnl: formatFixed(metrics.netPnl, 8),
      fees: formatFixed(metrics.fees, 8),
      funding: formatFixed(metrics.funding, 8),
      maxDrawdown: formatFixed(metrics.maxDrawdown, 8),
      worstDailyDrawdown: formatFixed(metrics.worstDaily?.drawdown ?? 0n, 8),
      limitBreaches: metrics.limitBreaches,
      orders: metrics.orders,
      trades: metrics.trades.length,
      incidents: result.incidents.length,
    },
    reportFiles: [REPORT_FILE, CHART_FILE],
  };
  writeBacktestRunRecord(config.stateDir, record);
  const runDir = backtestRunDir(config.stateDir, runId);
  const reportPath = join(runDir, REPORT_FILE);
  const chartPath = join(runDir, CHART_FILE);
  writeFileSync(reportPath, report);
  writeFileSync(chartPath, chart);
  return { record, result, metrics, runDir, reportPath, chartPath };
}
