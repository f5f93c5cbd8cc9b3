import type { z } from 'zod';
import type { AccountSnapshot, PositionReport } from '../../../domain/account.ts';
import { ExchangeError } from '../../../domain/exchange-error.ts';
import type { ExchangeInfo } from '../../../domain/instrument.ts';
import type { Candle, PriceLevel } from '../../../domain/market-event.ts';
import type { FillReport, OrderRef, OrderReport, OrderRequest } from '../../../domain/order.ts';
import type { Clock, TimerHandle } from '../../../lib/clock.ts';
import type { ExchangeRest, ExchangeRestStatus } from '../../../ports/exchange-rest.ts';
import {
  accountWireSchema,
  flatPosition,
  positionRiskListSchema,
  toAccountSnapshot,
  toPositionReport,
} from './account-wire.ts';
import { depthWeight, ROUTES, type Route } from './binance-routes.ts';
import type { FailoverOptions } from './endpoint-failover.ts';
import {
  depthWireSchema,
  exchangeInfoWireSchema,
  klinesWeight,
  klinesWireSchema,
  leverageReplySchema,
  listenKeyReplySchema,
  serverTimeSchema,
  toCandles,
  toExchangeInfo,
  toPriceLevels,
} from './market-wire.ts';
import { batchOrderElement, newOrderQuery, orderRefQuery } from './order-params.ts';
import {
  batchReplySchema,
  cancelAllReplySchema,
  orderListSchema,
  orderWireSchema,
  readOrderWire,
  toFillReport,
  toOrderReport,
  tradeListSchema,
} from './order-wire.ts';
import type { RateLimits } from './request-limiter.ts';
import type { RestClientEvent } from './rest-client-event.ts';
import { badResponse } from './rest-error-mapping.ts';
import { RestTransport } from './rest-transport.ts';
import {
  DEFAULT_UNKNOWN_OUTCOME,
  type UnknownOutcomeOptions,
  UnknownOutcomeResolver,
} from './unknown-outcome-resolver.ts';
import { describeIssue } from './wire-fields.ts';

export interface BinanceRestOptions {
  readonly clock: Clock;
  /** Ordered REST base URLs; the first is active until failover. */
  readonly endpoints: readonly string[];
  readonly credentials: { readonly apiKey: string; readonly apiSecret: string };
  /** Per-request timeout (`executor.timeout_ms`, default 5000). */
  readonly timeoutMs?: number;
  readonly recvWindowMs?: number;
  /** Stay below this share of each published limit (default 0.8). */
  readonly limiterShare?: number;
  /** Limits until exchangeInfo is read (default Binance's 2400 / 300 / 1200). */
  readonly rateLimits?: RateLimits;
  readonly failover?: FailoverOptions;
  readonly latency?: { recordRest(endpointClass: string, ms: number): void };
  /** How an unknown order outcome is resolved: `attempts` queries, the first after `initialDelayMs`, doubling. */
  readonly unknownOutcome?: UnknownOutcomeOptions;
  /** Periodic server-time re-sync, started by `syncTime()` (default 10 min; 0 disables). */
  readonly timeSyncIntervalMs?: number;
  readonly onEvent?: (event: RestClientEvent) => void;
}

const MAX_BATCH_ORDERS = 5; // §2.3
const NO_SUCH_ORDER = -2013;
const CANCEL_REJECTED = -2011;

function isVenueCode(error: unknown, code: number): boolean {
  return error instanceof ExchangeError && error.code === 'EXCHANGE_REJECTED' && error.details.venueCode === code;
}

/**
 * yunmin's Binance USDⓈ-M REST client (issue 3, points 1–5 and 9): the `ExchangeRest` port over
 * undici with keep-alive. Order mutations never duplicate: a lost reply to `placeOrder` is resolved
 * by querying its client order id, never by resending.
 */
export class BinanceRestClient implements ExchangeRest {
  readonly #clock: Clock;
  readonly #transport: RestTransport;
  readonly #outcomes: UnknownOutcomeResolver;
  readonly #timeSyncIntervalMs: number;
  #timeSyncTimer: TimerHandle | undefined;

