import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readBacktestRunRecord } from '../../src/app/backtest/backtest-run-record.ts';
import { runBacktestToFiles } from '../../src/app/backtest/run-backtest.ts';
import { configHash } from '../../src/app/config/config-hash.ts';
import { parseConfig } from '../../src/app/config/load-config.ts';
import { replaySamplePath } from '../../src/sim/market/replay-sample.ts';

/** Issue 8 point 3: the same inputs give byte-identical output; any input change gives another hash. */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'yunmin-bt-det-'));
  dirs.push(dir);
  return dir;
}

function configIn(dir: string, params = '{ fast: 5, slow: 13 }') {
  return parseConfig(
    `state_dir: ${join(dir, 'state')}\ntrading_engine:\n  symbols: [BTCUSDT]\n  strategy: { name: ema_crossover, params: ${params} }\nrisk_manager: { initial_capital: 10000 }\nexecutor: { max_position_pct: 0.1 }\nbacktest: { funding_rate_8h: 0.0001 }\n`,
    {},
    'backtest.yaml',
  );
}

/** The bundled day of 5m candles, copied into `dir` (so two runs read two different absolute paths). */
function sampleIn(dir: string, edit: (text: string) => string = (text) => text): string {
  const path = join(dir, 'BTCUSDT-5m-sample.csv');
  writeFileSync(path, edit(readFileSync(replaySamplePath(), 'utf8')));
  return path;
}

const filesOf = (runDir: string) =>
  ['report.md', 'chart.html', 'run.json'].map((name) => readFileSync(join(runDir, name)));

describe('backtest determinism', () => {
  it('same config and data in two directories → byte-identical report, chart and run record', async () => {
    const [a, b] = [workDir(), workDir()];
    const first = await runBacktestToFiles({ config: configIn(a), dataPath: sampleIn(a), codeVersion: 'test' });
    const second = await runBacktestToFiles({ config: configIn(b), dataPath: sampleIn(b), codeVersion: 'test' });
    expect(first.record.runId).toBe(second.record.runId);
    expect(first.result.orders.length).toBeGreaterThan(0);
    const [reportA, chartA, runA] = filesOf(first.runDir);
    const [reportB, chartB, runB] = filesOf(second.runDir);
    expect(reportA?.equals(reportB as Buffer)).toBe(true);
    expect(chartA?.equals(chartB as Buffer)).toBe(true);
    expect(runA?.equals(runB as Buffer)).toBe(true);
    const report = reportA?.toString('utf8') ?? '';
    expect(report).toContain(first.record.inputHash);
    expect(report).toContain(first.record.configHash);
    expect(report).not.toContain(a);
    expect(report).not.toContain(tmpdir());
    expect(chartA?.toString('utf8')).toMatch(/^<!doctype html>[\s\S]*<polyline[\s\S]*<polygon/);
    const record = readBacktestRunRecord(join(a, 'state'), first.record.runId);
    expect(record.configHash).toBe(configHash(configIn(a)));
    expect(record.dataHash).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);

  it('one changed price, strategy parameter, range or code version → another input hash and run id', async () => {
    const dir = workDir();
    const base = { config: configIn(dir), dataPath: sampleIn(dir), codeVersion: 'test' };
    const to = Date.UTC(2025, 9, 1, 6);
    const reference = await runBacktestToFiles({ ...base, to });
    const editedDir = workDir();
    const edited = await runBacktestToFiles({
      ...base,
      to,
      dataPath: sampleIn(editedDir, (text) => text.replace(',114222.95,', ',114300,')),
    });
    const otherParams = await runBacktestToFiles({ ...base, to, config: configIn(dir, '{ fast: 4, slow: 13 }') });
    const otherRange = await runBacktestToFiles({ ...base, to: to + 3_600_000 });
    const otherCode = await runBacktestToFiles({ ...base, to, codeVersion: 'test-2' });
    expect(edited.record.dataHash).not.toBe(reference.record.dataHash);
    expect(otherParams.record.configHash).not.toBe(reference.record.configHash);
    const ids = [reference, edited, otherParams, otherRange, otherCode].map((outcome) => outcome.record.runId);
    expect(new Set(ids).size).toBe(ids.length);
  }, 60_000);
});
