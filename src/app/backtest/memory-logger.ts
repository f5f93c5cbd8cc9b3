import type { Clock } from '../../lib/clock.ts';
import type { LogFields, Logger, LogLevel } from '../../ports/logger.ts';

export interface LogLine {
  readonly at: number;
  readonly level: LogLevel;
  readonly message: string;
}

/**
 * The backtest's log: WARN and CRIT lines kept in memory with their virtual time (the report quotes
 * them); INFO lines are only counted, a replay of a year would otherwise hold millions of fill lines.
 */
export class MemoryLogger implements Logger {
  readonly #clock: Clock;
  readonly lines: LogLine[] = [];
  infoCount = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  info(_message: string, _fields?: LogFields): void {
    this.infoCount += 1;
  }

  warn(message: string, _fields?: LogFields): void {
    this.lines.push({ at: this.#clock.now(), level: 'WARN', message });
  }

  crit(message: string, _fields?: LogFields): void {
    this.lines.push({ at: this.#clock.now(), level: 'CRIT', message });
  }

  child(_fields: LogFields): Logger {
    return this;
  }

  flush(): void {}
  close(): void {}
}
