import { join } from 'node:path';
import type { Clock } from '../../lib/clock.ts';
import type { LogFields, Logger, LogLevel } from '../../ports/logger.ts';
import { formatJsonLine, formatTextLine } from './log-line.ts';
import { Redactor } from './redactor.ts';
import { RotatingFile } from './rotating-file.ts';

export const TEXT_LOG_FILE = 'trading.log';
export const JSON_LOG_FILE = 'trading.jsonl';
const MEGABYTE = 1024 * 1024;

export interface CreateLoggerOptions {
  readonly clock: Clock;
  /** Directory of trading.log and trading.jsonl (config `logs_dir`, default ./logs); created if missing. */
  readonly logsDir: string;
  /** Lowest level written (config `logging.level`); default INFO. */
  readonly level?: LogLevel;
  /** Secret values to replace with "[redacted]" everywhere (`secretValues(config.secrets)`). */
  readonly redact: readonly string[];
  /** Rotation size per file, bytes (config `logging.rotate_max_mb`); default 50 MB. */
  readonly rotateMaxBytes?: number;
  /** Rotated files kept per log (config `logging.rotate_keep`); default 10. */
  readonly rotateKeep?: number;
  /** Also hands each redacted text line here, e.g. to stdout for `npm start`. */
  readonly echo?: (line: string) => void;
  /** Where the one-time write-failure notice goes; default stderr. */
  readonly reportFailure?: (notice: string) => void;
}

/** The file logger: the Logger port plus what health and tests read. */
export interface FileLogger extends Logger {
  /** Failed opens, writes and rotations since start (disk full, permissions). */
  readonly writeFailures: number;
  readonly textLogPath: string;
  readonly jsonLogPath: string;
}

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { INFO: 0, WARN: 1, CRIT: 2 };

/**
 * Writes the playbook's `logs/trading.log` (`YYYY-MM-DD HH:MM:SS | LEVEL | message`, UTC, time from
 * the Clock) and a structured `logs/trading.jsonl`, both redacted, rotated by size and appended
 * synchronously. Logging never throws into the engine: failures are counted and reported once.
 */
export function createLogger(options: CreateLoggerOptions): FileLogger {
  const redactor = new Redactor(options.redact);
  const minimumRank = LEVEL_RANK[options.level ?? 'INFO'];
  const report = options.reportFailure ?? ((notice: string) => process.stderr.write(notice));
  let writeFailures = 0;
  const onError = (error: unknown, path: string): void => {
    writeFailures += 1;
    if (writeFailures > 1) return;
    const reason = error instanceof Error ? error.message : String(error);
    try {
      report(
        `yunmin: cannot write ${path} (${redactor.text(reason)}); the engine keeps running, later log write failures are only counted\n`,
      );
    } catch {
      // stderr itself is gone; the count is still on the logger.
    }
  };
  const files = {
    rotateMaxBytes: options.rotateMaxBytes ?? 50 * MEGABYTE,
    rotateKeep: options.rotateKeep ?? 10,
  };
  const text = new RotatingFile({
    path: join(options.logsDir, TEXT_LOG_FILE),
    maxBytes: files.rotateMaxBytes,
    keep: files.rotateKeep,
    onError,
  });
  const json = new RotatingFile({
    path: join(options.logsDir, JSON_LOG_FILE),
    maxBytes: files.rotateMaxBytes,
    keep: files.rotateKeep,
    onError,
  });

  const write = (level: LogLevel, message: string, base: LogFields, fields: LogFields | undefined): void => {
    if (LEVEL_RANK[level] < minimumRank) return;
    const now = options.clock.now();
    const safeMessage = redactor.text(message);
    const line = formatTextLine(now, level, safeMessage);
    text.write(line);
    const merged = fields === undefined ? base : { ...base, ...fields };
    json.write(formatJsonLine(now, level, safeMessage, redactor.fields(merged)));
    if (options.echo !== undefined) {
      try {
        options.echo(line);
      } catch (error) {
        onError(error, 'echo');
      }
    }
  };

  const make = (base: LogFields, root: boolean): Logger => ({
    info: (message, fields) => write('INFO', message, base, fields),
    warn: (message, fields) => write('WARN', message, base, fields),
    crit: (message, fields) => write('CRIT', message, base, fields),
    child: (fields) => make({ ...base, ...fields }, false),
    flush: () => {
      text.flush();
      json.flush();
    },
    close: () => {
      if (!root) return;
      text.close();
      json.close();
    },
  });

  const rootLogger = make({}, true);
  return {
    ...rootLogger,
    get writeFailures() {
      return writeFailures;
    },
    textLogPath: text.path,
    jsonLogPath: json.path,
  };
}
