import type { MarketEvent, PriceLevel } from '../../../domain/market-event.ts';
import type { Fixed } from '../../../lib/fixed.ts';
import type { DecodedStreamMessage, DepthDiff } from './stream-message-decoder.ts';
import { parseWireDecimalAt } from './wire-decimal.ts';

/**
 * A single-pass reader for the three high-rate market frames (depthUpdate, bookTicker, aggTrade),
 * raw or in a `{"stream","data"}` wrapper, that never builds the intermediate JSON tree.
 *
 * Why: these frames are nearly all of the traffic (issue 3 point 11 leaves a few µs per message).
 * `JSON.parse` builds a string per key and value and, for depth, an array per level, which the
 * decoder then reads again to make `Fixed`s. Here keys are matched by their char codes and the
 * digits become `Fixed`s where they lie (bench/adapter-market-data.bench.ts measures the gain).
 *
 * It accepts a strict subset of JSON and gives up (undefined) on anything else: `e` not the first
 * key, another event type, string escapes, a duplicate field, a nested unknown value, a level that
 * is not two decimal strings, a missing field. The caller then takes the general path (JSON.parse
 * and the field readers), which reports what is wrong. So this reader only has to be right when it
 * accepts; a property test holds its output equal to the general path's on every frame it accepts.
 */
export function scanMarketFrame(text: string, receivedAt: number): DecodedStreamMessage | undefined {
  source = text;
  at = 0;
  try {
    skipSpace();
    expect(OPEN_BRACE);
    skipSpace();
    let result: DecodedStreamMessage;
    if (source.startsWith('"stream"', at)) {
      // Combined mode: exactly "stream" then "data" (Binance's order).
      at += 8;
      colon();
      const stream = readString();
      skipSpace();
      expect(COMMA);
      skipSpace();
      if (!source.startsWith('"data"', at)) throw GIVE_UP;
      at += 6;
      colon();
      expect(OPEN_BRACE);
      result = readPayload(stream, receivedAt);
      skipSpace();
      expect(CLOSE_BRACE);
    } else {
      result = readPayload(undefined, receivedAt);
    }
    skipSpace();
    if (at !== source.length) throw GIVE_UP;
    return result;
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  } finally {
    source = '';
  }
}

const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
/** Keys as numbers: one letter is its char code, two letters are (first << 8) | second. */
const KEY_A = 0x41;
const KEY_B = 0x42;
const KEY_E = 0x45;
const KEY_T = 0x54;
const KEY_U = 0x55;
const KEY_a = 0x61;
const KEY_b = 0x62;
const KEY_e = 0x65;
const KEY_m = 0x6d;
const KEY_p = 0x70;
const KEY_q = 0x71;
const KEY_s = 0x73;
const KEY_u = 0x75;
const KEY_pu = (0x70 << 8) | 0x75;
/** "stream" and "data" inside a payload would make the general path see a wrapper: give up. */
const KEY_WRAPPER = -2;
const KEY_OTHER = -1;
/** Thrown to abandon the fast path; one preallocated instance, so giving up costs no stack trace. */
const GIVE_UP = new Error('frame is not in the fast subset');

// The reader's cursor: module state keeps the hot loops free of closures (decoding is synchronous).
let source = '';
let at = 0;

/** The payload, after its `{`: `"e"` must come first and name one of the three event types. */
function readPayload(stream: string | undefined, receivedAt: number): DecodedStreamMessage {
  skipSpace();
  if (readKey() !== KEY_e) throw GIVE_UP;
  colon();
  const eventType = readString();
  if (eventType === 'depthUpdate') return { kind: 'depthDiff', stream, diff: readDepthFields() };
  if (eventType === 'bookTicker') return { kind: 'market', stream, event: readBookTickerFields(receivedAt) };
  if (eventType === 'aggTrade') return { kind: 'market', stream, event: readAggTradeFields(receivedAt) };
  throw GIVE_UP;
}

