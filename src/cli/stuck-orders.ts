import type { EngineConfig } from '../app/config/engine-config.ts';
import { openExchangeSession } from '../app/exchange-session.ts';
import { readRuntimeInfo } from '../app/runtime-info.ts';
import type { OrderReport } from '../domain/order.ts';
import { formatFixedTrimmed } from '../lib/fixed.ts';
import { SystemClock } from '../lib/system-clock.ts';

/** An open order past executor.max_order_age_s (playbook §4: "Find orders > 5 min old"). */
export interface StuckOrder {
  /** Where it was seen: the running engine's tracker, or the exchange's open orders. */
  readonly source: 'engine' | 'exchange';
  readonly symbol: string;
  readonly orderId: number | null;
  readonly clientOrderId: string;
  readonly side: string;
  readonly type: string;
  readonly price: string | null;
  readonly quantity: string | null;
  readonly executedQty: string | null;
  readonly state: string;
  readonly ageS: number;
}

/**
 * Exchange open orders older than the limit. The age runs from `updateTime`: the port carries no
 * creation time, and for an order nothing has touched (the stuck case: no fill) the two are equal;
 * a partial fill restarts it, which only makes this list more conservative.
 */
export function stuckExchangeOrders(orders: readonly OrderReport[], now: number, maxAgeS: number): StuckOrder[] {
  return orders
    .map((order) => ({
      source: 'exchange' as const,
      symbol: order.symbol,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      side: order.side,
      type: order.type,
      price: formatFixedTrimmed(order.price),
      quantity: formatFixedTrimmed(order.origQty),
      executedQty: formatFixedTrimmed(order.executedQty),
      state: order.status,
      ageS: Math.floor((now - order.updateTime) / 1000),
    }))
    .filter((order) => order.ageS > maxAgeS);
}

interface EngineOrderRow {
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly quantity: string | null;
  readonly price: string | null;
  readonly state: string;
  readonly executed_qty: string | null;
  readonly age_s: number;
}

/** The running engine's tracked orders past the limit (its ages run from creation, as the detector's). */
export function stuckEngineOrders(rows: readonly EngineOrderRow[], maxAgeS: number, symbol?: string): StuckOrder[] {
  return rows
    .filter((row) => row.age_s > maxAgeS && (symbol === undefined || row.symbol === symbol))
    .map((row) => ({
      source: 'engine' as const,
      symbol: row.symbol,
      orderId: null,
      clientOrderId: row.client_order_id,
      side: row.side,
      type: row.type,
      price: row.price,
      quantity: row.quantity,
      executedQty: row.executed_qty,
      state: row.state,
      ageS: row.age_s,
    }));
}

/**
 * `yunmin orders --stuck`: from the running engine (`GET /control/orders`) when it runs and the
 * control token is set, since it knows each order's creation time; otherwise from the exchange.
 */
export async function findStuckOrders(config: EngineConfig, symbol?: string): Promise<StuckOrder[]> {
  const maxAgeS = config.executor.maxOrderAgeS;
  const runtime = readRuntimeInfo(config.stateDir);
  const token = config.secrets.controlToken?.reveal();
  if (runtime !== undefined && token !== undefined) {
    const response = await fetch(`${runtime.healthUrl}/control/orders`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (response.ok) return stuckEngineOrders((await response.json()) as EngineOrderRow[], maxAgeS, symbol);
  }
  const { rest } = await openExchangeSession(config);
  try {
    return stuckExchangeOrders(await rest.getOpenOrders(symbol), new SystemClock().now(), maxAgeS);
  } finally {
    await rest.close();
  }
}

export function stuckOrderRows(orders: readonly StuckOrder[], maxAgeS: number): string[][] {
  if (orders.length === 0) return [[`no open order older than executor.max_order_age_s (${maxAgeS} s)`]];
  return [
    ['', 'SOURCE', 'SYMBOL', 'ORDER_ID', 'CLIENT_ID', 'SIDE', 'TYPE', 'PRICE', 'QTY', 'FILLED', 'STATE', 'AGE'],
    ...orders.map((order) => [
      'STUCK',
      order.source,
      order.symbol,
      order.orderId === null ? '-' : String(order.orderId),
      order.clientOrderId,
      order.side,
      order.type,
      order.price ?? '-',
      order.quantity ?? '-',
      order.executedQty ?? '-',
      order.state,
      `${(order.ageS / 60).toFixed(1)}m > ${(maxAgeS / 60).toFixed(1)}m`,
    ]),
  ];
}
