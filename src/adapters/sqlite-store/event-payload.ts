import { formatFixedTrimmed, tryParseFixed } from '../../lib/fixed.ts';
import { StoreCorruptError, storeError } from './store-errors.ts';

/**
 * Event payloads are stored as JSON text. JSON has no bigint, and every bigint in yunmin is a Fixed
 * (1e-8 units), so a bigint is written as a tagged decimal string, `{"$fixed":"43187.1"}`, and
 * read back as the same bigint. A tag (rather than a plain string) keeps the round trip exact: a
 * client order id such as "123" stays a string and a quantity stays a bigint, and the text stays
 * readable in the sqlite3 shell (`json_extract(payload, '$.qty."$fixed"')`).
 *
 * Other rules: `undefined` properties are dropped (absent, as under exactOptionalPropertyTypes);
 * NaN, ±Infinity, functions and symbols are refused (STORE_INVALID_EVENT) rather than silently
 * becoming `null`. A real object whose only key is "$fixed" would be read back as a bigint: do not
 * put such objects in payloads.
 */
const FIXED_TAG = '$fixed';
const LARGEST = 10n ** 28n;

export function encodeEventPayload(type: string, payload: Readonly<Record<string, unknown>>): string {
  const replacer = (key: string, value: unknown): unknown => {
    switch (typeof value) {
      case 'bigint':
        // tryParseFixed reads at most 20 whole digits: refuse now what could not be read back.
        if (value >= LARGEST || value <= -LARGEST) throw invalid(type, key, `${value}n is beyond 20 whole digits`);
        return { [FIXED_TAG]: formatFixedTrimmed(value) };
      case 'number':
        if (!Number.isFinite(value)) throw invalid(type, key, `${value} is not a finite number`);
        return value;
      case 'function':
      case 'symbol':
        throw invalid(type, key, `a ${typeof value} cannot be stored`);
      default:
        return value;
    }
  };
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw storeError('STORE_INVALID_EVENT', `event ${type}: the payload must be an object`);
  }
  return JSON.stringify(payload, replacer);
}

export function decodeEventPayload(seq: number, text: string): Readonly<Record<string, unknown>> {
  const where = (problem: string, cause?: unknown): StoreCorruptError =>
    new StoreCorruptError('event_log', String(seq), 'payload', problem, cause === undefined ? undefined : { cause });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, value: unknown) => {
      if (!isFixedTag(value)) return value;
      const fixed = tryParseFixed(value[FIXED_TAG]);
      if (typeof fixed === 'string') throw where(`bad ${FIXED_TAG} decimal ${JSON.stringify(value[FIXED_TAG])}`);
      return fixed;
    });
  } catch (error) {
    if (error instanceof StoreCorruptError) throw error;
    throw where('not valid JSON', error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw where('not a JSON object');
  return parsed as Record<string, unknown>;
}

function isFixedTag(value: unknown): value is { readonly [FIXED_TAG]: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 && keys[0] === FIXED_TAG && typeof (value as Record<string, unknown>)[FIXED_TAG] === 'string'
  );
}

function invalid(type: string, key: string, problem: string): Error {
  return storeError('STORE_INVALID_EVENT', `event ${type}: ${key === '' ? 'payload' : `field ${key}`}: ${problem}`);
}
