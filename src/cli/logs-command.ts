import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../app/config/load-config.ts';
import { parseDuration, searchLogs } from '../app/log-search.ts';
import { SystemClock } from '../lib/system-clock.ts';
import type { LogLevel } from '../ports/logger.ts';
import { type CommonOptions, print, withCommon } from './cli-output.ts';
import { integerOption } from './option-parsers.ts';

/** A JavaScript regular expression, case-insensitive like the playbook's `grep -i`. */
export function patternOption(value: string): RegExp {
  try {
    return new RegExp(value, 'i');
  } catch (error) {
    throw new InvalidArgumentError(
      `expected a regular expression such as "ws|websocket|error" (alternatives with |, not \\|): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export function levelOption(value: string): LogLevel {
  const level = value.toUpperCase();
  if (level === 'INFO' || level === 'WARN' || level === 'CRIT') return level;
  throw new InvalidArgumentError(`expected INFO, WARN or CRIT, got "${value}"`);
}

export function durationOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError(`expected a duration such as 90s, 5m, 2h or 1d, got "${value}"`);
  return ms;
}

/**
 * `yunmin logs [--grep P] [--level L] [--since D] [--tail N] [--count]`: the playbook's greps over
 * logs/trading.log and its rotated files (§1 step 3, §2 steps 1–2, §5 step 2) as one command.
 */
export function registerLogsCommand(program: Command): void {
  withCommon(
    program
      .command('logs')
      .description('search logs/trading.log and its rotated files')
      .option('--grep <pattern>', 'regular expression, case-insensitive (e.g. "429|503|504")', patternOption)
      .option('--level <level>', 'this level and above: INFO, WARN or CRIT', levelOption)
      .option('--since <duration>', 'only lines newer than this, e.g. 60s, 5m, 2h, 1d', durationOption)
      .option('--tail <n>', 'only the last N matching lines', integerOption(1, 10_000_000))
      .option('--count', 'print only how many lines match'),
  ).action(
    (options: CommonOptions & { grep?: RegExp; level?: LogLevel; since?: number; tail?: number; count?: boolean }) => {
      const config = loadConfig(options.config, process.env);
      const lines = searchLogs(config.logsDir, {
        ...(options.grep !== undefined && { grep: options.grep }),
        ...(options.level !== undefined && { level: options.level }),
        ...(options.since !== undefined && { since: new SystemClock().now() - options.since }),
        ...(options.tail !== undefined && { tail: options.tail }),
      });
      if (options.count === true) {
        print(options, { count: lines.length }, [String(lines.length)]);
        return;
      }
      print(
        options,
        lines.map((line) => ({ at: Number.isNaN(line.at) ? null : line.at, level: line.level, message: line.message })),
        lines.map((line) => line.text),
      );
    },
  );
}
