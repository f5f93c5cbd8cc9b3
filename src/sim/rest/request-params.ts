import { type Fixed, tryParseFixed } from '../../lib/fixed.ts';
import { ApiError, apiErrors } from '../api-error.ts';

/**
 * The parameters of one REST request (reference §2.2): the query string and an
 * `application/x-www-form-urlencoded` body, merged; when a key is in both, the query-string value
 * wins. Accessors validate syntax the way Binance does and throw its errors naming the parameter;
 * business rules (filters, enums the exchange owns) are left to the exchange.
 */

// Binance's DECIMAL pattern, quoted in its -1100 message: no sign, no exponent, no bare dot.
const DECIMAL_SYNTAX = /^[0-9]{1,20}(\.[0-9]{1,20})?$/;
const INTEGER_SYNTAX = /^[0-9]{1,20}$/;

function illegalIntegerChars(param: string): ApiError {
  return new ApiError(400, -1100, `Illegal characters found in parameter '${param}'; legal range is '^[0-9]{1,20}$'.`);
}

export class RequestParams {
  readonly #values: ReadonlyMap<string, string>;

  constructor(values: ReadonlyMap<string, string>) {
    this.#values = values;
  }

  /** Merges a raw query string and a raw urlencoded body; the first occurrence in the query wins. */
  static fromRaw(rawQuery: string, rawBody: string): RequestParams {
    const values = new Map<string, string>();
    for (const source of [rawQuery, rawBody]) {
      if (source === '') continue;
      for (const [key, value] of new URLSearchParams(source)) {
        if (!values.has(key)) values.set(key, value);
      }
    }
    return new RequestParams(values);
  }

  /** One element of a batchOrders array: every value must already be a JSON string. */
  static fromRecord(record: Readonly<Record<string, string>>): RequestParams {
    return new RequestParams(new Map(Object.entries(record)));
  }

  get size(): number {
    return this.#values.size;
  }

  /** The raw value; an empty value counts as not sent ("was not sent, was empty/null"). */
  optionalString(name: string): string | undefined {
    const value = this.#values.get(name);
    return value === undefined || value === '' ? undefined : value;
  }

  requiredString(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw apiErrors.mandatoryParam(name);
    return value;
  }

  optionalDecimal(name: string): Fixed | undefined {
    const text = this.optionalString(name);
    if (text === undefined) return undefined;
    if (!DECIMAL_SYNTAX.test(text)) throw apiErrors.illegalChars(name);
    const parsed = tryParseFixed(text);
    if (parsed === 'precision') throw apiErrors.badPrecision();
    if (parsed === 'syntax') throw apiErrors.illegalChars(name);
    return parsed;
  }

  requiredDecimal(name: string): Fixed {
    const value = this.optionalDecimal(name);
    if (value === undefined) throw apiErrors.mandatoryParam(name);
    return value;
  }

  /** An integer (ids, times, limits); out of `range` or beyond 2^53 is -1130. */
  optionalInteger(name: string, range: { min?: number; max?: number } = {}): number | undefined {
    const text = this.optionalString(name);
    if (text === undefined) return undefined;
    if (!INTEGER_SYNTAX.test(text)) throw illegalIntegerChars(name);
    const value = Number(text);
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    if (!Number.isSafeInteger(value) || value < min || value > max) throw apiErrors.invalidParameter(name);
    return value;
  }

  requiredInteger(name: string, range: { min?: number; max?: number } = {}): number {
    const value = this.optionalInteger(name, range);
    if (value === undefined) throw apiErrors.mandatoryParam(name);
    return value;
  }

  /** Binance booleans are the strings "true"/"false" (reduceOnly, closePosition); anything else is -1130. */
  optionalBoolean(name: string, options: { caseInsensitive?: boolean } = {}): boolean | undefined {
    const raw = this.optionalString(name);
    if (raw === undefined) return undefined;
    const text = options.caseInsensitive === true ? raw.toLowerCase() : raw;
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw apiErrors.invalidParameter(name);
  }

  /** One of a fixed set of values, else -1130 naming the parameter. */
  optionalChoice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const text = this.optionalString(name);
    if (text === undefined) return undefined;
    const found = choices.find((choice) => choice === text);
    if (found === undefined) throw apiErrors.invalidParameter(name);
    return found;
  }
}
