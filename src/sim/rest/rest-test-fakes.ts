import { FIXED_ZERO, type Fixed, mulFixed, parseFixed } from '../../lib/fixed.ts';
import type { TestClock } from '../../lib/test-clock.ts';
import { ApiError, apiErrors } from '../api-error.ts';
import type {
  AccountView,
  Exchange,
  NewOrderRequest,
  OrderReference,
  OrderView,
  PositionView,
  TradeView,
} from '../exchange/exchange.ts';
import type { FaultGate, RestRequestInfo, RestVerdict } from '../faults/fault-gate.ts';
import { DEFAULT_INSTRUMENTS, type Instrument } from '../instruments.ts';
import type { AggTrade, BookTicker, Kline, MarketFeed, MarkPriceState } from '../market/market-feed.ts';
import type { ListenKeys } from '../ws/listen-keys.ts';

/**
 * Small in-memory fakes of the contracts the REST layer consumes, for the tests in this directory
 * (the real market, exchange and fault injector are separate modules). They keep just enough
 * behaviour to prove the transport: orders rest as NEW, MARKET fills at the initial price, unknown
 * ids fail with Binance's codes.
 */

function instrumentOf(symbol: string): Instrument {
  const found = DEFAULT_INSTRUMENTS.find((instrument) => instrument.symbol === symbol);
  if (found === undefined) throw apiErrors.badSymbol();
  return found;
}

export class FakeMarket implements MarketFeed {
  readonly instruments = DEFAULT_INSTRUMENTS;
  readonly #clock: TestClock;

  constructor(clock: TestClock) {
    this.#clock = clock;
  }

  instrument(symbol: string): Instrument | undefined {
    return this.instruments.find((instrument) => instrument.symbol === symbol);
  }

  book(symbol: string, limit: number) {
    const instrument = instrumentOf(symbol);
    const mid = instrument.initialPrice;
    const levels = Array.from({ length: limit }, (_, index) => BigInt(index + 1) * instrument.tickSize);
    return {
      symbol,
      lastUpdateId: 1000,
      eventTime: this.#clock.now(),
      transactionTime: this.#clock.now() - 1,
      bids: levels.map((offset) => ({ price: mid - offset, qty: instrument.stepSize * 10n })),
      asks: levels.map((offset) => ({ price: mid + offset, qty: instrument.stepSize * 10n })),
    };
  }

  bookTicker(symbol: string): BookTicker {
    const instrument = instrumentOf(symbol);
    return {
      symbol,
      updateId: 1000,
      eventTime: this.#clock.now(),
      transactionTime: this.#clock.now(),
      bidPrice: instrument.initialPrice - instrument.tickSize,
      bidQty: instrument.stepSize,
      askPrice: instrument.initialPrice + instrument.tickSize,
      askQty: instrument.stepSize,
    };
  }

  lastPrice(symbol: string): Fixed {
    return instrumentOf(symbol).initialPrice;
  }

  markPrice(symbol: string): MarkPriceState {
    const price = instrumentOf(symbol).initialPrice;
    return {
      symbol,
      eventTime: this.#clock.now(),
      markPrice: price,
      indexPrice: price,
      estimatedSettlePrice: price,
      fundingRate: parseFixed('0.0001'),
      nextFundingTime: this.#clock.now() + 3_600_000,
      interestRate: parseFixed('0.0001'),
    };
  }

  klines(symbol: string, interval: Kline['interval'], range: { limit: number }): readonly Kline[] {
    const price = instrumentOf(symbol).initialPrice;
    return Array.from({ length: Math.min(range.limit, 3) }, (_, index) => ({
      symbol,
      interval,
      openTime: index * 60_000,
      closeTime: index * 60_000 + 59_999,
      open: price,
      high: price,
      low: price,
      close: price,
      volume: parseFixed('0.002'),
      quoteVolume: mulFixed(price, parseFixed('0.002')),
      trades: 1,
      takerBuyVolume: parseFixed('0.002'),
      takerBuyQuoteVolume: mulFixed(price, parseFixed('0.002')),
      firstTradeId: index,
      lastTradeId: index,
      closed: true,
    }));
  }

