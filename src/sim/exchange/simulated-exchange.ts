import type { Clock } from '../../lib/clock.ts';
import { type Fixed, minFixed, parseFixed } from '../../lib/fixed.ts';
import type { Random } from '../../lib/random.ts';
import { apiErrors } from '../api-error.ts';
import type { Instrument } from '../instruments.ts';
import type { MarketFeed } from '../market/market-feed.ts';
import { AccountLedger } from './account-ledger.ts';
import { buildAccountView } from './account-view.ts';
import { BookLiquidity } from './book-liquidity.ts';
import { crossingQty, walkBook } from './book-matching.ts';
import { ClientOrderIdGenerator } from './client-order-ids.ts';
import type {
  AccountView,
  Exchange,
  ExchangeOptions,
  ExecutionType,
  NewOrderRequest,
  OrderReference,
  OrderSide,
  OrderView,
  PositionView,
  TradeView,
  UserEvent,
} from './exchange.ts';
import { checkImmediateExecution } from './immediate-execution-rules.ts';
import { maxNotionalValue } from './leverage-brackets.ts';
import {
  isOpen,
  isRetained,
  newOrderRecord,
  OrderHistory,
  type OrderRecord,
  orderView,
  selectOrders,
  selectTrades,
} from './order-history.ts';
import { priceNegative, quantityNotPositive, validateOrderRequest } from './order-validation.ts';
import { buildPositionView, closableQty, requiredInitialMargin } from './position-risk.ts';
import { fillAccountUpdateEvent, orderUpdateEvent, UserEventBus } from './user-event-bus.ts';

/** Binance VIP 0 fees and a 10 000 USDT wallet. */
export const DEFAULT_EXCHANGE_OPTIONS: ExchangeOptions = {
  initialBalance: parseFixed('10000'),
  makerFee: parseFixed('0.0002'),
  takerFee: parseFixed('0.0005'),
};

export interface SimulatedExchangeDependencies {
  readonly clock: Clock;
  readonly market: MarketFeed;
  readonly options: ExchangeOptions;
  /** Seeds order-id offsets and client order ids for reproducible runs; node:crypto otherwise. */
  readonly random?: Random;
}

// Realistic magnitudes (the fixtures show BTCUSDT order ids near 4.09e9 and trade ids near 2.7e8).
const ORDER_ID_BASE = 4_000_000_000;
const TRADE_ID_BASE = 270_000_000;

/**
 * The simulated account and matching engine (reference §2.4–2.6, §3.4): validates orders, matches
 * them against the market's synthetic book, keeps the one-way cross-margin account and emits the
 * user-data events synchronously, in order. Market orders and crossing limit orders take liquidity
 * as takers; resting limit orders fill as makers when a tick's book crosses their price.
 */
export class SimulatedExchange implements Exchange {
  readonly #clock: Clock;
  readonly #market: MarketFeed;
  readonly #options: ExchangeOptions;
  readonly #ledger: AccountLedger;
  readonly #history = new OrderHistory();
  readonly #liquidity: BookLiquidity;
  readonly #clientOrderIds: ClientOrderIdGenerator;
  readonly #events = new UserEventBus();
  readonly #nextTradeIds = new Map<string, number>();
  readonly #tradeIdBase: number;
  readonly #stuckSymbols = new Set<string>();
  readonly #unsubscribeTick: () => void;
  #nextOrderId: number;
  #stuckEverywhere = false;

  constructor({ clock, market, options, random }: SimulatedExchangeDependencies) {
    this.#clock = clock;
    this.#market = market;
    this.#options = options;
    this.#ledger = new AccountLedger(options.initialBalance);
    this.#liquidity = new BookLiquidity(market);
    this.#clientOrderIds = new ClientOrderIdGenerator(random);
    this.#nextOrderId = ORDER_ID_BASE + (random?.integer(0, 99_999_999) ?? 87_922_044);
    this.#tradeIdBase = TRADE_ID_BASE + (random?.integer(0, 9_999_999) ?? 2_536_245);
    this.#unsubscribeTick = market.onTick((symbol) => this.#fillRestingOrders(symbol));
  }

  /** Stops listening to market ticks. */
  dispose(): void {
    this.#unsubscribeTick();
  }

