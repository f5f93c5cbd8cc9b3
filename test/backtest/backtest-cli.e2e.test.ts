import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBacktestRunRecord } from '../../src/app/backtest/backtest-run-record.ts';
import { runBacktestToFiles } from '../../src/app/backtest/run-backtest.ts';
import { parseConfig } from '../../src/app/config/load-config.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'yunmin.js');
const SAMPLE = '/work/shared/data/BTCUSDT-5m-2025-10-01_07.csv';
const SAMPLE_FALLBACK = join(
  import.meta.dirname,
  '..',
  '..',
  'src',
  'sim',
  'market',
  'samples',
  'btcusdt-5m-sample.csv',
);
const sample = existsSync(SAMPLE) ? SAMPLE : SAMPLE_FALLBACK;

async function yunmin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('yunmin backtest', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'yunmin-bt-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeConfig(extra = ''): string {
    const path = join(dir, 'config.yaml');
    writeFileSync(
      path,
      `state_dir: ${join(dir, 'state')}\ntrading_engine:\n  symbols: [BTCUSDT]\n  strategy: { name: ema_crossover, params: { fast: 5, slow: 13 } }\nrisk_manager: { initial_capital: 10000 }\n${extra}`,
    );
    return path;
  }

  it('--config --data --from --to → report.md, chart.html and run.json under <state_dir>/backtests/<run id>/', async () => {
    const result = await yunmin([
      'backtest',
      '--config',
      writeConfig(),
      '--data',
      sample,
      '--from',
      '2025-10-01',
      '--to',
      '2025-10-01T12:00',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const runId = /backtest (bt-[0-9a-f]{12}):/.exec(result.stdout)?.[1] ?? '';
    const record = readBacktestRunRecord(join(dir, 'state'), runId);
    expect(record.from).toBe(Date.UTC(2025, 9, 1));
    expect(record.to).toBeLessThanOrEqual(Date.UTC(2025, 9, 1, 12));
    expect(record.reportFiles).toEqual(['report.md', 'chart.html']);
    const report = readFileSync(join(dir, 'state', 'backtests', runId, 'report.md'), 'utf8');
    expect(report).toContain(`# Backtest ${runId}`);
    expect(report).toMatch(/\| net PnL \| -?\d+\.\d{2} USDT/);
    expect(report).toContain('## Incidents that would have fired');
    expect(existsSync(join(dir, 'state', 'backtests', runId, 'chart.html'))).toBe(true);
  }, 60_000);

  it('a missing data file, a bad --from or a symbol outside the config → exit 1 with what was expected', async () => {
    const missing = await yunmin(['backtest', '--config', writeConfig(), '--data', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--data: cannot read');
    const badFrom = await yunmin(['backtest', '--config', writeConfig(), '--data', sample, '--from', 'yesterday']);
    expect(badFrom.code).not.toBe(0);
    expect(badFrom.stderr).toContain('expected epoch milliseconds or a UTC time');
    const badSymbol = await yunmin(['backtest', '--config', writeConfig(), '--data', sample, '--symbol', 'ETHUSDT']);
    expect(badSymbol.code).toBe(1);
    expect(badSymbol.stderr).toContain('data symbol ETHUSDT is not in trading_engine.symbols');
  }, 60_000);
});

describe('incidents that would have fired', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'yunmin-bt-inc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a 15 % fall within a minute in aggTrades → FLASH_CRASH in the report, at the crash', async () => {
    const start = Date.UTC(2025, 9, 1);
    const lines = ['agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker'];
    for (let second = 0; second < 600; second += 1) {
      const price = second < 300 ? 100_000 : second < 330 ? 100_000 - (second - 299) * 500 : 85_000;
      lines.push(`${second + 1},${price},0.01,${second + 1},${second + 1},${start + second * 1000},false`);
    }
    const data = join(dir, 'BTCUSDT-aggTrades-crash.csv');
    writeFileSync(data, `${lines.join('\n')}\n`);
    const config = parseConfig(
      `state_dir: ${join(dir, 'state')}\ntrading_engine: { symbols: [BTCUSDT], strategy: { name: churn, params: { pattern: long } } }\n`,
      {},
      'crash.yaml',
    );
    const outcome = await runBacktestToFiles({ config, dataPath: data, codeVersion: 'test' });
    const crash = outcome.result.incidents.find((incident) => incident.type === 'FLASH_CRASH');
    expect(crash?.severity).toBe('CRIT');
    expect(crash?.detectedAt).toBeGreaterThan(start + 300_000);
    expect(crash?.detectedAt).toBeLessThan(start + 331_000);
    expect(readFileSync(outcome.reportPath, 'utf8')).toMatch(
      /\| 2025-10-01T00:05:\d\d\.\d+Z \| FLASH_CRASH \| CRIT \|/,
    );
  }, 60_000);

  it('a loss past risk_manager.max_daily_dd → DAILY_DRAWDOWN and the kill switch trip, then no more orders', async () => {
    const config = parseConfig(
      `state_dir: ${join(dir, 'state')}\ntrading_engine: { symbols: [BTCUSDT], strategy: { name: churn } }\nrisk_manager: { initial_capital: 10000, max_daily_dd: 0.005 }\nexecutor: { max_position_pct: 0.5, slippage_bps: 20 }\n`,
      {},
      'dd.yaml',
    );
    const outcome = await runBacktestToFiles({
      config,
      dataPath: sample,
      to: Date.UTC(2025, 9, 1, 12),
      codeVersion: 'test',
    });
    const types = outcome.result.incidents.map((incident) => incident.type);
    expect(types).toEqual(expect.arrayContaining(['DAILY_DRAWDOWN', 'KILL_SWITCH']));
    const trip = outcome.result.incidents.find((incident) => incident.type === 'KILL_SWITCH');
    const after = outcome.result.orders.filter(
      (order) => order.at > (trip?.detectedAt ?? 0) && !order.clientOrderId.startsWith('ym-ks-'),
    );
    expect(after).toEqual([]);
    expect(outcome.metrics.limitBreaches).toBeGreaterThanOrEqual(1);
    expect(readFileSync(outcome.reportPath, 'utf8')).toContain('| DAILY_DRAWDOWN | CRIT |');
  }, 60_000);
});