  aggTrades(symbol: string, range: { limit: number }): readonly AggTrade[] {
    const price = instrumentOf(symbol).initialPrice;
    return Array.from({ length: Math.min(range.limit, 2) }, (_, index) => ({
      symbol,
      aggTradeId: index + 1,
      price,
      qty: parseFixed('0.001'),
      firstTradeId: index + 1,
      lastTradeId: index + 1,
      tradeTime: this.#clock.now(),
      buyerIsMaker: index % 2 === 0,
    }));
  }

  subscribe(): () => void {
    return () => {};
  }
  onTick(): () => void {
    return () => {};
  }
  start(): void {}
  stop(): void {}
  tick(): void {}
  applyShock(): () => void {
    return () => {};
  }
  setPrice(): void {}
}

export class FakeExchange implements Exchange {
  readonly orders: OrderView[] = [];
  readonly #clock: TestClock;
  #nextOrderId = 1;

  constructor(clock: TestClock) {
    this.#clock = clock;
  }

  placeOrder(request: NewOrderRequest): OrderView {
    const instrument = instrumentOf(request.symbol);
    if (request.side !== 'BUY' && request.side !== 'SELL') throw apiErrors.invalidSide();
    if (request.type !== 'LIMIT' && request.type !== 'MARKET') {
      if (request.type.startsWith('STOP') || request.type.startsWith('TAKE')) throw apiErrors.conditionalMovedToAlgo();
      throw apiErrors.invalidOrderType();
    }
    if (request.quantity === undefined) throw apiErrors.mandatoryParam('quantity');
    if (request.quantity > instrument.maxQty) throw apiErrors.qtyAboveMax();
    if (request.type === 'LIMIT' && request.price === undefined) throw apiErrors.mandatoryParam('price');
    const clientOrderId = request.newClientOrderId ?? `sim${this.#nextOrderId}`;
    if (this.orders.some((order) => order.clientOrderId === clientOrderId && order.status === 'NEW')) {
      throw apiErrors.duplicateClientOrderId();
    }
    const market = request.type === 'MARKET';
    const fillPrice = instrument.initialPrice;
    const order: OrderView = {
      instrument,
      orderId: this.#nextOrderId++,
      symbol: request.symbol,
      clientOrderId,
      side: request.side,
      type: request.type,
      timeInForce: 'GTC',
      price: request.price ?? FIXED_ZERO,
      origQty: request.quantity,
      executedQty: market ? request.quantity : FIXED_ZERO,
      cumQuote: market ? mulFixed(fillPrice, request.quantity) : FIXED_ZERO,
      avgPrice: market ? fillPrice : FIXED_ZERO,
      reduceOnly: request.reduceOnly,
      status: market ? 'FILLED' : 'NEW',
      time: this.#clock.now(),
      updateTime: this.#clock.now(),
    };
    this.orders.push(order);
    return order;
  }

