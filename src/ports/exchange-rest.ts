import type { AccountSnapshot, PositionReport } from '../domain/account.ts';
import type { ExchangeInfo } from '../domain/instrument.ts';
import type { Candle, PriceLevel } from '../domain/market-event.ts';
import type { FillReport, OrderRef, OrderReport, OrderRequest } from '../domain/order.ts';

/**
 * The exchange's REST surface as the engine uses it. Implementations throw `ExchangeError`
 * (domain/exchange-error.ts) with a stable code; nothing here exposes a wire type. Names follow the
 * playbook's where natural (`getAccount`, `getPositions`, `getOpenOrders`, `getMyTrades`…).
 */
export interface ExchangeRest {
  ping(): Promise<void>;
  /** The venue's clock (ms), from `/fapi/v1/time`. */
  getServerTime(): Promise<number>;
  getExchangeInfo(): Promise<ExchangeInfo>;
  getAccount(): Promise<AccountSnapshot>;
  /** Non-flat positions only. */
  getPositions(): Promise<readonly PositionReport[]>;
  /** The symbol's position, flat (amount 0) when there is none. */
  getPosition(symbol: string): Promise<PositionReport>;
  getOpenOrders(symbol?: string): Promise<readonly OrderReport[]>;
  /** undefined when the venue does not know the order (-2013). */
  getOrder(symbol: string, ref: OrderRef): Promise<OrderReport | undefined>;
  /**
   * Sends a new order. The request's client order id was chosen (and persisted) by the caller.
   * On an unknown outcome the implementation resolves it by querying that id before returning;
   * if it still cannot tell, it throws EXCHANGE_UNKNOWN_OUTCOME and the caller keeps the order in flight.
   */
  placeOrder(request: OrderRequest): Promise<OrderReport>;
  /** Up to 5 per call on Binance; each element succeeds or fails on its own. */
  placeOrders(requests: readonly OrderRequest[]): Promise<readonly (OrderReport | Error)[]>;
  /** undefined when the order is already gone (-2011: unknown, filled or cancelled). */
  cancelOrder(symbol: string, ref: OrderRef): Promise<OrderReport | undefined>;
  cancelAllOpenOrders(symbol: string): Promise<void>;
  /** Fills, oldest first; `fromId` inclusive. */
  getMyTrades(
    symbol: string,
    range?: { fromId?: number; startTime?: number; endTime?: number; limit?: number },
  ): Promise<readonly FillReport[]>;
  setLeverage(symbol: string, leverage: number): Promise<void>;
  /** Closed candles, oldest first (`/fapi/v1/klines`; the still-open candle is left out). */
  getCandles(symbol: string, interval: string, limit: number): Promise<readonly Candle[]>;
  getDepthSnapshot(
    symbol: string,
    limit: number,
  ): Promise<{ lastUpdateId: number; bids: readonly PriceLevel[]; asks: readonly PriceLevel[] }>;
  /** The REST client's own state: holds, limits, endpoints. */
  status(): ExchangeRestStatus;
}

export interface ExchangeRestStatus {
  /** Epoch ms until which no request may leave (Retry-After / 418), or undefined. */
  readonly holdUntil?: number;
  readonly holdReason?: 'rate-limited' | 'ip-banned';
  /** Used request weight in the current minute, as the venue last reported it. */
  readonly usedWeight1m: number;
  readonly orderCount10s: number;
  readonly orderCount1m: number;
  /** Local clock minus venue clock, from the last time sync (ms). */
  readonly serverTimeOffsetMs: number;
  readonly activeEndpoint: string;
  readonly endpoints: readonly string[];
}