  constructor(options: BinanceRestOptions) {
    this.#clock = options.clock;
    this.#timeSyncIntervalMs = options.timeSyncIntervalMs ?? 10 * 60_000;
    this.#transport = new RestTransport({
      clock: options.clock,
      endpoints: options.endpoints,
      credentials: options.credentials,
      timeoutMs: options.timeoutMs ?? 5000,
      recvWindowMs: options.recvWindowMs ?? 5000,
      limiterShare: options.limiterShare ?? 0.8,
      ...(options.rateLimits !== undefined && { rateLimits: options.rateLimits }),
      ...(options.failover !== undefined && { failover: options.failover }),
      ...(options.latency !== undefined && { latency: options.latency }),
      ...(options.onEvent !== undefined && { onEvent: options.onEvent }),
    });
    this.#outcomes = new UnknownOutcomeResolver({
      clock: options.clock,
      options: options.unknownOutcome ?? DEFAULT_UNKNOWN_OUTCOME,
      query: (symbol, clientOrderId) => this.getOrder(symbol, { clientOrderId }),
      emit: (event) => this.#transport.emit(event),
    });
  }

  // ── lifecycle and state ─────────────────────────────────────────────────────────────────────

  /** Syncs the server-time offset now and starts the periodic re-sync on the clock. */
  async syncTime(): Promise<void> {
    if (this.#timeSyncTimer === undefined && this.#timeSyncIntervalMs > 0) {
      this.#timeSyncTimer = this.#clock.setInterval(() => {
        // A failed periodic sync is reported as an event; signing keeps the last offset.
        this.#transport.syncTime('periodic').catch(() => {});
      }, this.#timeSyncIntervalMs);
    }
    await this.#transport.syncTime('start');
  }

  /** Raises (or lowers) the per-request timeout: the engine's latency mitigation (playbook §3). */
  setTimeoutMs(ms: number): void {
    this.#transport.setTimeoutMs(ms);
  }

  /** Switches to the next endpoint now (playbook §3 mitigation). */
  failover(): void {
    this.#transport.switchEndpoint();
  }

  status(): ExchangeRestStatus {
    const hold = this.#transport.hold.active();
    const usage = this.#transport.limiter.usage();
    return {
      ...(hold !== undefined && { holdUntil: hold.until, holdReason: hold.reason }),
      usedWeight1m: usage.usedWeight1m,
      orderCount10s: usage.orderCount10s,
      orderCount1m: usage.orderCount1m,
      serverTimeOffsetMs: this.#transport.offsetMs,
      activeEndpoint: this.#transport.failover.active,
      endpoints: this.#transport.failover.endpoints,
    };
  }

  async close(): Promise<void> {
    this.#clock.clearTimer(this.#timeSyncTimer);
    this.#timeSyncTimer = undefined;
    await this.#transport.close();
  }

  // ── market and account reads ────────────────────────────────────────────────────────────────

  async ping(): Promise<void> {
    await this.#call(ROUTES.ping, '');
  }

  async getServerTime(): Promise<number> {
    return this.#parse(serverTimeSchema, await this.#call(ROUTES.time, ''), ROUTES.time).serverTime;
  }

  async getExchangeInfo(): Promise<ExchangeInfo> {
    const wire = this.#parse(exchangeInfoWireSchema, await this.#call(ROUTES.exchangeInfo, ''), ROUTES.exchangeInfo);
    const info = toExchangeInfo(wire, (reason) =>
      this.#transport.emit({
        kind: 'unexpectedValue',
        field: 'exchangeInfo.symbols',
        value: reason,
        at: this.#clock.now(),
      }),
    );
    this.#applyRateLimits(info);
    return info;
  }

  async getCandles(symbol: string, interval: string, limit: number): Promise<readonly Candle[]> {
    const klinesRoute = { ...ROUTES.klines, weight: klinesWeight(limit) };
    const query = `symbol=${encodeURIComponent(symbol)}&interval=${encodeURIComponent(interval)}&limit=${limit}`;
    const body = await this.#call(klinesRoute, query);
    return toCandles(
      this.#parse(klinesWireSchema, body, klinesRoute),
      this.#clock.now() - this.status().serverTimeOffsetMs,
    );
  }

  async getDepthSnapshot(
    symbol: string,
    limit: number,
  ): Promise<{ lastUpdateId: number; bids: readonly PriceLevel[]; asks: readonly PriceLevel[] }> {
    const depthRoute = { ...ROUTES.depth, weight: depthWeight(limit) };
    const body = await this.#call(depthRoute, `symbol=${encodeURIComponent(symbol)}&limit=${limit}`);
    const wire = this.#parse(depthWireSchema, body, depthRoute);
    return { lastUpdateId: wire.lastUpdateId, bids: toPriceLevels(wire.bids), asks: toPriceLevels(wire.asks) };
  }

  /** `/fapi/v3/account` for the totals and balances, `/fapi/v3/positionRisk` for full position rows. */
  async getAccount(): Promise<AccountSnapshot> {
    const [accountBody, positions] = await Promise.all([this.#call(ROUTES.account, ''), this.getPositions()]);
    return toAccountSnapshot(this.#parse(accountWireSchema, accountBody, ROUTES.account), positions);
  }

  async getPositions(): Promise<readonly PositionReport[]> {
    return (await this.#positionRows('')).filter((position) => position.amount !== 0n);
  }

  async getPosition(symbol: string): Promise<PositionReport> {
    const rows = await this.#positionRows(`symbol=${encodeURIComponent(symbol)}`);
    return (
      rows.find((row) => row.symbol === symbol && row.amount !== 0n) ??
      rows.find((row) => row.symbol === symbol) ??
      flatPosition(symbol)
    );
  }

  async getOpenOrders(symbol?: string): Promise<readonly OrderReport[]> {
    // Weight 1 with a symbol, 40 without (§2.3).
    const openRoute = symbol === undefined ? { ...ROUTES.openOrders, weight: 40 } : ROUTES.openOrders;
    const body = await this.#call(openRoute, symbol === undefined ? '' : `symbol=${encodeURIComponent(symbol)}`);
    return this.#parse(orderListSchema, body, openRoute).map((wire) => this.#toOrder(wire));
  }

  async getOrder(symbol: string, ref: OrderRef): Promise<OrderReport | undefined> {
    try {
      const body = await this.#call(ROUTES.queryOrder, orderRefQuery(symbol, ref));
      return this.#order(body, ROUTES.queryOrder, ref.clientOrderId);
    } catch (error) {
      if (isVenueCode(error, NO_SUCH_ORDER)) return undefined;
      throw error;
    }
  }

  async getMyTrades(
    symbol: string,
    range: { fromId?: number; startTime?: number; endTime?: number; limit?: number } = {},
  ): Promise<readonly FillReport[]> {
    let query = `symbol=${encodeURIComponent(symbol)}`;
    if (range.fromId !== undefined) query += `&fromId=${range.fromId}`;
    if (range.startTime !== undefined) query += `&startTime=${range.startTime}`;
    if (range.endTime !== undefined) query += `&endTime=${range.endTime}`;
    if (range.limit !== undefined) query += `&limit=${range.limit}`;
    const trades = this.#parse(tradeListSchema, await this.#call(ROUTES.userTrades, query), ROUTES.userTrades);
    return trades.map(toFillReport).sort((a, b) => a.tradeId - b.tradeId);
  }

  // ── mutations ───────────────────────────────────────────────────────────────────────────────

  async placeOrder(request: OrderRequest): Promise<OrderReport> {
    try {
      const body = await this.#call(ROUTES.newOrder, newOrderQuery(request), request.clientOrderId);
      return this.#order(body, ROUTES.newOrder, request.clientOrderId);
    } catch (error) {
      // The venue may hold the order although we have no (readable) reply: find out, never resend.
      if (
        error instanceof ExchangeError &&
        (error.code === 'EXCHANGE_UNKNOWN_OUTCOME' || error.code === 'EXCHANGE_BAD_RESPONSE')
      ) {
        return this.#outcomes.resolve(request, error);
      }
      throw error;
    }
  }

  async placeOrders(requests: readonly OrderRequest[]): Promise<readonly (OrderReport | Error)[]> {
    const chunks: OrderRequest[][] = [];
    for (let start = 0; start < requests.length; start += MAX_BATCH_ORDERS) {
      chunks.push(requests.slice(start, start + MAX_BATCH_ORDERS));
    }
    const results = await Promise.all(chunks.map((chunk) => this.#placeBatch(chunk)));
    return results.flat();
  }

  async cancelOrder(symbol: string, ref: OrderRef): Promise<OrderReport | undefined> {
    try {
      const body = await this.#call(ROUTES.cancelOrder, orderRefQuery(symbol, ref), ref.clientOrderId);
      return this.#order(body, ROUTES.cancelOrder, ref.clientOrderId);
    } catch (error) {
      // -2011: unknown, filled or already cancelled (§2.5). A repeated cancel is harmless, so a lost
      // reply is left to the caller as EXCHANGE_UNKNOWN_OUTCOME.
      if (isVenueCode(error, CANCEL_REJECTED)) return undefined;
      throw error;
    }
  }

  async cancelAllOpenOrders(symbol: string): Promise<void> {
    const body = await this.#call(ROUTES.cancelAll, `symbol=${encodeURIComponent(symbol)}`);
    this.#parse(cancelAllReplySchema, body, ROUTES.cancelAll);
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const body = await this.#call(ROUTES.leverage, `symbol=${encodeURIComponent(symbol)}&leverage=${leverage}`);
    this.#parse(leverageReplySchema, body, ROUTES.leverage);
  }

  // ── listenKey (USER_STREAM: API key, no signature; §3.4) ────────────────────────────────────

  async createListenKey(): Promise<string> {
    const body = await this.#call(ROUTES.listenKeyCreate, '');
    return this.#parse(listenKeyReplySchema, body, ROUTES.listenKeyCreate).listenKey;
  }

  /** Extends the key to 60 min; an ExchangeError with `details.venueCode` -1125 when the key is gone. */
  async keepAliveListenKey(): Promise<void> {
    await this.#call(ROUTES.listenKeyKeepAlive, '');
  }

  async closeListenKey(): Promise<void> {
    await this.#call(ROUTES.listenKeyClose, '');
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────

  #call(target: Route, query: string, clientOrderId?: string): Promise<unknown> {
    return this.#transport.send({
      method: target.method,
      path: target.path,
      query,
      security: target.security,
      cost: { weight: target.weight, orders10s: target.orders10s ?? 0, orders1m: target.orders1m ?? 0 },
      endpointClass: target.endpointClass,
      mutation: target.mutation,
      ...(clientOrderId !== undefined && { clientOrderId }),
    });
  }

  #parse<T extends z.ZodType>(schema: T, body: unknown, target: Route, clientOrderId?: string): z.output<T> {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    throw badResponse(
      {
        endpoint: `${target.method} ${target.path}`,
        mutation: target.mutation,
        ...(clientOrderId !== undefined && { clientOrderId }),
      },
      describeIssue(parsed.error),
    );
  }

  /** One order reply: the hand-written reader first (hot path), the schema only to explain a mismatch. */
  #order(body: unknown, target: Route, clientOrderId: string | undefined): OrderReport {
    return this.#toOrder(readOrderWire(body) ?? this.#parse(orderWireSchema, body, target, clientOrderId));
  }

  #toOrder(wire: z.output<typeof orderWireSchema>): OrderReport {
    return toOrderReport(wire, (status) =>
      this.#transport.emit({ kind: 'unexpectedValue', field: 'order.status', value: status, at: this.#clock.now() }),
    );
  }

  async #positionRows(query: string): Promise<PositionReport[]> {
    const body = await this.#call(ROUTES.positionRisk, query);
    return this.#parse(positionRiskListSchema, body, ROUTES.positionRisk).map(toPositionReport);
  }

  #applyRateLimits(info: ExchangeInfo): void {
    const find = (type: string, intervalMs: number) =>
      info.rateLimits.find((rule) => rule.type === type && rule.intervalMs === intervalMs)?.limit;
    const current = this.#transport.limiter.limits;
    this.#transport.limiter.setLimits({
      requestWeightPerMinute: find('REQUEST_WEIGHT', 60_000) ?? current.requestWeightPerMinute,
      ordersPer10Seconds: find('ORDERS', 10_000) ?? current.ordersPer10Seconds,
      ordersPerMinute: find('ORDERS', 60_000) ?? current.ordersPerMinute,
    });
  }

  async #placeBatch(chunk: readonly OrderRequest[]): Promise<(OrderReport | Error)[]> {
    const query = `batchOrders=${encodeURIComponent(JSON.stringify(chunk.map(batchOrderElement)))}`;
    let body: unknown;
    try {
      body = await this.#call(ROUTES.batchOrders, query);
    } catch (error) {
      if (error instanceof ExchangeError && error.code === 'EXCHANGE_UNKNOWN_OUTCOME') {
        // Each order's fate is resolved on its own, exactly as for a single order.
        return Promise.all(chunk.map((request) => this.#outcomes.resolve(request, error).catch((e: Error) => e)));
      }
      return chunk.map(() => error as Error);
    }
    const elements = this.#parse(batchReplySchema, body, ROUTES.batchOrders);
    return chunk.map((request, index): OrderReport | Error => {
      const element = elements[index];
      if (element === undefined)
        return badResponse(
          { endpoint: 'POST /fapi/v1/batchOrders', mutation: true, clientOrderId: request.clientOrderId },
          `no reply element ${index}`,
        );
      if ('orderId' in element) return this.#toOrder(element);
      return new ExchangeError(
        'EXCHANGE_REJECTED',
        `POST /fapi/v1/batchOrders: rejected ${element.code} ${element.msg}`,
        {
          endpoint: 'POST /fapi/v1/batchOrders',
          venueCode: element.code,
          venueMessage: element.msg,
          clientOrderId: request.clientOrderId,
        },
      );
    });
  }
}