  #find(symbol: string, reference: OrderReference): number {
    return this.orders.findIndex(
      (order) =>
        order.symbol === symbol &&
        (reference.orderId === undefined || order.orderId === reference.orderId) &&
        (reference.origClientOrderId === undefined || order.clientOrderId === reference.origClientOrderId),
    );
  }

  cancelOrder(symbol: string, reference: OrderReference): OrderView {
    const index = this.#find(symbol, reference);
    const order = this.orders[index];
    if (order === undefined || order.status !== 'NEW') throw apiErrors.cancelRejected();
    const canceled: OrderView = { ...order, status: 'CANCELED', updateTime: this.#clock.now() };
    this.orders[index] = canceled;
    return canceled;
  }

  cancelAllOpenOrders(symbol: string): void {
    for (const order of this.openOrders(symbol)) this.cancelOrder(symbol, { orderId: order.orderId });
  }

  queryOrder(symbol: string, reference: OrderReference): OrderView {
    const order = this.orders[this.#find(symbol, reference)];
    if (order === undefined) throw apiErrors.noSuchOrder();
    return order;
  }

  queryOpenOrder(symbol: string, reference: OrderReference): OrderView {
    const order = this.queryOrder(symbol, reference);
    if (order.status !== 'NEW') throw apiErrors.noSuchOrder();
    return order;
  }

  openOrders(symbol?: string): readonly OrderView[] {
    return this.orders.filter((order) => order.status === 'NEW' && (symbol === undefined || order.symbol === symbol));
  }

  allOrders(symbol: string, range: { limit: number }): readonly OrderView[] {
    return this.orders.filter((order) => order.symbol === symbol).slice(-range.limit);
  }

  userTrades(symbol: string): readonly TradeView[] {
    return this.orders
      .filter((order) => order.symbol === symbol && order.status === 'FILLED')
      .map((order) => ({
        instrument: order.instrument,
        id: order.orderId,
        orderId: order.orderId,
        symbol,
        side: order.side,
        price: order.avgPrice,
        qty: order.executedQty,
        quoteQty: order.cumQuote,
        commission: mulFixed(order.cumQuote, parseFixed('0.0005')),
        commissionAsset: 'USDT',
        realizedPnl: FIXED_ZERO,
        maker: false,
        buyer: order.side === 'BUY',
        time: order.updateTime,
      }));
  }

  setLeverage(symbol: string, leverage: number) {
    if (leverage < 1 || leverage > instrumentOf(symbol).maxLeverage) throw apiErrors.leverageInvalid();
    return { leverage, maxNotionalValue: parseFixed('100000000'), symbol };
  }

  #position(symbol: string): PositionView {
    const instrument = instrumentOf(symbol);
    const amount = this.orders
      .filter((order) => order.symbol === symbol)
      .reduce((sum, order) => sum + (order.side === 'BUY' ? order.executedQty : -order.executedQty), FIXED_ZERO);
    const notional = mulFixed(amount, instrument.initialPrice);
    return {
      instrument,
      symbol,
      positionAmt: amount,
      entryPrice: amount === 0n ? FIXED_ZERO : instrument.initialPrice,
      breakEvenPrice: FIXED_ZERO,
      markPrice: instrument.initialPrice,
      unrealizedProfit: FIXED_ZERO,
      liquidationPrice: FIXED_ZERO,
      leverage: instrument.defaultLeverage,
      notional,
      initialMargin: FIXED_ZERO,
      maintMargin: FIXED_ZERO,
      positionInitialMargin: FIXED_ZERO,
      openOrderInitialMargin: FIXED_ZERO,
      bidNotional: FIXED_ZERO,
      askNotional: FIXED_ZERO,
      updateTime: this.#clock.now(),
    };
  }

  account(): AccountView {
    const balance = parseFixed('10000');
    return {
      walletBalance: balance,
      unrealizedProfit: FIXED_ZERO,
      marginBalance: balance,
      initialMargin: FIXED_ZERO,
      maintMargin: FIXED_ZERO,
      positionInitialMargin: FIXED_ZERO,
      openOrderInitialMargin: FIXED_ZERO,
      availableBalance: balance,
      maxWithdrawAmount: balance,
      updateTime: this.#clock.now(),
      positions: this.positions(),
    };
  }

  positions(symbol?: string): readonly PositionView[] {
    if (symbol !== undefined) return [this.#position(symbol)];
    return DEFAULT_INSTRUMENTS.map((instrument) => this.#position(instrument.symbol)).filter(
      (position) => position.positionAmt !== 0n,
    );
  }

  subscribeUserEvents(): () => void {
    return () => {};
  }
  setStuckOrders(): void {}
  externalFill(): TradeView {
    throw new ApiError(500, -1000, 'not in the fake');
  }
  reset(): void {
    this.orders.length = 0;
  }
}

export class FakeListenKeys implements ListenKeys {
  readonly active = new Set<string>();
  #next = 1;

  create(): string {
    const existing = [...this.active][0];
    if (existing !== undefined) return existing;
    const key = `listenKey${this.#next++}`;
    this.active.add(key);
    return key;
  }
  keepAlive(key: string): boolean {
    return this.active.has(key);
  }
  close(key: string): void {
    this.active.delete(key);
  }
  isActive(key: string): boolean {
    return this.active.has(key);
  }
  onExpired(): () => void {
    return () => {};
  }
}

export class FakeFaultGate implements FaultGate {
  verdict: RestVerdict = { kind: 'pass' };
  latencyMs = 0;
  skewMs = 0;
  readonly asked: RestRequestInfo[] = [];

  restVerdict(request: RestRequestInfo): RestVerdict {
    this.asked.push(request);
    return this.verdict;
  }
  restLatencyMs(): number {
    return this.latencyMs;
  }
  acceptWsConnection(): boolean {
    return true;
  }
  wsLatencyMs(): number {
    return 0;
  }
  isStreamFrozen(): boolean {
    return false;
  }
  clockSkewMs(): number {
    return this.skewMs;
  }
}
