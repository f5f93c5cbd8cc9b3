import { type Fixed, tryParseFixed } from '../../lib/fixed.ts';
import { StoreCorruptError } from './store-errors.ts';

/**
 * Reads one stored row (a SQLite row, or a JSON object kept in a row) field by field, checking each
 * value's type. Anything unexpected throws STORE_CORRUPT naming table, key and column: bad data
 * must stop the engine loudly, never turn into a wrong quantity (DESIGN principle 6).
 */
export class RowReader {
  readonly #table: string;
  readonly #key: string;
  readonly #row: Readonly<Record<string, unknown>>;
  readonly #columnPrefix: string;

  constructor(table: string, key: string, row: Readonly<Record<string, unknown>>, columnPrefix = '') {
    this.#table = table;
    this.#key = key;
    this.#row = row;
    this.#columnPrefix = columnPrefix;
  }

  corrupt(column: string, problem: string, cause?: unknown): StoreCorruptError {
    const options = cause === undefined ? undefined : { cause };
    return new StoreCorruptError(this.#table, this.#key, `${this.#columnPrefix}${column}`, problem, options);
  }

  #present(column: string): unknown {
    const value = this.#row[column];
    if (value === null || value === undefined) throw this.corrupt(column, 'missing value');
    return value;
  }

  #absent(column: string): boolean {
    const value = this.#row[column];
    return value === null || value === undefined;
  }

  string(column: string): string {
    const value = this.#present(column);
    if (typeof value !== 'string') throw this.corrupt(column, `expected text, got ${describe(value)}`);
    return value;
  }

  optionalString(column: string): string | undefined {
    return this.#absent(column) ? undefined : this.string(column);
  }

  integer(column: string): number {
    const value = this.#present(column);
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw this.corrupt(column, `expected an integer, got ${describe(value)}`);
    }
    return value;
  }

  optionalInteger(column: string): number | undefined {
    return this.#absent(column) ? undefined : this.integer(column);
  }

  /** Decimals are stored as TEXT ("43187.1"), never REAL, so they come back to the exact 1e-8 unit. */
  fixed(column: string): Fixed {
    const value = this.#present(column);
    if (typeof value !== 'string') throw this.corrupt(column, `expected a decimal string, got ${describe(value)}`);
    const parsed = tryParseFixed(value);
    if (typeof parsed === 'string') throw this.corrupt(column, `not a decimal (${parsed}): ${JSON.stringify(value)}`);
    return parsed;
  }

  optionalFixed(column: string): Fixed | undefined {
    return this.#absent(column) ? undefined : this.fixed(column);
  }

  /** SQLite stores booleans as 0/1; JSON records store true/false. */
  flag(column: string): boolean {
    const value = this.#present(column);
    if (value === 0 || value === false) return false;
    if (value === 1 || value === true) return true;
    throw this.corrupt(column, `expected a flag, got ${describe(value)}`);
  }

  optionalFlag(column: string): boolean | undefined {
    return this.#absent(column) ? undefined : this.flag(column);
  }

  oneOf<T extends string>(column: string, allowed: readonly T[]): T {
    const value = this.string(column);
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined)
      throw this.corrupt(column, `expected one of ${allowed.join(', ')}, got ${describe(value)}`);
    return match;
  }

  optionalOneOf<T extends string>(column: string, allowed: readonly T[]): T | undefined {
    return this.#absent(column) ? undefined : this.oneOf(column, allowed);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `a ${value.length}-byte blob`;
  return String(value);
}
