import type { Fixed } from '../../lib/fixed.ts';
import type { Instrument } from '../instruments.ts';

/**
 * The simulated account and matching engine, behind the REST and WS transports. One account, one-way
 * position mode, cross margin, USDT only. Methods throw `ApiError` (../api-error.ts) with Binance's
 * codes; they never format wire strings (the transports do, with the instrument's precisions).
 */

export type OrderSide = 'BUY' | 'SELL';
export type OrderType = 'LIMIT' | 'MARKET';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTX';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'EXPIRED_IN_MATCH';
/** WS `x`. */
export type ExecutionType = 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED';

/**
 * A new-order request after the transport has checked syntax: decimals are parsed to Fixed (more
 * than 8 decimals is -1111 at the transport), enums are still raw strings because the exchange
 * answers -1116/-1117/-1115/-4120 itself.
 */
export interface NewOrderRequest {
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly timeInForce?: string;
  readonly quantity?: Fixed;
  readonly price?: Fixed;
  readonly reduceOnly: boolean;
  readonly newClientOrderId?: string;
  /** Only BOTH is supported (one-way mode); LONG/SHORT → -4061 position side does not match. */
  readonly positionSide?: string;
  /** Present on conditional types, which answer -4120 since 2025-12-09. */
  readonly stopPrice?: Fixed;
  readonly closePosition?: boolean;
  readonly priceMatch?: string;
  readonly selfTradePreventionMode?: string;
  readonly goodTillDate?: number;
}

export interface OrderView {
  readonly instrument: Instrument;
  readonly orderId: number;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** 0 for MARKET. */
  readonly price: Fixed;
  readonly origQty: Fixed;
  readonly executedQty: Fixed;
  /** Σ price × qty of the fills. */
  readonly cumQuote: Fixed;
  /** cumQuote / executedQty, 0 when nothing filled. */
  readonly avgPrice: Fixed;
  readonly reduceOnly: boolean;
  readonly status: OrderStatus;
  readonly time: number;
  readonly updateTime: number;
}

export interface TradeView {
  readonly instrument: Instrument;
  readonly id: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Fixed;
  readonly qty: Fixed;
  readonly quoteQty: Fixed;
  readonly commission: Fixed;
  readonly commissionAsset: 'USDT';
  readonly realizedPnl: Fixed;
  readonly maker: boolean;
  readonly buyer: boolean;
  readonly time: number;
}

export interface PositionView {
  readonly instrument: Instrument;
  readonly symbol: string;
  /** Signed: positive long, negative short, 0 flat. */
  readonly positionAmt: Fixed;
  readonly entryPrice: Fixed;
  readonly breakEvenPrice: Fixed;
  readonly markPrice: Fixed;
  readonly unrealizedProfit: Fixed;
  /** 0 when flat or not computed. */
  readonly liquidationPrice: Fixed;
  readonly leverage: number;
  /** positionAmt × markPrice (signed). */
  readonly notional: Fixed;
  readonly initialMargin: Fixed;
  readonly maintMargin: Fixed;
  readonly positionInitialMargin: Fixed;
  readonly openOrderInitialMargin: Fixed;
  readonly bidNotional: Fixed;
  readonly askNotional: Fixed;
  readonly updateTime: number;
}

export interface AccountView {
  readonly walletBalance: Fixed;
  readonly unrealizedProfit: Fixed;
  readonly marginBalance: Fixed;
  readonly initialMargin: Fixed;
  readonly maintMargin: Fixed;
  readonly positionInitialMargin: Fixed;
  readonly openOrderInitialMargin: Fixed;
  readonly availableBalance: Fixed;
  readonly maxWithdrawAmount: Fixed;
  readonly updateTime: number;
  /** Every symbol with a position or open orders, plus every symbol whose leverage was set. */
  readonly positions: readonly PositionView[];
}

/** User-data events, in the order they happened; the WS layer renders them with Binance's letters. */
export type UserEvent =
  | {
      readonly kind: 'orderUpdate';
      readonly eventTime: number;
      readonly transactionTime: number;
      readonly executionType: ExecutionType;
      readonly order: OrderView;
      /** Present when executionType is TRADE. */
      readonly trade?: TradeView;
    }
  | {
      readonly kind: 'accountUpdate';
      readonly eventTime: number;
      readonly transactionTime: number;
      readonly reason: 'ORDER' | 'FUNDING_FEE' | 'ADJUSTMENT' | 'DEPOSIT';
      readonly balances: readonly {
        readonly asset: 'USDT';
        readonly walletBalance: Fixed;
        readonly crossWalletBalance: Fixed;
        readonly balanceChange: Fixed;
      }[];
      /** Only the positions that changed. */
      readonly positions: readonly PositionView[];
    };

export interface OrderReference {
  readonly orderId?: number;
  readonly origClientOrderId?: string;
}

export interface Exchange {
  /** Validates, places and (for marketable orders) matches immediately. */
  placeOrder(request: NewOrderRequest): OrderView;
  /** -2011 when the order is unknown, filled or already cancelled. */
  cancelOrder(symbol: string, reference: OrderReference): OrderView;
  /** Cancels every open order of the symbol. */
  cancelAllOpenOrders(symbol: string): void;
  /** -2013 when unknown. */
  queryOrder(symbol: string, reference: OrderReference): OrderView;
  /** -2013 when unknown or no longer open. */
  queryOpenOrder(symbol: string, reference: OrderReference): OrderView;
  openOrders(symbol?: string): readonly OrderView[];
  allOrders(
    symbol: string,
    range: { orderId?: number; startTime?: number; endTime?: number; limit: number },
  ): readonly OrderView[];
  userTrades(
    symbol: string,
    range: { fromId?: number; startTime?: number; endTime?: number; limit: number },
  ): readonly TradeView[];
  /** -4028 when out of 1..maxLeverage. */
  setLeverage(symbol: string, leverage: number): { leverage: number; maxNotionalValue: Fixed; symbol: string };
  account(): AccountView;
  /** Positions with a non-zero amount or open orders; with `symbol`, that symbol's row even if flat. */
  positions(symbol?: string): readonly PositionView[];
  subscribeUserEvents(listener: (event: UserEvent) => void): () => void;

  // Fault hooks (playbook §4, §6): used by the fault injector and the control API.
  /** Orders placed while on never fill, whatever the price (a stuck order). */
  setStuckOrders(scope: { readonly symbol?: string; readonly enabled: boolean }): void;
  /**
   * A fill that no order of this client caused (a manual trade in the web UI). With `emitEvents`
   * false the user stream says nothing, as when events are lost: the position silently diverges.
   * `price` defaults to the current best price on the taker side.
   */
  externalFill(symbol: string, side: OrderSide, qty: Fixed, price?: Fixed, emitEvents?: boolean): TradeView;
  /** Resets balances, positions and orders (control API). */
  reset(walletBalance?: Fixed): void;
}

export interface ExchangeOptions {
  /** Opening USDT wallet balance (default 10000). */
  readonly initialBalance: Fixed;
  /** Fee rates as fractions (Binance VIP 0: maker 0.0002, taker 0.0005). */
  readonly makerFee: Fixed;
  readonly takerFee: Fixed;
}
