import type { Clock } from '../../lib/clock.ts';
import type { LogFields, Logger, LogLevel } from '../../ports/logger.ts';
import { formatTextLine } from './log-line.ts';

export interface LogEntry {
  readonly time: number;
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

/**
 * A Logger that keeps entries in memory, for tests of components that log: assert on
 * `lines()` exactly as they would appear in trading.log (`… | CRIT | WebSocket stale: 75s`).
 */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[];
  readonly #clock: Clock | undefined;
  readonly #base: LogFields;

  constructor(clock?: Clock, shared?: { entries: LogEntry[]; base: LogFields }) {
    this.#clock = clock;
    this.entries = shared?.entries ?? [];
    this.#base = shared?.base ?? {};
  }

  info(message: string, fields?: LogFields): void {
    this.#push('INFO', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.#push('WARN', message, fields);
  }

  crit(message: string, fields?: LogFields): void {
    this.#push('CRIT', message, fields);
  }

  child(fields: LogFields): Logger {
    return new MemoryLogger(this.#clock, { entries: this.entries, base: { ...this.#base, ...fields } });
  }

  flush(): void {}

  close(): void {}

  /** Entries as trading.log lines, without the trailing newline. */
  lines(): string[] {
    return this.entries.map((entry) => formatTextLine(entry.time, entry.level, entry.message).slice(0, -1));
  }

  /** Messages logged at `level`. */
  messages(level: LogLevel): string[] {
    return this.entries.filter((entry) => entry.level === level).map((entry) => entry.message);
  }

  #push(level: LogLevel, message: string, fields: LogFields | undefined): void {
    const merged = fields === undefined ? this.#base : { ...this.#base, ...fields };
    this.entries.push({ time: this.#clock?.now() ?? 0, level, message, fields: merged });
  }
}