/** After a member: true when another key follows (the cursor is then on it), false at `}`. */
function nextMember(): boolean {
  skipSpace();
  const code = source.charCodeAt(at);
  at += 1;
  if (code === CLOSE_BRACE) return false;
  if (code !== COMMA) throw GIVE_UP;
  skipSpace();
  return true;
}

function readDepthFields(): DepthDiff {
  let symbol: string | undefined;
  let eventTime = -1;
  let transactionTime = -1;
  let firstUpdateId = -1;
  let finalUpdateId = -1;
  let previousFinalUpdateId = -1;
  let bids: PriceLevel[] | undefined;
  let asks: PriceLevel[] | undefined;
  // -1 marks "not read yet" (readInteger only returns values ≥ 0). A repeated field gives up:
  // JSON.parse keeps the last of duplicate keys, and matching that is not worth it.
  while (nextMember()) {
    const key = readKey();
    colon();
    switch (key) {
      case KEY_s:
        if (symbol !== undefined) throw GIVE_UP;
        symbol = readString();
        break;
      case KEY_E:
        if (eventTime >= 0) throw GIVE_UP;
        eventTime = readInteger();
        break;
      case KEY_T:
        if (transactionTime >= 0) throw GIVE_UP;
        transactionTime = readInteger();
        break;
      case KEY_U:
        if (firstUpdateId >= 0) throw GIVE_UP;
        firstUpdateId = readInteger();
        break;
      case KEY_u:
        if (finalUpdateId >= 0) throw GIVE_UP;
        finalUpdateId = readInteger();
        break;
      case KEY_pu:
        if (previousFinalUpdateId >= 0) throw GIVE_UP;
        previousFinalUpdateId = readInteger();
        break;
      case KEY_b:
        if (bids !== undefined) throw GIVE_UP;
        bids = readLevels();
        break;
      case KEY_a:
        if (asks !== undefined) throw GIVE_UP;
        asks = readLevels();
        break;
      default:
        skipUnknown(key);
    }
  }
  if (symbol === undefined || bids === undefined || asks === undefined) throw GIVE_UP;
  if (eventTime < 0 || transactionTime < 0 || firstUpdateId < 0 || finalUpdateId < 0 || previousFinalUpdateId < 0) {
    throw GIVE_UP;
  }
  // Same key order as decodeDepthDiff, so both paths build objects of one shape.
  return { symbol, eventTime, transactionTime, firstUpdateId, finalUpdateId, previousFinalUpdateId, bids, asks };
}

/** `{"e":"bookTicker","u","s","b","B","a","A","T","E"}` (reference §3.3). */
function readBookTickerFields(receivedAt: number): MarketEvent {
  let symbol: string | undefined;
  let updateId = -1;
  let eventTime = -1;
  let bidPrice: Fixed | undefined;
  let bidQty: Fixed | undefined;
  let askPrice: Fixed | undefined;
  let askQty: Fixed | undefined;
  while (nextMember()) {
    const key = readKey();
    colon();
    switch (key) {
      case KEY_s:
        if (symbol !== undefined) throw GIVE_UP;
        symbol = readString();
        break;
      case KEY_u:
        if (updateId >= 0) throw GIVE_UP;
        updateId = readInteger();
        break;
      case KEY_E:
        if (eventTime >= 0) throw GIVE_UP;
        eventTime = readInteger();
        break;
      case KEY_b:
        if (bidPrice !== undefined) throw GIVE_UP;
        bidPrice = readDecimal();
        break;
      case KEY_B:
        if (bidQty !== undefined) throw GIVE_UP;
        bidQty = readDecimal();
        break;
      case KEY_a:
        if (askPrice !== undefined) throw GIVE_UP;
        askPrice = readDecimal();
        break;
      case KEY_A:
        if (askQty !== undefined) throw GIVE_UP;
        askQty = readDecimal();
        break;
      default:
        skipUnknown(key);
    }
  }
  if (symbol === undefined || updateId < 0 || eventTime < 0) throw GIVE_UP;
  if (bidPrice === undefined || bidQty === undefined || askPrice === undefined || askQty === undefined) {
    throw GIVE_UP;
  }
  // Same key order as decodeBookTicker.
  return { kind: 'bookTicker', symbol, updateId, eventTime, receivedAt, bidPrice, bidQty, askPrice, askQty };
}

