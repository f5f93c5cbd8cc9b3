/**
 * The Logger port. Levels are the playbook's three severities (INFO: log only, WARN: monitor,
 * CRIT: immediate action). Messages are written verbatim into `logs/trading.log` as
 * `YYYY-MM-DD HH:MM:SS | LEVEL | message`, so callers write the phrases the playbook greps for
 * (`WebSocket stale: 75s`, `KILL_SWITCH activated`, `Daily DD: 2.1%`, the HTTP status of a REST
 * error). Fields go to the JSON log only.
 */
export type LogLevel = 'INFO' | 'WARN' | 'CRIT';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  crit(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every entry (e.g. `{ component: 'executor' }`). */
  child(fields: LogFields): Logger;
  /** Pushes written lines to stable storage (shutdown, after a kill switch). */
  flush(): void;
  /** Releases files; later calls are ignored. On a child it does nothing (the root owns the files). */
  close(): void;
}