  placeOrder(request: NewOrderRequest): OrderView {
    const order = validateOrderRequest(
      request,
      (symbol) => this.#market.instrument(symbol),
      (symbol) => this.#markPrice(symbol),
    );
    const { instrument, side, type, timeInForce, price, quantity } = order;
    const symbol = instrument.symbol;
    if (order.clientOrderId !== undefined && this.#history.openOrderWithClientId(symbol, order.clientOrderId)) {
      throw apiErrors.duplicateClientOrderId();
    }
    if (this.#history.openOrders(symbol).length >= instrument.maxNumOrders) throw apiErrors.maxOpenOrders();
    const position = this.#ledger.position(symbol);
    if (order.reduceOnly && closableQty(position.amount, side) === 0n) throw apiErrors.reduceOnlyRejected();
    if (!order.reduceOnly) {
      const marginPrice = type === 'LIMIT' ? price : this.#markPrice(symbol);
      const leverage = this.#ledger.leverage(instrument);
      const required = requiredInitialMargin(position.amount, side, quantity, marginPrice, leverage);
      if (required > this.account().availableBalance) throw apiErrors.marginInsufficient();
    }
    // Stuck orders (fault hook): limit orders placed now never fill; market orders still do.
    const stuck = type === 'LIMIT' && this.#isStuck(symbol);
    if (type === 'LIMIT' && (timeInForce === 'FOK' || timeInForce === 'GTX')) {
      const fillable = order.reduceOnly ? minFixed(quantity, closableQty(position.amount, side)) : quantity;
      const levels = this.#liquidity.opposite(symbol, side);
      checkImmediateExecution(timeInForce, side, price, quantity, fillable, levels, stuck);
    }

    const record = newOrderRecord({
      instrument,
      orderId: this.#nextOrderId++,
      clientOrderId: order.clientOrderId ?? this.#clientOrderIds.next(),
      side,
      type,
      timeInForce,
      price,
      origQty: quantity,
      reduceOnly: order.reduceOnly,
      time: this.#clock.now(),
      stuck,
    });
    this.#history.add(record);
    this.#emitOrderUpdate('NEW', record);

    if (!stuck) {
      const levels = this.#liquidity.opposite(symbol, side);
      const fills = walkBook(levels, side, this.#fillableQty(record), type === 'LIMIT' ? price : undefined);
      this.#liquidity.consume(symbol, side, fills);
      for (const fill of fills) this.#trade(record, fill.price, fill.qty, false, true);
    }
    // MARKET, IOC and FOK never rest (FOK only gets here when it filled); a reduce-only order
    // larger than the position expires the excess (simplification: Binance may rest it).
    const restsOnBook = type === 'LIMIT' && (timeInForce === 'GTC' || timeInForce === 'GTX');
    if (isOpen(record) && (!restsOnBook || (record.reduceOnly && this.#fillableQty(record) === 0n))) {
      this.#finish(record, 'EXPIRED');
    }
    return orderView(record);
  }

  cancelOrder(symbol: string, reference: OrderReference): OrderView {
    this.#instrument(symbol);
    requireReference(reference);
    const record = this.#history.find(symbol, reference);
    if (record === undefined || !isOpen(record)) throw apiErrors.cancelRejected();
    this.#finish(record, 'CANCELED');
    return orderView(record);
  }

  cancelAllOpenOrders(symbol: string): void {
    this.#instrument(symbol);
    for (const record of this.#history.openOrders(symbol)) this.#finish(record, 'CANCELED');
  }

  queryOrder(symbol: string, reference: OrderReference): OrderView {
    this.#instrument(symbol);
    requireReference(reference);
    const record = this.#history.find(symbol, reference);
    if (record === undefined || !isRetained(record, this.#clock.now())) throw apiErrors.noSuchOrder();
    return orderView(record);
  }

  queryOpenOrder(symbol: string, reference: OrderReference): OrderView {
    this.#instrument(symbol);
    requireReference(reference);
    const record = this.#history.find(symbol, reference);
    if (record === undefined || !isOpen(record)) throw apiErrors.noSuchOrder();
    return orderView(record);
  }

  openOrders(symbol?: string): readonly OrderView[] {
    if (symbol !== undefined) this.#instrument(symbol);
    return this.#history.openOrders(symbol).map(orderView);
  }

  allOrders(
    symbol: string,
    range: { orderId?: number; startTime?: number; endTime?: number; limit: number },
  ): readonly OrderView[] {
    this.#instrument(symbol);
    return selectOrders(this.#history.orders(symbol), range, this.#clock.now()).map(orderView);
  }

  userTrades(
    symbol: string,
    range: { fromId?: number; startTime?: number; endTime?: number; limit: number },
  ): readonly TradeView[] {
    this.#instrument(symbol);
    return selectTrades(this.#history.trades(symbol), range, this.#clock.now());
  }

  setLeverage(symbol: string, leverage: number): { leverage: number; maxNotionalValue: Fixed; symbol: string } {
    const instrument = this.#instrument(symbol);
    this.#ledger.setLeverage(instrument, leverage);
    return { leverage, maxNotionalValue: maxNotionalValue(leverage), symbol: instrument.symbol };
  }

  account(): AccountView {
    const symbols = new Set([
      ...this.#ledger.openPositionSymbols(),
      ...this.#history.openOrderSymbols(),
      ...this.#ledger.leverageSymbols(),
    ]);
    return buildAccountView(this.#ledger.walletBalance, this.#positionViews(symbols), this.#ledger.updateTime);
  }

  positions(symbol?: string): readonly PositionView[] {
    if (symbol !== undefined) return [this.#positionView(this.#instrument(symbol))];
    const symbols = new Set([...this.#ledger.openPositionSymbols(), ...this.#history.openOrderSymbols()]);
    return this.#positionViews(symbols);
  }

  subscribeUserEvents(listener: (event: UserEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  setStuckOrders(scope: { readonly symbol?: string; readonly enabled: boolean }): void {
    if (scope.symbol === undefined) {
      this.#stuckEverywhere = scope.enabled;
      if (!scope.enabled) this.#stuckSymbols.clear();
    } else if (scope.enabled) {
      this.#stuckSymbols.add(scope.symbol);
    } else {
      this.#stuckSymbols.delete(scope.symbol);
    }
  }

  externalFill(symbol: string, side: OrderSide, qty: Fixed, price?: Fixed, emitEvents = true): TradeView {
    const instrument = this.#instrument(symbol);
    if (qty <= 0n) throw quantityNotPositive();
    if (price !== undefined && price <= 0n) throw priceNegative();
    const fillPrice = price ?? this.#takerPrice(symbol, side);
    // An order placed in Binance's web UI: it appears in allOrders/userTrades like any other.
    const record = newOrderRecord({
      instrument,
      orderId: this.#nextOrderId++,
      clientOrderId: this.#clientOrderIds.web(),
      side,
      type: price === undefined ? 'MARKET' : 'LIMIT',
      timeInForce: 'GTC',
      price: price ?? 0n,
      origQty: qty,
      reduceOnly: false,
      time: this.#clock.now(),
      stuck: false,
    });
    this.#history.add(record);
    if (emitEvents) this.#emitOrderUpdate('NEW', record);
    return this.#trade(record, fillPrice, qty, false, emitEvents);
  }

  reset(walletBalance?: Fixed): void {
    // Order and trade ids keep counting up: a client that cached old ids must never see them reused.
    this.#ledger.reset(walletBalance ?? this.#options.initialBalance);
    this.#history.clear();
    this.#liquidity.reset();
    this.#stuckEverywhere = false;
    this.#stuckSymbols.clear();
  }

  /** Maker fills on a tick: a BUY at P fills at P against asks ≤ P, up to their quantity (SELL symmetric). */
  #fillRestingOrders(symbol: string): void {
    for (const record of this.#history.openOrders(symbol)) {
      if (record.stuck || record.type !== 'LIMIT') continue;
      const fillable = this.#fillableQty(record);
      if (fillable === 0n) {
        // A reduce-only order whose position is gone expires, as on Binance.
        if (record.reduceOnly) this.#finish(record, 'EXPIRED');
        continue;
      }
      const levels = this.#liquidity.opposite(symbol, record.side);
      const qty = minFixed(fillable, crossingQty(levels, record.side, record.price));
      if (qty === 0n) continue;
      this.#liquidity.consume(symbol, record.side, walkBook(levels, record.side, qty, record.price));
      this.#trade(record, record.price, qty, true, true);
      if (record.reduceOnly && isOpen(record) && this.#fillableQty(record) === 0n) this.#finish(record, 'EXPIRED');
    }
  }

  /** What the order may still fill: its remainder, capped by the position for reduce-only orders. */
  #fillableQty(record: OrderRecord): Fixed {
    const remaining = record.origQty - record.executedQty;
    if (!record.reduceOnly) return remaining;
    return minFixed(remaining, closableQty(this.#ledger.position(record.symbol).amount, record.side));
  }

  #trade(record: OrderRecord, price: Fixed, qty: Fixed, maker: boolean, emitEvents: boolean): TradeView {
    const now = this.#clock.now();
    const feeRate = maker ? this.#options.makerFee : this.#options.takerFee;
    const applied = this.#ledger.applyFill(record.symbol, record.side, price, qty, feeRate, now);
    record.executedQty += qty;
    record.cumQuote += applied.quoteQty;
    record.status = record.executedQty >= record.origQty ? 'FILLED' : 'PARTIALLY_FILLED';
    record.updateTime = now;
    const trade: TradeView = {
      instrument: record.instrument,
      id: this.#nextTradeId(record.symbol),
      orderId: record.orderId,
      symbol: record.symbol,
      side: record.side,
      price,
      qty,
      quoteQty: applied.quoteQty,
      commission: applied.commission,
      commissionAsset: 'USDT',
      realizedPnl: applied.realizedPnl,
      maker,
      buyer: record.side === 'BUY',
      time: now,
    };
    this.#history.addTrade(trade);
    if (emitEvents) {
      this.#events.emit(orderUpdateEvent('TRADE', record, now, trade));
      this.#events.emit(fillAccountUpdateEvent(this.#ledger.walletBalance, this.#positionView(record.instrument), now));
    }
    return trade;
  }

  /** Cancels or expires an open order; no accountUpdate, since nothing was filled (§3.4). */
  #finish(record: OrderRecord, status: 'CANCELED' | 'EXPIRED'): void {
    record.status = status;
    record.updateTime = this.#clock.now();
    this.#emitOrderUpdate(status, record);
  }

  #emitOrderUpdate(executionType: ExecutionType, record: OrderRecord): void {
    this.#events.emit(orderUpdateEvent(executionType, record, this.#clock.now()));
  }

  #nextTradeId(symbol: string): number {
    const id = this.#nextTradeIds.get(symbol) ?? this.#tradeIdBase;
    this.#nextTradeIds.set(symbol, id + 1);
    return id;
  }

  #positionViews(symbols: ReadonlySet<string>): PositionView[] {
    return this.#market.instruments
      .filter((instrument) => symbols.has(instrument.symbol))
      .map((instrument) => this.#positionView(instrument));
  }

  #positionView(instrument: Instrument): PositionView {
    const openOrders = this.#history.openOrders(instrument.symbol).map((record) => ({
      side: record.side,
      price: record.price,
      remainingQty: record.origQty - record.executedQty,
      reduceOnly: record.reduceOnly,
    }));
    return buildPositionView(
      instrument,
      this.#ledger.position(instrument.symbol),
      this.#ledger.leverage(instrument),
      this.#markPrice(instrument.symbol),
      openOrders,
    );
  }

  #isStuck(symbol: string): boolean {
    return this.#stuckEverywhere || this.#stuckSymbols.has(symbol);
  }

  #markPrice(symbol: string): Fixed {
    return this.#market.markPrice(symbol).markPrice;
  }

  /** Best price on the taker side (ask for a BUY, bid for a SELL); the mark price if that side is empty. */
  #takerPrice(symbol: string, side: OrderSide): Fixed {
    const ticker = this.#market.bookTicker(symbol);
    const price = side === 'BUY' ? ticker.askPrice : ticker.bidPrice;
    return price > 0n ? price : this.#markPrice(symbol);
  }

  #instrument(symbol: string): Instrument {
    const instrument = this.#market.instrument(symbol);
    if (instrument === undefined) throw apiErrors.badSymbol();
    return instrument;
  }
}

/** DELETE and GET /fapi/v1/order need `orderId` or `origClientOrderId` (-1102 otherwise, §2.3). */
function requireReference(reference: OrderReference): void {
  if (reference.orderId === undefined && reference.origClientOrderId === undefined) {
    throw apiErrors.mandatoryParam('orderId');
  }
}
