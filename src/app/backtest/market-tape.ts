import type { Candle } from '../../domain/market-event.ts';
import { divideRounded, type Fixed, roundToStep } from '../../lib/fixed.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import { parseCsvDecimal, parseReplayCsv, type ReplayCandle } from '../../sim/market/csv-replay.ts';

/**
 * One step of a historical replay. Trades move the price; a candle is a closed 1m candle delivered at
 * its close (`time` = openTime + 60 s), for strategies that read candles.
 */
export type TapeItem =
  | {
      readonly kind: 'trade';
      readonly time: number;
      readonly price: Fixed;
      readonly qty: Fixed;
      readonly buyerIsMaker: boolean;
    }
  | { readonly kind: 'candle'; readonly time: number; readonly candle: Candle };

/** A pull-based, time-ordered replay of one data file (pulled one item at a time: files can be large). */
export interface MarketTape {
  next(): TapeItem | undefined;
}

export type MarketDataFormat = 'binance-klines' | 'sample-klines' | 'binance-aggtrades';

export const BACKTEST_DATA_INVALID = 'BACKTEST_DATA_INVALID';
const MINUTE_MS = 60_000;
/** agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker */
const AGG_TRADE_COLUMNS = 7;

export interface TapeRange {
  /** Epoch ms, inclusive. */
  readonly from?: number;
  /** Epoch ms, exclusive. */
  readonly to?: number;
}

/** The format of a data file, from its first line: 6 columns (sample), 12 (Binance klines) or 7 (aggTrades). */
export function detectFormat(text: string): MarketDataFormat {
  const end = text.indexOf('\n');
  const first = (end < 0 ? text : text.slice(0, end)).trim();
  const columns = first.split(',').length;
  if (columns === AGG_TRADE_COLUMNS) return 'binance-aggtrades';
  if (columns === 12) return 'binance-klines';
  if (columns === 6) return 'sample-klines';
  throw new YunminError(
    BACKTEST_DATA_INVALID,
    `data file: first line has ${columns} columns; expected 6 (timestamp,open,high,low,close,volume), 12 (Binance kline CSV) or 7 (Binance aggTrades CSV)`,
  );
}

/** A tape over any supported file; `tickSize` snaps the prices interpolated inside a candle. */
export function openTape(text: string, tickSize: Fixed, range: TapeRange = {}): MarketTape {
  return detectFormat(text) === 'binance-aggtrades'
    ? new AggTradeTape(text, range)
    : new KlineTape(parseKlines(text, range), tickSize);
}

/** Candles of a kline file within the range (by open time), with their interval. */
export function parseKlines(text: string, range: TapeRange): { candles: ReplayCandle[]; intervalMs: number } {
  let candles: ReplayCandle[];
  try {
    candles = parseReplayCsv(text);
  } catch (error) {
    throw new YunminError(BACKTEST_DATA_INVALID, `data file: ${error instanceof Error ? error.message : error}`);
  }
  let intervalMs = Number.POSITIVE_INFINITY;
  for (let index = 1; index < candles.length; index += 1) {
    const gap = (candles[index]?.openTime ?? 0) - (candles[index - 1]?.openTime ?? 0);
    if (gap < intervalMs) intervalMs = gap;
  }
  if (!Number.isFinite(intervalMs)) intervalMs = MINUTE_MS;
  if (intervalMs % MINUTE_MS !== 0) {
    throw new YunminError(BACKTEST_DATA_INVALID, `data file: candle interval ${intervalMs} ms is not whole minutes`);
  }
  const selected = candles.filter(
    (candle) =>
      (range.from === undefined || candle.openTime >= range.from) &&
      (range.to === undefined || candle.openTime < range.to),
  );
  if (selected.length === 0) throw new YunminError(BACKTEST_DATA_INVALID, 'data file: no candles in --from/--to');
  return { candles: selected, intervalMs };
}

/**
 * Candles as prices (the simulator's replay convention, csv-replay.ts): each candle walks in three
 * equal legs open → low → high → close when it rises, open → high → low → close when it falls. The
 * walk is cut into 1m candles; each minute yields trades at its open, at every corner inside it and
 * at its close (1 ms before the minute ends), then its closed candle. Volume is spread evenly over a
 * candle's minutes and a minute's trades. A 1m file thus replays each row's exact OHLC.
 */
export class KlineTape implements MarketTape {
  readonly #candles: readonly ReplayCandle[];
  readonly #intervalMs: number;
  readonly #tickSize: Fixed;
  readonly #queue: TapeItem[] = [];
  #head = 0;
  #index = 0;

  constructor(source: { candles: readonly ReplayCandle[]; intervalMs: number }, tickSize: Fixed) {
    this.#candles = source.candles;
    this.#intervalMs = source.intervalMs;
    this.#tickSize = tickSize;
  }

  next(): TapeItem | undefined {
    if (this.#head >= this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
      const candle = this.#candles[this.#index++];
      if (candle === undefined) return undefined;
      this.#expand(candle);
    }
    return this.#queue[this.#head++];
  }

