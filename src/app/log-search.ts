import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEXT_LOG_FILE } from '../adapters/logging/file-logger.ts';
import type { LogLevel } from '../ports/logger.ts';

export interface LogLine {
  /** Epoch ms of the line's timestamp (whole seconds, UTC). */
  readonly at: number;
  readonly level: LogLevel;
  readonly message: string;
  /** The line as written. */
  readonly text: string;
}

export interface LogQuery {
  readonly grep?: RegExp;
  /** This level and above (INFO < WARN < CRIT). */
  readonly level?: LogLevel;
  /** Only lines at or after this time (epoch ms). */
  readonly since?: number;
  /** Only the last N matching lines. */
  readonly tail?: number;
}

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { INFO: 0, WARN: 1, CRIT: 2 };
const LINE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) \| (INFO|WARN|CRIT) \| (.*)$/;

/** One trading.log line (`YYYY-MM-DD HH:MM:SS | LEVEL | message`), or undefined for anything else. */
export function parseLogLine(text: string): LogLine | undefined {
  const match = LINE.exec(text);
  if (match === null) return undefined;
  const [, date, time, level, message] = match;
  return { at: Date.parse(`${date}T${time}Z`), level: level as LogLevel, message: message ?? '', text };
}

/**
 * trading.log and its rotated files, oldest first: `trading.log.<keep>` … `trading.log.1`, then
 * `trading.log` (RotatingFile renames path → path.1 → path.2, so a higher number is older).
 */
export function logFiles(logsDir: string): string[] {
  if (!existsSync(logsDir)) return [];
  const rotated = readdirSync(logsDir)
    .map((name) => ({ name, index: new RegExp(`^${TEXT_LOG_FILE.replace('.', '\\.')}\\.(\\d+)$`).exec(name)?.[1] }))
    .filter((entry): entry is { name: string; index: string } => entry.index !== undefined)
    .sort((a, b) => Number(b.index) - Number(a.index))
    .map((entry) => join(logsDir, entry.name));
  const current = join(logsDir, TEXT_LOG_FILE);
  return existsSync(current) ? [...rotated, current] : rotated;
}

/**
 * The playbook's `tail -N ./logs/trading.log | grep -i …` steps as one search over the current and
 * rotated logs: lines at or above a level, since a time, matching a pattern, the last N of them.
 * Lines that are not in the log format (a stray write) are kept only when no level or time filter
 * applies, since their level and time are unknown.
 */
export function searchLogs(logsDir: string, query: LogQuery): LogLine[] {
  const matches: LogLine[] = [];
  for (const file of logFiles(logsDir)) {
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      if (text === '') continue;
      const line = parseLogLine(text);
      if (line === undefined) {
        if (query.level === undefined && query.since === undefined && (query.grep?.test(text) ?? true))
          matches.push({ at: Number.NaN, level: 'INFO', message: text, text });
        continue;
      }
      if (query.level !== undefined && LEVEL_RANK[line.level] < LEVEL_RANK[query.level]) continue;
      if (query.since !== undefined && line.at < query.since) continue;
      if (query.grep !== undefined && !query.grep.test(text)) continue;
      matches.push(line);
    }
  }
  return query.tail === undefined ? matches : matches.slice(-query.tail);
}

/** `90s`, `5m`, `2h`, `1d` → ms; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (match === null) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
