import type { Fixed } from '../../lib/fixed.ts';
import type { Instrument } from '../instruments.ts';

/**
 * The simulated market: price paths, a synthetic order book per symbol, trades, klines and mark
 * prices, advanced one tick at a time on the Clock. The exchange matches against it, the REST layer
 * serves its snapshots and the WS layer streams its events. Wire formatting is not done here:
 * every price and quantity is an exact `Fixed`.
 */

export interface BookLevel {
  readonly price: Fixed;
  readonly qty: Fixed;
}

export interface BookSnapshot {
  readonly symbol: string;
  readonly lastUpdateId: number;
  /** Message output time (`E`). */
  readonly eventTime: number;
  /** Transaction time (`T`). */
  readonly transactionTime: number;
  /** Best first: bids descending, asks ascending. */
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

export interface BookTicker {
  readonly symbol: string;
  readonly updateId: number;
  readonly eventTime: number;
  readonly transactionTime: number;
  readonly bidPrice: Fixed;
  readonly bidQty: Fixed;
  readonly askPrice: Fixed;
  readonly askQty: Fixed;
}

export interface MarkPriceState {
  readonly symbol: string;
  readonly eventTime: number;
  readonly markPrice: Fixed;
  readonly indexPrice: Fixed;
  readonly estimatedSettlePrice: Fixed;
  /** e.g. 0.0001 = 0.01 % per 8 h. */
  readonly fundingRate: Fixed;
  readonly nextFundingTime: number;
  readonly interestRate: Fixed;
}

export interface AggTrade {
  readonly symbol: string;
  readonly aggTradeId: number;
  readonly price: Fixed;
  readonly qty: Fixed;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly tradeTime: number;
  readonly buyerIsMaker: boolean;
}

export type KlineInterval = '1m' | '3m' | '5m' | '15m' | '30m' | '1h' | '2h' | '4h' | '6h' | '8h' | '12h' | '1d';

export interface Kline {
  readonly symbol: string;
  readonly interval: KlineInterval;
  readonly openTime: number;
  /** openTime + interval − 1 ms, as Binance reports it. */
  readonly closeTime: number;
  readonly open: Fixed;
  readonly high: Fixed;
  readonly low: Fixed;
  readonly close: Fixed;
  readonly volume: Fixed;
  readonly quoteVolume: Fixed;
  readonly trades: number;
  readonly takerBuyVolume: Fixed;
  readonly takerBuyQuoteVolume: Fixed;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly closed: boolean;
}

/** The streams a market event belongs to; the WS layer maps them to Binance stream names. */
export type MarketEvent =
  | { readonly kind: 'aggTrade'; readonly eventTime: number; readonly trade: AggTrade }
  | {
      readonly kind: 'depthUpdate';
      readonly symbol: string;
      readonly eventTime: number;
      readonly transactionTime: number;
      /** `U`, `u` and `pu`: each diff's pu equals the previous diff's u (§3.3 local book rules). */
      readonly firstUpdateId: number;
      readonly finalUpdateId: number;
      readonly previousFinalUpdateId: number;
      /** Absolute quantities; qty 0 deletes the level. */
      readonly bids: readonly BookLevel[];
      readonly asks: readonly BookLevel[];
    }
  | { readonly kind: 'bookTicker'; readonly ticker: BookTicker }
  | { readonly kind: 'markPrice'; readonly cadence: '1s' | '3s'; readonly state: MarkPriceState }
  | { readonly kind: 'kline'; readonly eventTime: number; readonly kline: Kline };

/** Which sources a price shock reaches (flash-crash fault, playbook §7). */
export type ShockScope =
  /** A real move: trades, book, mark price and klines all move. */
  | 'market'
  /** A data error: only the mark-price stream moves; trades and book stay put. */
  | 'mark-price-only';

export interface PriceShock {
  readonly symbol: string;
  /** Signed fraction, e.g. -0.12 for a 12 % fall. */
  readonly move: Fixed;
  /** The move unfolds linearly over this many milliseconds. */
  readonly overMs: number;
  readonly scope: ShockScope;
  /** After this long (from the start) the price returns to its path; absent = the move stays. */
  readonly revertAfterMs?: number;
}

export interface MarketFeed {
  readonly instruments: readonly Instrument[];
  /** undefined for a symbol the simulator does not list (the REST layer answers -1121). */
  instrument(symbol: string): Instrument | undefined;

  /** Top `limit` levels of each side (Binance limits 5, 10, 20, 50, 100, 500, 1000). */
  book(symbol: string, limit: number): BookSnapshot;
  bookTicker(symbol: string): BookTicker;
  /** Last traded price. */
  lastPrice(symbol: string): Fixed;
  markPrice(symbol: string): MarkPriceState;
  /** History, oldest first, bounded by `limit` (max 1500); includes the current open kline. */
  klines(
    symbol: string,
    interval: KlineInterval,
    range: { startTime?: number; endTime?: number; limit: number },
  ): readonly Kline[];
  /** History, oldest first, bounded by `limit` (max 1000). */
  aggTrades(
    symbol: string,
    range: { fromId?: number; startTime?: number; endTime?: number; limit: number },
  ): readonly AggTrade[];

  /** Every event of every symbol, in order; returns an unsubscribe function. */
  subscribe(listener: (event: MarketEvent) => void): () => void;
  /** Called after each tick of a symbol, once its book and price are updated (matching hooks here). */
  onTick(listener: (symbol: string) => void): () => void;

  /** Starts ticking on the Clock. */
  start(): void;
  stop(): void;
  /** Advances every symbol by one tick immediately (tests, benchmarks). */
  tick(): void;

  /** Flash-crash fault. Returns a function that cancels the shock. */
  applyShock(shock: PriceShock): () => void;
  /** Sets the path's current price directly (control API; drills). */
  setPrice(symbol: string, price: Fixed): void;
}

export interface MarketFeedOptions {
  /** Seed of the random walk: the same seed gives the same path. */
  readonly seed: number;
  /** Milliseconds between ticks (default 100: Binance's depth@100ms cadence). */
  readonly tickMs: number;
  /** Per-tick standard deviation of the log return (default 0.00003, about 0.6 % per hour at 100 ms ticks). */
  readonly volatility: number;
  /** Half spread in ticks around the mid price (default 1). */
  readonly halfSpreadTicks: number;
  /** Levels generated per side (default 100). */
  readonly bookLevels: number;
  /**
   * Optional CSV replay instead of the random walk: rows `timestamp,open,high,low,close,volume`
   * (the shared sample) or Binance's 12-column kline CSV; each candle is replayed over
   * `replayCandleMs` of simulated time, passing open → high/low → close.
   */
  readonly replay?: { readonly symbol: string; readonly csv: string; readonly replayCandleMs: number };
  /** History generated before start so klines/aggTrades queries return data (default 500 one-minute candles). */
  readonly historyMinutes: number;
}