/** `{"e":"aggTrade","E","a","s","p","q","nq","f","l","T","m"}`: the aggregate id is the trade id. */
function readAggTradeFields(receivedAt: number): MarketEvent {
  let symbol: string | undefined;
  let tradeId = -1;
  let eventTime = -1;
  let tradeTime = -1;
  let price: Fixed | undefined;
  let qty: Fixed | undefined;
  let buyerIsMaker: boolean | undefined;
  while (nextMember()) {
    const key = readKey();
    colon();
    switch (key) {
      case KEY_s:
        if (symbol !== undefined) throw GIVE_UP;
        symbol = readString();
        break;
      case KEY_a:
        if (tradeId >= 0) throw GIVE_UP;
        tradeId = readInteger();
        break;
      case KEY_E:
        if (eventTime >= 0) throw GIVE_UP;
        eventTime = readInteger();
        break;
      case KEY_T:
        if (tradeTime >= 0) throw GIVE_UP;
        tradeTime = readInteger();
        break;
      case KEY_p:
        if (price !== undefined) throw GIVE_UP;
        price = readDecimal();
        break;
      case KEY_q:
        if (qty !== undefined) throw GIVE_UP;
        qty = readDecimal();
        break;
      case KEY_m:
        if (buyerIsMaker !== undefined) throw GIVE_UP;
        buyerIsMaker = readBoolean();
        break;
      default:
        skipUnknown(key);
    }
  }
  if (symbol === undefined || tradeId < 0 || eventTime < 0 || tradeTime < 0) throw GIVE_UP;
  if (price === undefined || qty === undefined || buyerIsMaker === undefined) throw GIVE_UP;
  // Same key order as decodeAggTrade.
  return { kind: 'trade', symbol, tradeId, eventTime, receivedAt, tradeTime, price, qty, buyerIsMaker };
}

/** A key we do not read: skip a scalar value; wrapper keys, `e` again or nesting give up. */
function skipUnknown(key: number): void {
  if (key === KEY_WRAPPER || key === KEY_e) throw GIVE_UP;
  skipScalar();
}

/** `[["price","qty"],…]`: each decimal is parsed where it lies. */
function readLevels(): PriceLevel[] {
  expect(OPEN_BRACKET);
  const levels: PriceLevel[] = [];
  skipSpace();
  if (source.charCodeAt(at) === CLOSE_BRACKET) {
    at += 1;
    return levels;
  }
  for (;;) {
    expect(OPEN_BRACKET);
    skipSpace();
    const price = readDecimal();
    skipSpace();
    expect(COMMA);
    skipSpace();
    const qty = readDecimal();
    skipSpace();
    expect(CLOSE_BRACKET);
    // The general path rejects these too (wire-fields.ts levelsField).
    if (price <= 0n || qty < 0n) throw GIVE_UP;
    levels.push({ price, qty });
    skipSpace();
    const code = source.charCodeAt(at);
    at += 1;
    if (code === CLOSE_BRACKET) return levels;
    if (code !== COMMA) throw GIVE_UP;
    skipSpace();
  }
}

function readDecimal(): Fixed {
  expect(QUOTE);
  const start = at;
  const end = source.indexOf('"', start);
  if (end < 0) throw GIVE_UP;
  // Escapes and control characters fail here: parseWireDecimalAt accepts digits, '.' and '-' only.
  const value = parseWireDecimalAt(source, start, end);
  if (typeof value === 'string') throw GIVE_UP;
  at = end + 1;
  return value;
}

