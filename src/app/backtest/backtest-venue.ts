import type { AccountSnapshot, PositionReport } from '../../domain/account.ts';
import type { ExchangeInfo } from '../../domain/instrument.ts';
import type { Candle, MarketEvent, MarketSubscription, PriceLevel } from '../../domain/market-event.ts';
import type { FillReport, OrderRef, OrderReport, OrderRequest } from '../../domain/order.ts';
import type { Clock } from '../../lib/clock.ts';
import type { ExchangeRest, ExchangeRestStatus } from '../../ports/exchange-rest.ts';
import type { ExchangeStreams, StreamHandlers, StreamHealth } from '../../ports/exchange-streams.ts';
import { ApiError } from '../../sim/api-error.ts';
import type { OrderReference, UserEvent as SimUserEvent } from '../../sim/exchange/exchange.ts';
import type { SimulatedExchange } from '../../sim/exchange/simulated-exchange.ts';
import type { BacktestMarket } from './backtest-market.ts';
import {
  toAccountSnapshot,
  toExchangeError,
  toFillReport,
  toInstrument,
  toOrderReport,
  toPositionReport,
  toUserEvent,
} from './sim-conversions.ts';

/** Binance: -2013 "Order does not exist", -2011 "Unknown order sent" (cancel of a gone order). */
const NO_SUCH_ORDER = -2013;
const CANCEL_REJECTED = -2011;

function reference(ref: OrderRef): OrderReference {
  return {
    ...(ref.orderId !== undefined && { orderId: ref.orderId }),
    ...(ref.clientOrderId !== undefined && { origClientOrderId: ref.clientOrderId }),
  };
}

/**
 * The exchange port of a backtest: the simulator's matching engine and account, in-process, with
 * domain types at the edge (DESIGN principle 2: only this port differs from a live run). Every call
 * answers at once; user-data events are queued and handed to the engine by the replay after the
 * call's reply, as the user stream would deliver them after the REST answer.
 */
export class BacktestVenue implements ExchangeRest, ExchangeStreams {
  readonly #clock: Clock;
  readonly #exchange: SimulatedExchange;
  readonly #market: BacktestMarket;
  readonly #pending: SimUserEvent[] = [];
  readonly #clientIds = new Map<number, string>();
  #handlers: StreamHandlers | undefined;

  constructor(deps: { clock: Clock; exchange: SimulatedExchange; market: BacktestMarket }) {
    this.#clock = deps.clock;
    this.#exchange = deps.exchange;
    this.#market = deps.market;
    deps.exchange.subscribeUserEvents((event) => {
      if (event.kind === 'orderUpdate') this.#clientIds.set(event.order.orderId, event.order.clientOrderId);
      this.#pending.push(event);
    });
  }

  // ── streams ────────────────────────────────────────────────────────────────────────────────
  async start(handlers: StreamHandlers): Promise<void> {
    this.#handlers = handlers;
  }

  async subscribe(_subscriptions: readonly MarketSubscription[]): Promise<void> {}
  async unsubscribe(_subscriptions: readonly MarketSubscription[]): Promise<void> {}
  async startUserData(): Promise<void> {}

  /** No connections in a backtest: the staleness and reconnect detectors have nothing to watch. */
  health(): readonly StreamHealth[] {
    return [];
  }

  async reconnect(_options: { readonly force: boolean }): Promise<void> {}

  async stop(): Promise<void> {
    this.#handlers = undefined;
  }

  /** A replayed market event to the engine (after the matching engine saw the price). */
  deliverMarket(event: MarketEvent): void {
    this.#handlers?.onMarket(event);
  }

  /** Hands queued user-data events to the engine, oldest first. Returns how many. */
  flushUserEvents(): number {
    const handlers = this.#handlers;
    const count = this.#pending.length;
    if (count === 0 || handlers === undefined) return 0;
    const now = this.#clock.now();
    const events = this.#pending.splice(0, count);
    for (const event of events) handlers.onUser(toUserEvent(event, now));
    return count;
  }

  // ── REST ───────────────────────────────────────────────────────────────────────────────────
  async ping(): Promise<void> {}

  async getServerTime(): Promise<number> {
    return this.#clock.now();
  }

