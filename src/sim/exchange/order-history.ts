import { divFixed, type Fixed } from '../../lib/fixed.ts';
import type { Instrument } from '../instruments.ts';
import type {
  OrderReference,
  OrderSide,
  OrderStatus,
  OrderType,
  OrderView,
  TimeInForce,
  TradeView,
} from './exchange.ts';

/** The exchange's own mutable record of an order; callers only ever see `orderView` snapshots. */
export interface OrderRecord {
  readonly instrument: Instrument;
  readonly orderId: number;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly price: Fixed;
  readonly origQty: Fixed;
  readonly reduceOnly: boolean;
  readonly time: number;
  /** Placed while stuck orders were on (fault hook): never fills. */
  readonly stuck: boolean;
  executedQty: Fixed;
  cumQuote: Fixed;
  status: OrderStatus;
  updateTime: number;
}

/** A fresh order, NEW and unfilled, with updateTime = time. */
export function newOrderRecord(
  fields: Omit<OrderRecord, 'symbol' | 'executedQty' | 'cumQuote' | 'status' | 'updateTime'>,
): OrderRecord {
  return {
    ...fields,
    symbol: fields.instrument.symbol,
    executedQty: 0n,
    cumQuote: 0n,
    status: 'NEW',
    updateTime: fields.time,
  };
}

export function isOpen(record: OrderRecord): boolean {
  return record.status === 'NEW' || record.status === 'PARTIALLY_FILLED';
}

export function orderView(record: OrderRecord): OrderView {
  return {
    instrument: record.instrument,
    orderId: record.orderId,
    symbol: record.symbol,
    clientOrderId: record.clientOrderId,
    side: record.side,
    type: record.type,
    timeInForce: record.timeInForce,
    price: record.price,
    origQty: record.origQty,
    executedQty: record.executedQty,
    cumQuote: record.cumQuote,
    avgPrice: record.executedQty === 0n ? 0n : divFixed(record.cumQuote, record.executedQty, 'half-up'),
    reduceOnly: record.reduceOnly,
    status: record.status,
    time: record.time,
    updateTime: record.updateTime,
  };
}

const DAY_MS = 86_400_000;

/**
 * Binance's query retention (§2.3 GET /fapi/v1/order): an order is gone when it was created more
 * than 90 days ago, or when it is CANCELED/EXPIRED without any fill and was created more than 3 days ago.
 */
export function isRetained(record: OrderRecord, now: number): boolean {
  const age = now - record.time;
  if (age > 90 * DAY_MS) return false;
  const unfilledTerminal = (record.status === 'CANCELED' || record.status === 'EXPIRED') && record.executedQty === 0n;
  return !(unfilledTerminal && age > 3 * DAY_MS);
}

/** Every order and trade of the account, by symbol, in placement order. */
export class OrderHistory {
  readonly #orders = new Map<string, OrderRecord[]>();
  readonly #trades = new Map<string, TradeView[]>();
  readonly #byOrderId = new Map<number, OrderRecord>();
  /**
   * Orders that may still be open, per symbol, in placement order: the matching loop reads these
   * every tick, so it must not scan the whole history. Closed ones are dropped as they are met.
   */
  readonly #maybeOpen = new Map<string, Set<OrderRecord>>();

  add(record: OrderRecord): void {
    this.#listFor(this.#orders, record.symbol).push(record);
    this.#byOrderId.set(record.orderId, record);
    let open = this.#maybeOpen.get(record.symbol);
    if (open === undefined) {
      open = new Set();
      this.#maybeOpen.set(record.symbol, open);
    }
    open.add(record);
  }

  addTrade(trade: TradeView): void {
    this.#listFor(this.#trades, trade.symbol).push(trade);
  }

