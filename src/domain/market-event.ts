import type { Fixed } from '../lib/fixed.ts';

/**
 * Market data as the engine sees it: parsed once at the adapter's edge, exact decimals, no field
 * letters. `eventTime` is the venue's (E); `receivedAt` is our clock's when the message arrived.
 */
export interface PriceLevel {
  readonly price: Fixed;
  readonly qty: Fixed;
}

export type MarketEvent =
  | {
      readonly kind: 'bookTicker';
      readonly symbol: string;
      readonly updateId: number;
      readonly eventTime: number;
      readonly receivedAt: number;
      readonly bidPrice: Fixed;
      readonly bidQty: Fixed;
      readonly askPrice: Fixed;
      readonly askQty: Fixed;
    }
  | {
      readonly kind: 'trade';
      readonly symbol: string;
      readonly tradeId: number;
      readonly eventTime: number;
      readonly receivedAt: number;
      readonly tradeTime: number;
      readonly price: Fixed;
      readonly qty: Fixed;
      readonly buyerIsMaker: boolean;
    }
  | {
      readonly kind: 'markPrice';
      readonly symbol: string;
      readonly eventTime: number;
      readonly receivedAt: number;
      readonly markPrice: Fixed;
      readonly indexPrice: Fixed;
      readonly fundingRate: Fixed;
      readonly nextFundingTime: number;
    }
  | {
      readonly kind: 'kline';
      readonly symbol: string;
      readonly interval: string;
      readonly eventTime: number;
      readonly receivedAt: number;
      readonly openTime: number;
      readonly closeTime: number;
      readonly open: Fixed;
      readonly high: Fixed;
      readonly low: Fixed;
      readonly close: Fixed;
      readonly volume: Fixed;
      readonly closed: boolean;
    }
  | {
      /** The local book after a diff was applied in order (gaps resynced by the adapter). */
      readonly kind: 'book';
      readonly symbol: string;
      readonly eventTime: number;
      readonly receivedAt: number;
      readonly lastUpdateId: number;
      /** Best first, top levels only (the adapter keeps the full book). */
      readonly bids: readonly PriceLevel[];
      readonly asks: readonly PriceLevel[];
    };

/** A market subscription, by meaning; the adapter chooses the wire stream and path. */
export type MarketSubscription =
  | { readonly kind: 'bookTicker'; readonly symbol: string }
  | { readonly kind: 'trade'; readonly symbol: string }
  | { readonly kind: 'markPrice'; readonly symbol: string }
  | { readonly kind: 'kline'; readonly symbol: string; readonly interval: string }
  | { readonly kind: 'book'; readonly symbol: string; readonly depth: number };

/** A closed candle (REST klines, or a kline event with `closed`). */
export interface Candle {
  readonly openTime: number;
  readonly closeTime: number;
  readonly open: Fixed;
  readonly high: Fixed;
  readonly low: Fixed;
  readonly close: Fixed;
  readonly volume: Fixed;
}
