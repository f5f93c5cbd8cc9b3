import type { AggTrade } from './market-feed.ts';

/** Binance's cap on GET /fapi/v1/aggTrades `limit`. */
export const AGG_TRADES_MAX_LIMIT = 1000;

export interface AggTradeRange {
  readonly fromId?: number;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

/**
 * The last `capacity` aggregate trades of one symbol, oldest first. Ids strictly increase and times
 * never decrease, so every query is a binary search plus a slice.
 */
export class AggTradeHistory {
  readonly #capacity: number;
  #trades: AggTrade[] = [];

  constructor(capacity = 10_000) {
    this.#capacity = Math.max(1, capacity);
  }

  get size(): number {
    return Math.min(this.#trades.length, this.#capacity);
  }

  push(trade: AggTrade): void {
    this.#trades.push(trade);
    // Trim in batches so a push stays amortised O(1).
    if (this.#trades.length >= 2 * this.#capacity) this.#trades = this.#trades.slice(-this.#capacity);
  }

  /**
   * Binance semantics: `fromId` (inclusive) or `startTime` reads forwards from there; `endTime`
   * alone reads the newest trades up to it; nothing reads the newest `limit` trades.
   */
  query(range: AggTradeRange): AggTrade[] {
    const limit = Number.isFinite(range.limit)
      ? Math.max(1, Math.min(AGG_TRADES_MAX_LIMIT, Math.floor(range.limit)))
      : AGG_TRADES_MAX_LIMIT;
    const trades = this.#trades;
    const first = Math.max(0, trades.length - this.#capacity);
    let low = first;
    let high = trades.length; // exclusive
    if (range.fromId !== undefined) {
      const fromId = range.fromId;
      low = Math.max(
        low,
        lowerBound(trades, first, (trade) => trade.aggTradeId >= fromId),
      );
    }
    if (range.startTime !== undefined) {
      const startTime = range.startTime;
      low = Math.max(
        low,
        lowerBound(trades, first, (trade) => trade.tradeTime >= startTime),
      );
    }
    if (range.endTime !== undefined) {
      const endTime = range.endTime;
      high = Math.min(
        high,
        lowerBound(trades, first, (trade) => trade.tradeTime > endTime),
      );
    }
    if (low >= high) return [];
    const readForwards = range.fromId !== undefined || range.startTime !== undefined;
    return readForwards
      ? trades.slice(low, Math.min(high, low + limit))
      : trades.slice(Math.max(low, high - limit), high);
  }
}

/** First index ≥ `from` where `isAtOrAfter` holds (it must be monotonic over the array). */
function lowerBound<T>(items: readonly T[], from: number, isAtOrAfter: (item: T) => boolean): number {
  let low = from;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const item = items[middle];
    if (item !== undefined && isAtOrAfter(item)) high = middle;
    else low = middle + 1;
  }
  return low;
}