  /**
   * By orderId, else by origClientOrderId: the open order holding that id first (ids are unique
   * only among open orders), else the most recent one.
   */
  find(symbol: string, reference: OrderReference): OrderRecord | undefined {
    if (reference.orderId !== undefined) {
      const order = this.#byOrderId.get(reference.orderId);
      return order?.symbol === symbol ? order : undefined;
    }
    const clientOrderId = reference.origClientOrderId;
    if (clientOrderId === undefined) return undefined;
    const matching = (this.#orders.get(symbol) ?? []).filter((order) => order.clientOrderId === clientOrderId);
    return matching.find(isOpen) ?? matching.at(-1);
  }

  openOrderWithClientId(symbol: string, clientOrderId: string): OrderRecord | undefined {
    return this.openOrders(symbol).find((order) => order.clientOrderId === clientOrderId);
  }

  openOrders(symbol?: string): OrderRecord[] {
    const symbols = symbol === undefined ? [...this.#maybeOpen.keys()] : [symbol];
    const result: OrderRecord[] = [];
    for (const each of symbols) {
      const open = this.#maybeOpen.get(each);
      if (open === undefined) continue;
      for (const order of open) {
        if (isOpen(order)) result.push(order);
        else open.delete(order);
      }
    }
    return result;
  }

  /** Symbols with at least one open order. */
  openOrderSymbols(): string[] {
    return [...this.#maybeOpen.keys()].filter((symbol) => this.openOrders(symbol).length > 0);
  }

  orders(symbol: string): readonly OrderRecord[] {
    return this.#orders.get(symbol) ?? [];
  }

  trades(symbol: string): readonly TradeView[] {
    return this.#trades.get(symbol) ?? [];
  }

  clear(): void {
    this.#orders.clear();
    this.#maybeOpen.clear();
    this.#byOrderId.clear();
    this.#trades.clear();
  }

  #listFor<T>(map: Map<string, T[]>, symbol: string): T[] {
    let list = map.get(symbol);
    if (list === undefined) {
      list = [];
      map.set(symbol, list);
    }
    return list;
  }
}

/**
 * GET /fapi/v1/allOrders: with `orderId`, orders from that id on; otherwise the most recent ones;
 * a time range bounds `time`. Orders past retention are not listed.
 */
export function selectOrders(
  orders: readonly OrderRecord[],
  range: { orderId?: number; startTime?: number; endTime?: number; limit: number },
  now: number,
): OrderRecord[] {
  const { orderId, startTime, endTime } = range;
  const selected = orders.filter(
    (order) =>
      isRetained(order, now) &&
      (orderId === undefined || order.orderId >= orderId) &&
      (startTime === undefined || order.time >= startTime) &&
      (endTime === undefined || order.time <= endTime),
  );
  return takeWindow(selected, range.limit, orderId !== undefined || startTime !== undefined);
}

const SEVEN_DAYS_MS = 7 * DAY_MS;

/**
 * GET /fapi/v1/userTrades: `fromId` lists trades from that id on; otherwise a time window, by
 * default the last 7 days (§2.3), a lone bound extending 7 days from it.
 */
export function selectTrades(
  trades: readonly TradeView[],
  range: { fromId?: number; startTime?: number; endTime?: number; limit: number },
  now: number,
): TradeView[] {
  const { fromId } = range;
  if (fromId !== undefined) {
    return takeWindow(
      trades.filter((trade) => trade.id >= fromId),
      range.limit,
      true,
    );
  }
  const startTime =
    range.startTime ?? (range.endTime === undefined ? now - SEVEN_DAYS_MS : range.endTime - SEVEN_DAYS_MS);
  const endTime = range.endTime ?? (range.startTime === undefined ? now : range.startTime + SEVEN_DAYS_MS);
  const selected = trades.filter((trade) => trade.time >= startTime && trade.time <= endTime);
  return takeWindow(selected, range.limit, range.startTime !== undefined);
}

function takeWindow<T>(items: readonly T[], limit: number, fromStart: boolean): T[] {
  const count = Math.max(0, Math.floor(limit));
  if (count === 0) return [];
  return fromStart ? items.slice(0, count) : items.slice(-count);
}
