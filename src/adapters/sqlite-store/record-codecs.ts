import type { EquityBaseline } from '../../domain/equity-baseline.ts';
import type { KillSwitchRecord } from '../../domain/kill-switch-record.ts';
import type { FillReport, OrderSide, OrderType, TimeInForce } from '../../domain/order.ts';
import { type LocalOrderState, ORDER_TRANSITIONS } from '../../domain/order-transitions.ts';
import type { Position } from '../../domain/position.ts';
import type { TrackedOrder } from '../../domain/tracked-order.ts';
import type { TradingState } from '../../domain/trading-state.ts';
import { type Fixed, formatFixedTrimmed } from '../../lib/fixed.ts';
import type { TradingStateRecord } from '../../ports/store.ts';
import { RowReader } from './row-reader.ts';

/**
 * Domain records ⇄ SQLite rows. Writers turn Fixed into trimmed decimal TEXT and absent optionals
 * into NULL; readers check every column (RowReader) and rebuild optionals as ABSENT properties, not
 * `undefined`, so a round trip is exact under exactOptionalPropertyTypes.
 */
type SqlValue = string | number | null;
export type SqlRow = Record<string, SqlValue>;

const SIDES: readonly OrderSide[] = ['BUY', 'SELL'];
const ORDER_TYPES: readonly OrderType[] = ['LIMIT', 'MARKET'];
const TIMES_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'GTX'];
const ORDER_STATES = Object.keys(ORDER_TRANSITIONS) as LocalOrderState[];
const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];

const decimal = (value: Fixed): string => formatFixedTrimmed(value);
const optionalDecimal = (value: Fixed | undefined): string | null => (value === undefined ? null : decimal(value));

export function orderToRow(order: TrackedOrder): SqlRow {
  return {
    client_order_id: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    quantity: decimal(order.quantity),
    price: optionalDecimal(order.price),
    time_in_force: order.timeInForce ?? null,
    reduce_only: order.reduceOnly ? 1 : 0,
    state: order.state,
    venue_order_id: order.venueOrderId ?? null,
    executed_qty: decimal(order.executedQty),
    avg_price: optionalDecimal(order.avgPrice),
    purpose: order.purpose,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    last_error: order.lastError ?? null,
  };
}

export function orderFromRow(row: Readonly<Record<string, unknown>>): TrackedOrder {
  const key = typeof row.client_order_id === 'string' ? row.client_order_id : '?';
  const read = new RowReader('orders', key, row);
  const price = read.optionalFixed('price');
  const timeInForce = read.optionalOneOf('time_in_force', TIMES_IN_FORCE);
  const venueOrderId = read.optionalInteger('venue_order_id');
  const avgPrice = read.optionalFixed('avg_price');
  const lastError = read.optionalString('last_error');
  return {
    clientOrderId: read.string('client_order_id'),
    symbol: read.string('symbol'),
    side: read.oneOf('side', SIDES),
    type: read.oneOf('type', ORDER_TYPES),
    quantity: read.fixed('quantity'),
    ...(price === undefined ? {} : { price }),
    ...(timeInForce === undefined ? {} : { timeInForce }),
    reduceOnly: read.flag('reduce_only'),
    state: read.oneOf('state', ORDER_STATES),
    ...(venueOrderId === undefined ? {} : { venueOrderId }),
    executedQty: read.fixed('executed_qty'),
    ...(avgPrice === undefined ? {} : { avgPrice }),
    purpose: read.string('purpose'),
    createdAt: read.integer('created_at'),
    updatedAt: read.integer('updated_at'),
    ...(lastError === undefined ? {} : { lastError }),
  };
}

export function fillToRow(fill: FillReport): SqlRow {
  return {
    symbol: fill.symbol,
    trade_id: fill.tradeId,
    order_id: fill.orderId,
    client_order_id: fill.clientOrderId ?? null,
    side: fill.side,
    price: decimal(fill.price),
    qty: decimal(fill.qty),
    commission: decimal(fill.commission),
    commission_asset: fill.commissionAsset,
    realized_pnl: decimal(fill.realizedPnl),
    maker: fill.maker ? 1 : 0,
    time: fill.time,
  };
}

