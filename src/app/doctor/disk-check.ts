import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type CheckResult, errorText } from './doctor-check.ts';

/** The part of node:fs statfs the check reads (bytes = blocks × bsize). */
export interface DiskStats {
  readonly bsize: number;
  readonly blocks: number;
  /** Blocks free for an unprivileged process. */
  readonly bavail: number;
}

export type StatFs = (path: string) => Promise<DiskStats>;

export interface DiskThresholds {
  /** Below this many free bytes: fail (the engine's store and logs are written synchronously). */
  readonly failBelowBytes: number;
  /** Below this many free bytes, or below warnBelowShare of the disk: warn. */
  readonly warnBelowBytes: number;
  readonly warnBelowShare: number;
}

const MB = 1024 * 1024;
const size = (bytes: number): string =>
  bytes >= 1024 * MB ? `${(bytes / 1024 / MB).toFixed(1)} GB` : `${Math.round(bytes / MB)} MB`;

/** The path itself or, before the engine has created it, its nearest existing parent. */
function existingAncestor(path: string): string {
  let current = resolve(path);
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/**
 * Free space where state and logs are written. A full disk fails SQLite commits (fills would not be
 * persisted) and silences the log: the engine keeps running, but blind.
 */
export async function checkDiskSpace(
  label: string,
  path: string,
  statfs: StatFs,
  thresholds: DiskThresholds,
): Promise<CheckResult> {
  const name = `disk ${label}`;
  const target = existingAncestor(path);
  let stats: DiskStats;
  try {
    stats = await statfs(target);
  } catch (error) {
    return { name, status: 'fail', detail: `${target}: cannot read free space: ${errorText(error)}` };
  }
  const free = stats.bavail * stats.bsize;
  const total = stats.blocks * stats.bsize;
  const share = total === 0 ? 0 : free / total;
  const where = target === resolve(path) ? path : `${path} (not created yet; measured at ${target})`;
  const detail = `${where}: ${size(free)} free of ${size(total)} (${(share * 100).toFixed(1)} %)`;
  if (free < thresholds.failBelowBytes)
    return { name, status: 'fail', detail: `${detail} < ${size(thresholds.failBelowBytes)}` };
  if (free < thresholds.warnBelowBytes || share < thresholds.warnBelowShare)
    return { name, status: 'warn', detail: `${detail}: getting full` };
  return { name, status: 'pass', detail };
}
