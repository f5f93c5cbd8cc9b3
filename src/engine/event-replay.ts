import type { OrderSide } from '../domain/order.ts';
import type { LocalOrderState } from '../domain/order-transitions.ts';
import { applyFill, flatPosition, type Position } from '../domain/position.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import type { StoredEventRecord } from '../ports/store.ts';

/** An order as the event log tells it: when it was created, why, and the state it ended in. */
export interface ReplayedOrder {
  readonly clientOrderId: string;
  /** Undefined when the log has transitions but not the OrderCreated event (e.g. a truncated range). */
  readonly purpose: string | undefined;
  readonly state: LocalOrderState;
  readonly createdAt: number | undefined;
  readonly updatedAt: number;
  /** Number of OrderStateChanged events applied. */
  readonly transitions: number;
}

const ORDER_STATES: ReadonlySet<string> = new Set<LocalOrderState>([
  'PENDING_SUBMIT',
  'SUBMITTED',
  'UNKNOWN',
  'OPEN',
  'PARTIALLY_FILLED',
  'PENDING_CANCEL',
  'FILLED',
  'CANCELED',
  'EXPIRED',
  'REJECTED',
  'NOT_PLACED',
]);

/**
 * Rebuilds positions from the event log (issue 4 point 5: the positions table is a projection of the
 * log). FillRecorded events move a position exactly as the OrderTracker did (`applyFill`), in log
 * order; PositionAdopted sets the amount reconciliation adopted from the exchange.
 *
 * PositionAdopted records the amounts, the adopted entry price and the realized PnL; events from
 * before those were recorded replay with entry price 0 (unknown).
 */
export function replayPositions(events: readonly StoredEventRecord[]): Map<string, Position> {
  const positions = new Map<string, Position>();
  for (const event of events) {
    if (event.type === 'FillRecorded') {
      const symbol = text(event, 'symbol');
      const position = positions.get(symbol) ?? flatPosition(symbol);
      positions.set(symbol, applyFill(position, side(event), fixed(event, 'qty'), fixed(event, 'price')));
    } else if (event.type === 'PositionAdopted') {
      const symbol = text(event, 'symbol');
      const previous = positions.get(symbol) ?? flatPosition(symbol);
      const amount = fixed(event, 'to');
      // Events written before entryPrice/realizedPnl were recorded replay with entry 0 (unknown).
      const entryPrice = typeof event.payload.entryPrice === 'bigint' ? event.payload.entryPrice : 0n;
      const realizedPnl =
        typeof event.payload.realizedPnl === 'bigint' ? event.payload.realizedPnl : previous.realizedPnl;
      positions.set(symbol, { symbol, amount, entryPrice, realizedPnl });
    }
  }
  return positions;
}

/** Each order's final state from OrderCreated and OrderStateChanged events, in log order. */
export function replayOrders(events: readonly StoredEventRecord[]): Map<string, ReplayedOrder> {
  const orders = new Map<string, ReplayedOrder>();
  for (const event of events) {
    if (event.type === 'OrderCreated') {
      const clientOrderId = text(event, 'clientOrderId');
      orders.set(clientOrderId, {
        clientOrderId,
        purpose: text(event, 'purpose'),
        state: 'PENDING_SUBMIT',
        createdAt: event.at,
        updatedAt: event.at,
        transitions: 0,
      });
    } else if (event.type === 'OrderStateChanged') {
      const clientOrderId = text(event, 'clientOrderId');
      const to = text(event, 'to');
      if (!ORDER_STATES.has(to)) throw invalid(event, 'to', `${JSON.stringify(to)} is not an order state`);
      const previous = orders.get(clientOrderId);
      orders.set(clientOrderId, {
        clientOrderId,
        purpose: previous?.purpose,
        state: to as LocalOrderState,
        createdAt: previous?.createdAt,
        updatedAt: event.at,
        transitions: (previous?.transitions ?? 0) + 1,
      });
    }
  }
  return orders;
}

function text(event: StoredEventRecord, field: string): string {
  const value = event.payload[field];
  if (typeof value !== 'string' || value === '') throw invalid(event, field, 'expected a non-empty string');
  return value;
}

/** Fixed values come back from the store's payload codec as bigint. */
function fixed(event: StoredEventRecord, field: string): bigint {
  const value = event.payload[field];
  if (typeof value !== 'bigint') throw invalid(event, field, 'expected an exact decimal (bigint)');
  return value;
}

function side(event: StoredEventRecord): OrderSide {
  const value = event.payload.side;
  if (value !== 'BUY' && value !== 'SELL') throw invalid(event, 'side', 'expected BUY or SELL');
  return value;
}

/** A malformed event is reported with its sequence number, never replayed as a guess. */
function invalid(event: StoredEventRecord, field: string, problem: string): YunminError {
  return new YunminError('REPLAY_INVALID_EVENT', `event ${event.seq} (${event.type}): ${field}: ${problem}`);
}