  #expand(candle: ReplayCandle): void {
    const interval = this.#intervalMs;
    const rising = candle.close >= candle.open;
    const corners: readonly [number, Fixed][] = [
      [0, candle.open],
      [interval / 3, rising ? candle.low : candle.high],
      [(2 * interval) / 3, rising ? candle.high : candle.low],
      [interval, candle.close],
    ];
    const priceAt = (offset: number): Fixed => {
      for (let leg = 1; leg < corners.length; leg += 1) {
        const [endOffset, endPrice] = corners[leg] as [number, Fixed];
        const [startOffset, startPrice] = corners[leg - 1] as [number, Fixed];
        if (offset > endOffset) continue;
        if (offset === endOffset) return endPrice;
        const span = BigInt(Math.round((endOffset - startOffset) * 3));
        const done = BigInt(Math.round((offset - startOffset) * 3));
        const value = startPrice + divideRounded((endPrice - startPrice) * done, span, 'half-up');
        return roundToStep(value, this.#tickSize, 'half-up');
      }
      return candle.close;
    };
    const minutes = interval / MINUTE_MS;
    const minuteVolume = candle.volume / BigInt(minutes);
    for (let minute = 0; minute < minutes; minute += 1) {
      const start = minute * MINUTE_MS;
      const end = start + MINUTE_MS;
      const points: [number, Fixed][] = [[start, priceAt(start)]];
      for (const [offset, price] of corners) if (offset > start && offset < end) points.push([offset, price]);
      points.push([end - 1, priceAt(end)]);
      const qty = minuteVolume / BigInt(points.length);
      let high = points[0]?.[1] ?? candle.open;
      let low = high;
      for (const [offset, price] of points) {
        if (price > high) high = price;
        if (price < low) low = price;
        this.#queue.push({ kind: 'trade', time: candle.openTime + offset, price, qty, buyerIsMaker: false });
      }
      const openTime = candle.openTime + start;
      this.#queue.push({
        kind: 'candle',
        time: openTime + MINUTE_MS,
        candle: {
          openTime,
          closeTime: openTime + MINUTE_MS - 1,
          open: points[0]?.[1] ?? candle.open,
          high,
          low,
          close: points.at(-1)?.[1] ?? candle.close,
          volume: minuteVolume,
        },
      });
    }
  }
}

/** A minute being built from trades. */
interface OpenMinute {
  openTime: number;
  open: Fixed;
  high: Fixed;
  low: Fixed;
  close: Fixed;
  volume: Fixed;
}

/**
 * Binance's aggTrades CSV (data.binance.vision, with or without the header), parsed a line at a time.
 * 1m candles are built from the trades; a minute without trades is a flat candle at the last close,
 * as Binance's klines are.
 */
export class AggTradeTape implements MarketTape {
  readonly #text: string;
  readonly #range: TapeRange;
  #offset = 0;
  #line = 0;
  #minute: OpenMinute | undefined;
  #held: TapeItem | undefined;
  #lastTime = Number.NEGATIVE_INFINITY;
  #done = false;

  constructor(text: string, range: TapeRange = {}) {
    this.#text = text;
    this.#range = range;
  }

  next(): TapeItem | undefined {
    const held = this.#held;
    if (held !== undefined) {
      const minute = this.#minute;
      // A gap of several minutes: flat candles until the held trade's minute.
      if (held.kind === 'trade' && minute !== undefined && held.time >= minute.openTime + MINUTE_MS) {
        return this.#closeMinute(minute);
      }
      this.#held = undefined;
      if (held.kind === 'trade') this.#addToMinute(held);
      return held;
    }
    const trade = this.#readTrade();
    if (trade === undefined) {
      const minute = this.#minute;
      if (minute === undefined) return undefined;
      this.#minute = undefined;
      return this.#candleOf(minute);
    }
    this.#held = trade;
    return this.next();
  }