export function fillFromRow(row: Readonly<Record<string, unknown>>): FillReport {
  const read = new RowReader('fills', `${String(row.symbol)}/${String(row.trade_id)}`, row);
  const clientOrderId = read.optionalString('client_order_id');
  return {
    symbol: read.string('symbol'),
    tradeId: read.integer('trade_id'),
    orderId: read.integer('order_id'),
    ...(clientOrderId === undefined ? {} : { clientOrderId }),
    side: read.oneOf('side', SIDES),
    price: read.fixed('price'),
    qty: read.fixed('qty'),
    commission: read.fixed('commission'),
    commissionAsset: read.string('commission_asset'),
    realizedPnl: read.fixed('realized_pnl'),
    maker: read.flag('maker'),
    time: read.integer('time'),
  };
}

export function positionToRow(position: Position, updatedAt: number): SqlRow {
  return {
    symbol: position.symbol,
    amount: decimal(position.amount),
    entry_price: decimal(position.entryPrice),
    realized_pnl: decimal(position.realizedPnl),
    updated_at: updatedAt,
  };
}

export function positionFromRow(row: Readonly<Record<string, unknown>>): Position {
  const read = new RowReader('positions', String(row.symbol), row);
  return {
    symbol: read.string('symbol'),
    amount: read.fixed('amount'),
    entryPrice: read.fixed('entry_price'),
    realizedPnl: read.fixed('realized_pnl'),
  };
}

/** The typed singletons kept as JSON in state_records, by row name. */
export const STATE_RECORD_NAMES = {
  tradingState: 'trading_state',
  killSwitch: 'kill_switch',
  equityBaseline: 'equity_baseline',
} as const;

/** Parses a state_records value into a field reader; its column names read "value.<field>". */
export function stateRecordReader(name: string, text: string): RowReader {
  const outer = new RowReader('state_records', name, {});
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw outer.corrupt('value', 'not valid JSON', error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw outer.corrupt('value', 'not a JSON object');
  }
  return new RowReader('state_records', name, parsed as Record<string, unknown>, 'value.');
}

export function tradingStateToJson(record: TradingStateRecord): string {
  return JSON.stringify({
    state: record.state,
    changedAt: record.changedAt,
    changedBy: record.changedBy,
    reason: record.reason,
  });
}

export function tradingStateFromJson(text: string): TradingStateRecord {
  const read = stateRecordReader(STATE_RECORD_NAMES.tradingState, text);
  return {
    state: read.oneOf('state', TRADING_STATES),
    changedAt: read.integer('changedAt'),
    changedBy: read.string('changedBy'),
    reason: read.string('reason'),
  };
}

export function killSwitchToJson(record: KillSwitchRecord): string {
  // Field by field so nothing beyond the contract is stored; JSON.stringify drops undefined optionals.
  if (record.state === 'TRIPPED') {
    return JSON.stringify({ state: record.state, reason: record.reason, at: record.at, by: record.by });
  }
  return JSON.stringify({
    state: record.state,
    releasedAt: record.releasedAt,
    releasedBy: record.releasedBy,
    forced: record.forced,
  });
}

export function killSwitchFromJson(text: string): KillSwitchRecord {
  const read = stateRecordReader(STATE_RECORD_NAMES.killSwitch, text);
  const state = read.oneOf('state', ['ARMED', 'TRIPPED'] as const);
  if (state === 'TRIPPED') {
    return { state, reason: read.string('reason'), at: read.integer('at'), by: read.string('by') };
  }
  const releasedAt = read.optionalInteger('releasedAt');
  const releasedBy = read.optionalString('releasedBy');
  const forced = read.optionalFlag('forced');
  return {
    state,
    ...(releasedAt === undefined ? {} : { releasedAt }),
    ...(releasedBy === undefined ? {} : { releasedBy }),
    ...(forced === undefined ? {} : { forced }),
  };
}

export function equityBaselineToJson(baseline: EquityBaseline): string {
  return JSON.stringify({ day: baseline.day, equity: decimal(baseline.equity), capturedAt: baseline.capturedAt });
}

export function equityBaselineFromJson(text: string): EquityBaseline {
  const read = stateRecordReader(STATE_RECORD_NAMES.equityBaseline, text);
  const day = read.string('day');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw read.corrupt('day', `expected YYYY-MM-DD, got ${JSON.stringify(day)}`);
  return { day, equity: read.fixed('equity'), capturedAt: read.integer('capturedAt') };
}
