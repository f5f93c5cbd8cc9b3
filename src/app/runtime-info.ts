import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a running engine tells the CLI about itself (`state/runtime.json`): where its health server
 * and exchange are. The embedded simulator listens on a free port, so without this the runbook
 * commands could not reach it.
 */
export interface RuntimeInfo {
  readonly pid: number;
  readonly mode: 'LIVE' | 'DRY_RUN';
  readonly startedAt: number;
  readonly healthUrl: string;
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly embeddedSimulator: boolean;
  readonly controlUrl?: string;
}

const FILE = 'runtime.json';

export function writeRuntimeInfo(stateDir: string, info: RuntimeInfo): void {
  const path = join(stateDir, FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function removeRuntimeInfo(stateDir: string): void {
  rmSync(join(stateDir, FILE), { force: true });
}

/** The running engine's info, or undefined when none runs (no file, or its process is gone after a kill -9). */
export function readRuntimeInfo(stateDir: string): RuntimeInfo | undefined {
  let info: RuntimeInfo;
  try {
    info = JSON.parse(readFileSync(join(stateDir, FILE), 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}
