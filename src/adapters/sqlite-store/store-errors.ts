import { YunminError } from '../../lib/yunmin-error.ts';

/**
 * Stable codes of the SQLite store. Alerts, `yunmin doctor` and tests key on these, never on text.
 * - STORE_OPEN_FAILED: the file could not be opened as a database (not SQLite, unreadable, locked).
 * - STORE_SCHEMA_TOO_NEW: the file was migrated by a newer yunmin; refusing beats guessing.
 * - STORE_CORRUPT: a stored value does not parse (the message names table, key and column).
 * - STORE_INVALID_EVENT: an event payload cannot be stored as JSON (NaN, Infinity, a function…).
 * - STORE_ASYNC_TRANSACTION: `transaction` was given async work, which SQLite cannot span.
 */
export type StoreErrorCode =
  | 'STORE_OPEN_FAILED'
  | 'STORE_SCHEMA_TOO_NEW'
  | 'STORE_CORRUPT'
  | 'STORE_INVALID_EVENT'
  | 'STORE_ASYNC_TRANSACTION';

export function storeError(code: StoreErrorCode, message: string, options?: { cause?: unknown }): YunminError {
  return new YunminError(code, message, options);
}

/** A stored value that does not parse: says exactly where, so an operator can inspect or repair it. */
export class StoreCorruptError extends YunminError {
  readonly table: string;
  readonly key: string;
  readonly column: string;

  constructor(table: string, key: string, column: string, problem: string, options?: { cause?: unknown }) {
    super(
      'STORE_CORRUPT',
      `corrupt value in ${table} row ${JSON.stringify(key)} column ${column}: ${problem}`,
      options,
    );
    this.name = 'StoreCorruptError';
    this.table = table;
    this.key = key;
    this.column = column;
  }
}