/** A key as a number (see KEY_*), without allocating a string. */
function readKey(): number {
  expect(QUOTE);
  const start = at;
  const end = endOfString();
  at = end + 1;
  const length = end - start;
  // Only ASCII letters map to codes: a one-character key U+7075 must not read as "pu".
  if (length === 1) {
    const code = source.charCodeAt(start);
    return code < 0x80 ? code : KEY_OTHER;
  }
  if (length === 2) {
    const first = source.charCodeAt(start);
    const second = source.charCodeAt(start + 1);
    return first < 0x80 && second < 0x80 ? (first << 8) | second : KEY_OTHER;
  }
  if (source.startsWith('stream"', start) || source.startsWith('data"', start)) return KEY_WRAPPER;
  return KEY_OTHER;
}

/** A string without escapes or control characters (JSON forbids raw ones; escapes give up). */
function readString(): string {
  expect(QUOTE);
  const start = at;
  const end = endOfString();
  at = end + 1;
  return source.slice(start, end);
}

/** The index of the closing quote of the string starting at the cursor. */
function endOfString(): number {
  const length = source.length;
  for (let index = at; index < length; index += 1) {
    const code = source.charCodeAt(index);
    if (code === QUOTE) return index;
    if (code === BACKSLASH || code < 0x20) throw GIVE_UP;
  }
  throw GIVE_UP;
}

/** A JSON integer within 2^53: no sign, fraction, exponent or leading zero (those give up). */
function readInteger(): number {
  const start = at;
  let value = 0;
  let code = source.charCodeAt(at);
  while (code >= ZERO && code <= NINE) {
    value = value * 10 + (code - ZERO);
    at += 1;
    code = source.charCodeAt(at);
  }
  const digits = at - start;
  if (digits === 0 || (digits > 1 && source.charCodeAt(start) === ZERO)) throw GIVE_UP;
  if (code === DOT || code === 0x65 || code === 0x45 || !Number.isSafeInteger(value)) throw GIVE_UP;
  return value;
}

function readBoolean(): boolean {
  if (source.startsWith('true', at)) {
    at += 4;
    return true;
  }
  if (source.startsWith('false', at)) {
    at += 5;
    return false;
  }
  throw GIVE_UP;
}

/** Skips a string, a plain number, true, false or null. */
function skipScalar(): void {
  const code = source.charCodeAt(at);
  if (code === QUOTE) {
    at += 1;
    at = endOfString() + 1;
  } else if (code === MINUS || (code >= ZERO && code <= NINE)) {
    skipNumber();
  } else if (source.startsWith('true', at) || source.startsWith('null', at)) {
    at += 4;
  } else if (source.startsWith('false', at)) {
    at += 5;
  } else {
    throw GIVE_UP; // nested objects and arrays: the general path
  }
}

/** JSON number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
function skipNumber(): void {
  if (source.charCodeAt(at) === MINUS) at += 1;
  const first = source.charCodeAt(at);
  if (first === ZERO) at += 1;
  else if (first > ZERO && first <= NINE) skipDigits();
  else throw GIVE_UP;
  if (source.charCodeAt(at) === DOT) {
    at += 1;
    if (skipDigits() === 0) throw GIVE_UP;
  }
  const exponent = source.charCodeAt(at);
  if (exponent === 0x65 || exponent === 0x45) {
    at += 1;
    const sign = source.charCodeAt(at);
    if (sign === 0x2b || sign === MINUS) at += 1;
    if (skipDigits() === 0) throw GIVE_UP;
  }
}

function skipDigits(): number {
  const start = at;
  let code = source.charCodeAt(at);
  while (code >= ZERO && code <= NINE) {
    at += 1;
    code = source.charCodeAt(at);
  }
  return at - start;
}

function skipSpace(): void {
  let code = source.charCodeAt(at);
  while (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) {
    at += 1;
    code = source.charCodeAt(at);
  }
}

function expect(code: number): void {
  if (source.charCodeAt(at) !== code) throw GIVE_UP;
  at += 1;
}

function colon(): void {
  skipSpace();
  expect(COLON);
  skipSpace();
}
