import { type Fixed, mulFixed } from '../../lib/fixed.ts';
import type { AggTrade, Kline, KlineInterval } from './market-feed.ts';

export const MINUTE_MS = 60_000;
/** Binance's cap on GET /fapi/v1/klines `limit`. */
export const KLINES_MAX_LIMIT = 1500;

export const KLINE_INTERVAL_MS: Readonly<Record<KlineInterval, number>> = {
  '1m': MINUTE_MS,
  '3m': 3 * MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '2h': 120 * MINUTE_MS,
  '4h': 240 * MINUTE_MS,
  '6h': 360 * MINUTE_MS,
  '8h': 480 * MINUTE_MS,
  '12h': 720 * MINUTE_MS,
  '1d': 1440 * MINUTE_MS,
};

export interface KlineRange {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

/** A one-minute candle being built (mutable while live, frozen by convention once closed). */
interface MinuteCandle {
  readonly openTime: number;
  open: Fixed;
  high: Fixed;
  low: Fixed;
  close: Fixed;
  volume: Fixed;
  quoteVolume: Fixed;
  trades: number;
  takerBuyVolume: Fixed;
  takerBuyQuoteVolume: Fixed;
  /** -1 while the candle has no trade. */
  firstTradeId: number;
  lastTradeId: number;
}

/**
 * One symbol's 1m candles built from its trades, plus the live candle. Other intervals are
 * aggregated from 1m on demand, buckets aligned to the epoch as Binance aligns them (UTC).
 * A candle without trades carries the previous close, as Binance's do.
 */
export class KlineHistory {
  readonly #symbol: string;
  readonly #capacity: number;
  #closed: MinuteCandle[] = [];
  #live: MinuteCandle;

  constructor(symbol: string, openTime: number, price: Fixed, capacityMinutes = 50_000) {
    this.#symbol = symbol;
    this.#capacity = Math.max(1, capacityMinutes);
    this.#live = emptyCandle(minuteOf(openTime), price);
  }

  get liveOpenTime(): number {
    return this.#live.openTime;
  }

