import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { YunminError } from '../../lib/yunmin-error.ts';

/**
 * What a finished backtest leaves behind for the approval gate (playbook §5 step 5: "the fix is
 * tested in backtest"): `<stateDir>/backtests/<runId>/run.json`, next to the report. The gate
 * accepts a run only when `configHash` equals `configHash()` of the config about to go live.
 * `runId` derives from `inputHash`, so the same inputs give the same id (and a byte-identical report).
 */
export interface BacktestRunRecord {
  readonly runId: string;
  /** sha256 of the trading subset of the config (src/app/config/config-hash.ts). */
  readonly configHash: string;
  /** sha256 of the data file's bytes. */
  readonly dataHash: string;
  /** package version plus the git commit when known. */
  readonly codeVersion: string;
  /** sha256 over configHash, dataHash, codeVersion and the --from/--to range. */
  readonly inputHash: string;
  readonly dataFile: string;
  /** Epoch ms of the first and last replayed event. */
  readonly from: number;
  readonly to: number;
  readonly events: number;
  /** Headline figures as decimal strings (exact money) so the gate and the postmortem can quote them. */
  readonly summary: Readonly<Record<string, string | number>>;
  /** Paths of the Markdown report and the chart, relative to the run directory. */
  readonly reportFiles: readonly string[];
}

export const BACKTESTS_DIR = 'backtests';
const RECORD_FILE = 'run.json';
const RUN_ID = /^bt-[0-9a-f]{12}$/;

export function backtestRunId(inputHash: string): string {
  return `bt-${inputHash.slice(0, 12)}`;
}

export function backtestRunDir(stateDir: string, runId: string): string {
  return join(stateDir, BACKTESTS_DIR, runId);
}

export function writeBacktestRunRecord(stateDir: string, record: BacktestRunRecord): string {
  const dir = backtestRunDir(stateDir, record.runId);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, RECORD_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}

/** The recorded run, or a YunminError naming what is wrong (unknown id, unreadable or malformed record). */
export function readBacktestRunRecord(stateDir: string, runId: string): BacktestRunRecord {
  if (!RUN_ID.test(runId)) {
    throw new YunminError('BACKTEST_RUN_INVALID', `backtest run id: expected "bt-" and 12 hex digits, got "${runId}"`);
  }
  const path = join(backtestRunDir(stateDir, runId), RECORD_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new YunminError('BACKTEST_RUN_UNKNOWN', `no backtest run ${runId} (looked for ${path})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new YunminError('BACKTEST_RUN_INVALID', `${path}: not JSON`);
  }
  const record = parsed as Partial<BacktestRunRecord>;
  for (const field of ['runId', 'configHash', 'inputHash', 'codeVersion'] as const) {
    if (typeof record[field] !== 'string') {
      throw new YunminError('BACKTEST_RUN_INVALID', `${path}: field ${field}: expected a string`);
    }
  }
  if (record.runId !== runId) {
    throw new YunminError('BACKTEST_RUN_INVALID', `${path}: records run ${record.runId}, not ${runId}`);
  }
  return record as BacktestRunRecord;
}
