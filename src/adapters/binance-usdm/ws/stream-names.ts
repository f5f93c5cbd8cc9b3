import { ExchangeError } from '../../../domain/exchange-error.ts';
import type { MarketEvent, MarketSubscription } from '../../../domain/market-event.ts';

/** The split market paths since 2026-03-06 (reference §3.1); a stream on the wrong one is silent. */
export type MarketChannel = 'public' | 'market';

export interface WireStream {
  /** The Binance stream name, e.g. "btcusdt@depth@100ms". */
  readonly name: string;
  readonly channel: MarketChannel;
}

/** Futures kline intervals (reference §3.3; no 1s on futures). "1m" is a minute, "1M" a month. */
const KLINE_INTERVALS: ReadonlySet<string> = new Set([
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
]);
const SYMBOL = /^[A-Za-z0-9_]{1,40}$/;

/**
 * The wire stream of a subscription, on its path: bookTicker and depth on `/public`; aggTrade,
 * markPrice and kline on `/market`. Depth is the 100 ms diff stream the local book is built from;
 * markPrice is the 1 s cadence. Throws EXCHANGE_REJECTED for a symbol or interval Binance would
 * accept and then never serve (an unknown name is acknowledged and silent, §3.1).
 */
export function wireStreamOf(subscription: MarketSubscription): WireStream {
  if (!SYMBOL.test(subscription.symbol)) {
    throw new ExchangeError('EXCHANGE_REJECTED', `invalid symbol for a stream: ${JSON.stringify(subscription.symbol)}`);
  }
  const symbol = subscription.symbol.toLowerCase();
  switch (subscription.kind) {
    case 'bookTicker':
      return { name: `${symbol}@bookTicker`, channel: 'public' };
    case 'book':
      if (!Number.isInteger(subscription.depth) || subscription.depth < 1 || subscription.depth > 1000) {
        throw new ExchangeError('EXCHANGE_REJECTED', `book depth must be 1..1000, got ${subscription.depth}`);
      }
      return { name: `${symbol}@depth@100ms`, channel: 'public' };
    case 'trade':
      return { name: `${symbol}@aggTrade`, channel: 'market' };
    case 'markPrice':
      return { name: `${symbol}@markPrice@1s`, channel: 'market' };
    case 'kline':
      if (!KLINE_INTERVALS.has(subscription.interval)) {
        throw new ExchangeError('EXCHANGE_REJECTED', `unknown kline interval ${JSON.stringify(subscription.interval)}`);
      }
      return { name: `${symbol}@kline_${subscription.interval}`, channel: 'market' };
    default: {
      const unreachable: never = subscription;
      throw new ExchangeError('EXCHANGE_REJECTED', `unknown subscription ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * A key equal for the same message on any socket and increasing per stream, for the rotation
 * handoff: the venue's update or trade id where there is one, else the event time (mark price
 * events come at most once per event time on a stream).
 */
export function sequenceOf(event: MarketEvent): number | string {
  switch (event.kind) {
    case 'bookTicker':
      return event.updateId;
    case 'trade':
      return event.tradeId;
    case 'book':
      return event.lastUpdateId;
    case 'markPrice':
      return event.eventTime;
    case 'kline':
      // The closing update of one kline and the first of the next may share an event time.
      return `${event.eventTime}/${event.openTime}/${event.closed}`;
    default: {
      const unreachable: never = event;
      return Number((unreachable as { eventTime?: number }).eventTime ?? 0);
    }
  }
}
