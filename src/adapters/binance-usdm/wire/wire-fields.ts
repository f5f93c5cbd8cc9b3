import type { PriceLevel } from '../../../domain/market-event.ts';
import type { Fixed } from '../../../lib/fixed.ts';
import { parseWireDecimal } from './wire-decimal.ts';

/** A raw JSON object as `JSON.parse` returns it; read once here, never handed upward. */
export type WireObject = Record<string, unknown>;

/**
 * Thrown by the readers below and caught by `decodeStreamMessage`, which turns it into an
 * 'ignored' result naming the field. Throwing keeps the happy path free of per-field result checks
 * (V8's try/catch costs nothing until something throws, and malformed frames are rare).
 */
export class MalformedField extends Error {
  readonly field: string;
  readonly problem: string;

  constructor(field: string, problem: string) {
    super(`${field} ${problem}`);
    this.name = 'MalformedField';
    this.field = field;
    this.problem = problem;
  }
}

export function isWireObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Prices, quantities and money: decimal strings (reference §5), never JSON numbers. */
export function decimalField(value: unknown, field: string): Fixed {
  if (typeof value !== 'string') throw new MalformedField(field, 'is not a decimal string');
  const parsed = parseWireDecimal(value);
  if (typeof parsed === 'string') throw new MalformedField(field, `is not a decimal with at most 8 places (${parsed})`);
  return parsed;
}

/** Ids and timestamps: JSON integers within 2^53 (a larger one would already have lost digits). */
export function integerField(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new MalformedField(field, 'is not a safe integer');
  }
  return value;
}

export function stringField(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new MalformedField(field, 'is not a string');
  return value;
}

export function booleanField(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new MalformedField(field, 'is not a boolean');
  return value;
}

export function objectField(value: unknown, field: string): WireObject {
  if (!isWireObject(value)) throw new MalformedField(field, 'is not an object');
  return value;
}

export function arrayField(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new MalformedField(field, 'is not an array');
  return value;
}

/**
 * `[["price","qty"],…]` as depth diffs and snapshots carry them (reference §3.3, §2.3). A plain
 * indexed loop into a preallocated array: depth frames are the big ones.
 */
export function levelsField(value: unknown, field: string): PriceLevel[] {
  if (!Array.isArray(value)) throw new MalformedField(field, 'is not an array of [price, qty] pairs');
  const count = value.length;
  const levels = new Array<PriceLevel>(count);
  for (let index = 0; index < count; index += 1) {
    const entry: unknown = value[index];
    if (!Array.isArray(entry) || entry.length < 2) {
      throw new MalformedField(`${field}[${index}]`, 'is not a [price, qty] pair');
    }
    const price = entry[0];
    const qty = entry[1];
    if (typeof price !== 'string') throw new MalformedField(`${field}[${index}][0]`, 'is not a decimal string');
    if (typeof qty !== 'string') throw new MalformedField(`${field}[${index}][1]`, 'is not a decimal string');
    const parsedPrice = parseWireDecimal(price);
    const parsedQty = parseWireDecimal(qty);
    if (typeof parsedPrice === 'string') {
      throw new MalformedField(`${field}[${index}][0]`, `is not a decimal with at most 8 places (${parsedPrice})`);
    }
    if (typeof parsedQty === 'string') {
      throw new MalformedField(`${field}[${index}][1]`, `is not a decimal with at most 8 places (${parsedQty})`);
    }
    // A negative level would corrupt the local book silently; Binance never sends one.
    if (parsedPrice <= 0n) throw new MalformedField(`${field}[${index}][0]`, 'is not a positive price');
    if (parsedQty < 0n) throw new MalformedField(`${field}[${index}][1]`, 'is a negative quantity');
    levels[index] = { price: parsedPrice, qty: parsedQty };
  }
  return levels;
}
