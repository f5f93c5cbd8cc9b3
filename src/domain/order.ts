import type { Fixed } from '../lib/fixed.ts';

export type OrderSide = 'BUY' | 'SELL';
export type OrderType = 'LIMIT' | 'MARKET';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTX';
/**
 * Venue statuses. Binance has added values before (§2.5: "treat unknown values as non-fatal"), so the
 * edge maps anything else to 'UNKNOWN' and counts it rather than failing.
 */
export type VenueOrderStatus =
  | 'NEW'
  | 'PARTIALLY_FILLED'
  | 'FILLED'
  | 'CANCELED'
  | 'REJECTED'
  | 'EXPIRED'
  | 'EXPIRED_IN_MATCH'
  | 'UNKNOWN';

/** What the engine asks the venue to do. The client order id is chosen before the send and persisted. */
export interface OrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Fixed;
  /** Required for LIMIT. */
  readonly price?: Fixed;
  readonly timeInForce?: TimeInForce;
  readonly reduceOnly: boolean;
  readonly clientOrderId: string;
}

/** The venue's view of one order (REST reply or query): a report, reconciled against local state. */
export interface OrderReport {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly type: string;
  readonly timeInForce: string;
  readonly status: VenueOrderStatus;
  /** The status string as the venue sent it (differs from `status` only when that is 'UNKNOWN'). */
  readonly rawStatus: string;
  readonly price: Fixed;
  readonly origQty: Fixed;
  readonly executedQty: Fixed;
  /** Absent when the venue omits it (connector 34.0.0 dropped it from some replies). */
  readonly avgPrice?: Fixed;
  readonly reduceOnly: boolean;
  readonly updateTime: number;
}

/** One fill of one of our orders (userTrades, or a TRADE order update). */
export interface FillReport {
  readonly symbol: string;
  readonly tradeId: number;
  readonly orderId: number;
  readonly clientOrderId?: string;
  readonly side: OrderSide;
  readonly price: Fixed;
  readonly qty: Fixed;
  readonly commission: Fixed;
  readonly commissionAsset: string;
  readonly realizedPnl: Fixed;
  readonly maker: boolean;
  readonly time: number;
}

/** Which order a cancel or query addresses: the venue id, our client id, or both. */
export interface OrderRef {
  readonly orderId?: number;
  readonly clientOrderId?: string;
}