  /**
   * Closes the live candle if `now` lies past its minute, fills any skipped minutes with empty
   * candles and opens the current one. Returns the candle that just closed, for its final
   * `x: true` kline event.
   */
  roll(now: number): Kline | undefined {
    const minute = minuteOf(now);
    if (minute <= this.#live.openTime) return undefined;
    const closed = this.#live;
    this.#closed.push(closed);
    for (let openTime = closed.openTime + MINUTE_MS; openTime < minute; openTime += MINUTE_MS) {
      this.#closed.push(emptyCandle(openTime, closed.close));
    }
    if (this.#closed.length >= 2 * this.#capacity) this.#closed = this.#closed.slice(-this.#capacity);
    this.#live = emptyCandle(minute, closed.close);
    return toKline(this.#symbol, '1m', closed, true);
  }

  addTrade(trade: AggTrade): void {
    const candle = this.#live;
    if (candle.trades === 0) {
      // Binance's open is the interval's first trade, not the previous close.
      candle.open = trade.price;
      candle.high = trade.price;
      candle.low = trade.price;
      candle.firstTradeId = trade.firstTradeId;
    }
    if (trade.price > candle.high) candle.high = trade.price;
    if (trade.price < candle.low) candle.low = trade.price;
    candle.close = trade.price;
    const quote = mulFixed(trade.price, trade.qty);
    candle.volume += trade.qty;
    candle.quoteVolume += quote;
    if (!trade.buyerIsMaker) {
      candle.takerBuyVolume += trade.qty;
      candle.takerBuyQuoteVolume += quote;
    }
    candle.trades += trade.lastTradeId - trade.firstTradeId + 1;
    candle.lastTradeId = trade.lastTradeId;
  }

  liveKline(): Kline {
    return toKline(this.#symbol, '1m', this.#live, false);
  }

  /**
   * Binance semantics: `startTime` reads forwards from the first bucket opening at or after it;
   * otherwise the newest `limit` buckets opening at or before `endTime` (or now). Includes the
   * live candle; `limit` is clamped to 1..1500.
   */
  query(interval: KlineInterval, range: KlineRange): Kline[] {
    const limit = Number.isFinite(range.limit)
      ? Math.max(1, Math.min(KLINES_MAX_LIMIT, Math.floor(range.limit)))
      : KLINES_MAX_LIMIT;
    const intervalMs = KLINE_INTERVAL_MS[interval];
    const liveBucket = bucketOf(this.#live.openTime, intervalMs);
    const lastBucket = Math.min(liveBucket, bucketOf(range.endTime ?? liveBucket, intervalMs));
    const firstBucket =
      range.startTime !== undefined
        ? Math.ceil(range.startTime / intervalMs) * intervalMs
        : lastBucket - (limit - 1) * intervalMs;
    const result: Kline[] = [];
    let group: MinuteCandle[] = [];
    let groupBucket = firstBucket;
    const flush = (): void => {
      if (group.length > 0 && result.length < limit) {
        result.push(aggregate(this.#symbol, interval, groupBucket, group, groupBucket < liveBucket));
      }
      group = [];
    };
    const start = Math.max(0, this.#closed.length - this.#capacity);
    const candles = this.#closed;
    let index = lowerBoundByTime(candles, start, firstBucket);
    for (; index <= candles.length && result.length < limit; index += 1) {
      const candle = index < candles.length ? candles[index] : this.#live;
      if (candle === undefined) break;
      const bucket = bucketOf(candle.openTime, intervalMs);
      if (bucket > lastBucket) break;
      if (bucket < firstBucket) continue;
      if (bucket !== groupBucket) {
        flush();
        groupBucket = bucket;
      }
      group.push(candle);
    }
    flush();
    return result;
  }
}

function minuteOf(time: number): number {
  return Math.floor(time / MINUTE_MS) * MINUTE_MS;
}

function bucketOf(time: number, intervalMs: number): number {
  return Math.floor(time / intervalMs) * intervalMs;
}

function lowerBoundByTime(candles: readonly MinuteCandle[], from: number, time: number): number {
  let low = from;
  let high = candles.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((candles[middle]?.openTime ?? Number.POSITIVE_INFINITY) >= time) high = middle;
    else low = middle + 1;
  }
  return low;
}

function emptyCandle(openTime: number, price: Fixed): MinuteCandle {
  return {
    openTime,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 0n,
    quoteVolume: 0n,
    trades: 0,
    takerBuyVolume: 0n,
    takerBuyQuoteVolume: 0n,
    firstTradeId: -1,
    lastTradeId: -1,
  };
}

function toKline(symbol: string, interval: KlineInterval, candle: MinuteCandle, closed: boolean): Kline {
  return {
    symbol,
    interval,
    openTime: candle.openTime,
    closeTime: candle.openTime + KLINE_INTERVAL_MS[interval] - 1,
    open: candle.open,
    high: candle.high,
    low: candle.low,
    close: candle.close,
    volume: candle.volume,
    quoteVolume: candle.quoteVolume,
    trades: candle.trades,
    takerBuyVolume: candle.takerBuyVolume,
    takerBuyQuoteVolume: candle.takerBuyQuoteVolume,
    firstTradeId: candle.firstTradeId,
    lastTradeId: candle.lastTradeId,
    closed,
  };
}

function aggregate(
  symbol: string,
  interval: KlineInterval,
  openTime: number,
  candles: readonly MinuteCandle[],
  closed: boolean,
): Kline {
  const traded = candles.filter((candle) => candle.trades > 0);
  const first = traded[0] ?? candles[0];
  const last = candles.at(-1);
  if (first === undefined || last === undefined) throw new RangeError('aggregate needs at least one candle');
  const summary: MinuteCandle = { ...emptyCandle(openTime, first.open), close: last.close };
  for (const candle of traded) {
    if (candle.high > summary.high) summary.high = candle.high;
    if (candle.low < summary.low) summary.low = candle.low;
    summary.volume += candle.volume;
    summary.quoteVolume += candle.quoteVolume;
    summary.trades += candle.trades;
    summary.takerBuyVolume += candle.takerBuyVolume;
    summary.takerBuyQuoteVolume += candle.takerBuyQuoteVolume;
    summary.lastTradeId = candle.lastTradeId;
  }
  summary.firstTradeId = traded[0]?.firstTradeId ?? -1;
  if (traded.length === 0) summary.high = summary.low = first.close;
  return toKline(symbol, interval, summary, closed);
}
