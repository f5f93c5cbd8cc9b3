import type { Fixed } from '../lib/fixed.ts';

/** A tradable perpetual and the exchange's rules for it (from exchangeInfo, parsed at the edge). */
export interface Instrument {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly status: string;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  readonly tickSize: Fixed;
  readonly minPrice: Fixed;
  readonly maxPrice: Fixed;
  readonly stepSize: Fixed;
  readonly minQty: Fixed;
  readonly maxQty: Fixed;
  readonly marketStepSize: Fixed;
  readonly marketMinQty: Fixed;
  readonly marketMaxQty: Fixed;
  readonly minNotional: Fixed;
  readonly maxNumOrders: number;
  /** PERCENT_PRICE multipliers relative to mark (e.g. 1.05 and 0.95). */
  readonly multiplierUp: Fixed;
  readonly multiplierDown: Fixed;
}

/** The exchange's published rate limits (exchangeInfo.rateLimits). */
export interface RateLimitRule {
  readonly type: 'REQUEST_WEIGHT' | 'ORDERS' | 'RAW_REQUESTS';
  readonly intervalMs: number;
  readonly limit: number;
}

export interface ExchangeInfo {
  readonly serverTime: number;
  readonly rateLimits: readonly RateLimitRule[];
  readonly instruments: readonly Instrument[];
}