  #closeMinute(minute: OpenMinute): TapeItem {
    const item = this.#candleOf(minute);
    const price = minute.close;
    this.#minute = {
      openTime: minute.openTime + MINUTE_MS,
      open: price,
      high: price,
      low: price,
      close: price,
      volume: 0n,
    };
    return item;
  }

  #candleOf(minute: OpenMinute): TapeItem {
    return {
      kind: 'candle',
      time: minute.openTime + MINUTE_MS,
      candle: { ...minute, closeTime: minute.openTime + MINUTE_MS - 1 },
    };
  }

  #addToMinute(trade: Extract<TapeItem, { kind: 'trade' }>): void {
    let minute = this.#minute;
    if (minute === undefined || minute.volume === 0n) {
      const openTime = minute?.openTime ?? trade.time - (trade.time % MINUTE_MS);
      minute = { openTime, open: trade.price, high: trade.price, low: trade.price, close: trade.price, volume: 0n };
      this.#minute = minute;
    }
    if (trade.price > minute.high) minute.high = trade.price;
    if (trade.price < minute.low) minute.low = trade.price;
    minute.close = trade.price;
    minute.volume += trade.qty;
  }

  #readTrade(): Extract<TapeItem, { kind: 'trade' }> | undefined {
    const text = this.#text;
    while (!this.#done) {
      const start = this.#offset;
      if (start >= text.length) {
        this.#done = true;
        return undefined;
      }
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      this.#offset = end + 1;
      this.#line += 1;
      const trade = parseAggTradeLine(text, start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      if (trade === 'skip') continue;
      if (typeof trade === 'string') {
        throw new YunminError(BACKTEST_DATA_INVALID, `aggTrades CSV line ${this.#line}: ${trade}`);
      }
      if (trade.time < this.#lastTime) {
        throw new YunminError(BACKTEST_DATA_INVALID, `aggTrades CSV line ${this.#line}: transact_time goes back`);
      }
      this.#lastTime = trade.time;
      if (this.#range.from !== undefined && trade.time < this.#range.from) continue;
      if (this.#range.to !== undefined && trade.time >= this.#range.to) {
        this.#done = true;
        return undefined;
      }
      return trade;
    }
    return undefined;
  }
}

/** Start and end of each cell of the row being parsed (reused: one row at a time, no allocation). */
const CELL_BOUNDS = new Int32Array(AGG_TRADE_COLUMNS * 2);

/** One aggTrades row; 'skip' for a blank line or the header, an error text for a bad row. */
export function parseAggTradeLine(
  text: string,
  start: number,
  end: number,
): Extract<TapeItem, { kind: 'trade' }> | 'skip' | string {
  if (end <= start) return 'skip';
  const first = text.charCodeAt(start);
  if (first < 48 || first > 57) return 'skip'; // header row (agg_trade_id,…)
  const cells = CELL_BOUNDS;
  let count = 0;
  let cellStart = start;
  for (let index = start; index <= end; index += 1) {
    if (index === end || text.charCodeAt(index) === 44) {
      if (count < cells.length) {
        cells[count] = cellStart;
        cells[count + 1] = index;
      }
      count += 2;
      cellStart = index + 1;
    }
  }
  if (count !== AGG_TRADE_COLUMNS * 2) {
    return `expected ${AGG_TRADE_COLUMNS} columns (agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker), found ${count / 2}`;
  }
  const cell = (column: number) => text.slice(cells[column * 2], cells[column * 2 + 1]);
  const price = fastDecimal(text, cells[2] as number, cells[3] as number) ?? parseCsvDecimal(cell(1));
  if (price === undefined || price <= 0n) return `bad price ${JSON.stringify(cell(1))}`;
  const qty = fastDecimal(text, cells[4] as number, cells[5] as number) ?? parseCsvDecimal(cell(2));
  if (qty === undefined) return `bad quantity ${JSON.stringify(cell(2))}`;
  const raw = digits(text, cells[10] as number, cells[11] as number);
  if (raw === undefined) return `bad transact_time ${JSON.stringify(cell(5))}`;
  const time = raw >= 1e14 ? Math.floor(raw / 1000) : raw; // microseconds in newer dumps
  const buyerIsMaker = booleanCell(text, cells[12] as number, cells[13] as number);
  if (buyerIsMaker === undefined) return `bad is_buyer_maker ${JSON.stringify(cell(6))}`;
  return { kind: 'trade', time, price, qty, buyerIsMaker };
}

/** "true" or "false" in any case, without slicing the line. */
function booleanCell(text: string, start: number, end: number): boolean | undefined {
  const word = end - start === 4 ? 'true' : end - start === 5 ? 'false' : undefined;
  if (word === undefined) return undefined;
  for (let index = 0; index < word.length; index += 1) {
    if ((text.charCodeAt(start + index) | 32) !== word.charCodeAt(index)) return undefined;
  }
  return word === 'true';
}

/** An unsigned integer of 1 to 17 digits, or undefined. */
function digits(text: string, start: number, end: number): number | undefined {
  if (end <= start || end - start > 17) return undefined;
  let value = 0;
  for (let index = start; index < end; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return undefined;
    value = value * 10 + (code - 48);
  }
  return value;
}

/**
 * A plain decimal with ≤ 8 places and < 2^53 units of 1e-8 parsed without regex or strings (the
 * replay's hot path); undefined sends anything else to the exact general parser.
 */
function fastDecimal(text: string, start: number, end: number): Fixed | undefined {
  let units = 0;
  let decimals = -1;
  for (let index = start; index < end; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 46) {
      if (decimals >= 0) return undefined;
      decimals = 0;
      continue;
    }
    if (code < 48 || code > 57) return undefined;
    units = units * 10 + (code - 48);
    if (decimals >= 0) decimals += 1;
  }
  if (end === start || decimals > 8 || decimals === 0) return undefined;
  const scaled = units * 10 ** (8 - Math.max(decimals, 0));
  return Number.isSafeInteger(scaled) ? BigInt(scaled) : undefined;
}