  async getExchangeInfo(): Promise<ExchangeInfo> {
    return { serverTime: this.#clock.now(), rateLimits: [], instruments: this.#market.instruments.map(toInstrument) };
  }

  async getAccount(): Promise<AccountSnapshot> {
    return toAccountSnapshot(this.#exchange.account());
  }

  async getPositions(): Promise<readonly PositionReport[]> {
    return this.#exchange
      .positions()
      .filter((position) => position.positionAmt !== 0n)
      .map(toPositionReport);
  }

  async getPosition(symbol: string): Promise<PositionReport> {
    const [position] = this.#call('GET /fapi/v3/positionRisk', () => this.#exchange.positions(symbol));
    if (position === undefined) throw new Error(`no position row for ${symbol}`);
    return toPositionReport(position);
  }

  async getOpenOrders(symbol?: string): Promise<readonly OrderReport[]> {
    return this.#call('GET /fapi/v1/openOrders', () => this.#exchange.openOrders(symbol)).map(toOrderReport);
  }

  async getOrder(symbol: string, ref: OrderRef): Promise<OrderReport | undefined> {
    try {
      return toOrderReport(this.#exchange.queryOrder(symbol, reference(ref)));
    } catch (error) {
      if (error instanceof ApiError && error.code === NO_SUCH_ORDER) return undefined;
      throw toExchangeError(error, 'GET /fapi/v1/order');
    }
  }

  async placeOrder(request: OrderRequest): Promise<OrderReport> {
    return toOrderReport(
      this.#call(
        'POST /fapi/v1/order',
        () =>
          this.#exchange.placeOrder({
            symbol: request.symbol,
            side: request.side,
            type: request.type,
            ...(request.timeInForce !== undefined && { timeInForce: request.timeInForce }),
            ...(request.type === 'LIMIT' && request.timeInForce === undefined && { timeInForce: 'GTC' }),
            quantity: request.quantity,
            ...(request.price !== undefined && { price: request.price }),
            reduceOnly: request.reduceOnly,
            newClientOrderId: request.clientOrderId,
          }),
        request.clientOrderId,
      ),
    );
  }

  async placeOrders(requests: readonly OrderRequest[]): Promise<readonly (OrderReport | Error)[]> {
    const results: (OrderReport | Error)[] = [];
    for (const request of requests) {
      try {
        results.push(await this.placeOrder(request));
      } catch (error) {
        results.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return results;
  }

  async cancelOrder(symbol: string, ref: OrderRef): Promise<OrderReport | undefined> {
    try {
      return toOrderReport(this.#exchange.cancelOrder(symbol, reference(ref)));
    } catch (error) {
      if (error instanceof ApiError && (error.code === CANCEL_REJECTED || error.code === NO_SUCH_ORDER)) {
        return undefined;
      }
      throw toExchangeError(error, 'DELETE /fapi/v1/order', ref.clientOrderId);
    }
  }

  async cancelAllOpenOrders(symbol: string): Promise<void> {
    this.#call('DELETE /fapi/v1/allOpenOrders', () => this.#exchange.cancelAllOpenOrders(symbol));
  }

  async getMyTrades(
    symbol: string,
    range: { fromId?: number; startTime?: number; endTime?: number; limit?: number } = {},
  ): Promise<readonly FillReport[]> {
    const trades = this.#call('GET /fapi/v1/userTrades', () =>
      this.#exchange.userTrades(symbol, { ...range, limit: range.limit ?? 500 }),
    );
    return trades.map((trade) => toFillReport(trade, this.#clientIds.get(trade.orderId)));
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    this.#call('POST /fapi/v1/leverage', () => this.#exchange.setLeverage(symbol, leverage));
  }

  /** The engine's warm-up: a backtest starts cold, candles come from the replay. */
  async getCandles(_symbol: string, _interval: string, _limit: number): Promise<readonly Candle[]> {
    return [];
  }

  async getDepthSnapshot(
    symbol: string,
    limit: number,
  ): Promise<{ lastUpdateId: number; bids: readonly PriceLevel[]; asks: readonly PriceLevel[] }> {
    const book = this.#market.book(symbol, limit);
    return { lastUpdateId: book.lastUpdateId, bids: book.bids, asks: book.asks };
  }

  status(): ExchangeRestStatus {
    return {
      usedWeight1m: 0,
      orderCount10s: 0,
      orderCount1m: 0,
      serverTimeOffsetMs: 0,
      activeEndpoint: 'backtest',
      endpoints: ['backtest'],
    };
  }

  #call<T>(endpoint: string, action: () => T, clientOrderId?: string): T {
    try {
      return action();
    } catch (error) {
      throw toExchangeError(error, endpoint, clientOrderId);
    }
  }
}
