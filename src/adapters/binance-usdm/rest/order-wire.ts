import { z } from 'zod';
import type { FillReport, OrderReport, OrderSide, VenueOrderStatus } from '../../../domain/order.ts';
import { booleanFlag, decimal, integer, parseWireDecimal } from './wire-fields.ts';

/**
 * Order and trade replies (`/fapi/v1/order`, `openOrders`, `batchOrders`, `userTrades`; reference
 * §2.5, fixtures 1–3 and 7), validated once here and mapped to domain reports. Only the fields the
 * engine reads are checked; the rest (stopPrice, workingType, …) may come and go.
 */

const KNOWN_STATUSES: ReadonlySet<string> = new Set<VenueOrderStatus>([
  'NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'REJECTED',
  'EXPIRED',
  'EXPIRED_IN_MATCH',
]);

const side = z.enum(['BUY', 'SELL']);

export const orderWireSchema = z.object({
  orderId: integer,
  symbol: z.string(),
  status: z.string(),
  clientOrderId: z.string(),
  price: decimal,
  // Connector 34.0.0 dropped avgPrice from some reply schemas (§2.5): optional.
  avgPrice: decimal.optional(),
  origQty: decimal,
  executedQty: decimal,
  timeInForce: z.string(),
  type: z.string(),
  reduceOnly: booleanFlag,
  side,
  updateTime: integer,
});

export type OrderWire = z.output<typeof orderWireSchema>;

function readInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  return typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : undefined;
}

function readDecimal(value: unknown): bigint | undefined {
  return typeof value === 'string' ? parseWireDecimal(value) : undefined;
}

function readBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/**
 * The checks of `orderWireSchema` without zod's allocations, for the order hot path (every
 * placeOrder reply). undefined when anything is off: the caller then runs the schema for its message.
 */
export function readOrderWire(value: unknown): OrderWire | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const { symbol, status, clientOrderId, timeInForce, type, side } = record;
  const orderId = readInteger(record.orderId);
  const updateTime = readInteger(record.updateTime);
  const price = readDecimal(record.price);
  const origQty = readDecimal(record.origQty);
  const executedQty = readDecimal(record.executedQty);
  const avgPrice = record.avgPrice === undefined ? undefined : readDecimal(record.avgPrice);
  const reduceOnly = readBoolean(record.reduceOnly);
  if (
    orderId === undefined ||
    updateTime === undefined ||
    price === undefined ||
    origQty === undefined ||
    executedQty === undefined ||
    reduceOnly === undefined ||
    (record.avgPrice !== undefined && avgPrice === undefined) ||
    typeof symbol !== 'string' ||
    typeof status !== 'string' ||
    typeof clientOrderId !== 'string' ||
    typeof timeInForce !== 'string' ||
    typeof type !== 'string' ||
    (side !== 'BUY' && side !== 'SELL')
  ) {
    return undefined;
  }
  return {
    orderId,
    symbol,
    status,
    clientOrderId,
    price,
    ...(avgPrice !== undefined && { avgPrice }),
    origQty,
    executedQty,
    timeInForce,
    type,
    reduceOnly,
    side,
    updateTime,
  };
}

/** Maps a validated order; `onUnknownStatus` is told about a status this adapter does not know. */
export function toOrderReport(wire: OrderWire, onUnknownStatus: (status: string) => void): OrderReport {
  const known = KNOWN_STATUSES.has(wire.status);
  if (!known) onUnknownStatus(wire.status);
  return {
    symbol: wire.symbol,
    orderId: wire.orderId,
    clientOrderId: wire.clientOrderId,
    side: wire.side,
    type: wire.type,
    timeInForce: wire.timeInForce,
    status: known ? (wire.status as VenueOrderStatus) : 'UNKNOWN',
    rawStatus: wire.status,
    price: wire.price,
    origQty: wire.origQty,
    executedQty: wire.executedQty,
    ...(wire.avgPrice !== undefined && { avgPrice: wire.avgPrice }),
    reduceOnly: wire.reduceOnly,
    updateTime: wire.updateTime,
  };
}

export const orderListSchema = z.array(orderWireSchema);

/** A batchOrders reply: each element is the order or its own `{code, msg}` (§2.3). */
export const batchElementSchema = z.union([orderWireSchema, z.object({ code: integer, msg: z.string() })]);
export const batchReplySchema = z.array(batchElementSchema);

export const tradeWireSchema = z.object({
  symbol: z.string(),
  id: integer,
  orderId: integer,
  side,
  price: decimal,
  qty: decimal,
  realizedPnl: decimal,
  commission: decimal,
  commissionAsset: z.string(),
  time: integer,
  maker: booleanFlag,
});

export const tradeListSchema = z.array(tradeWireSchema);

export function toFillReport(wire: z.output<typeof tradeWireSchema>): FillReport {
  return {
    symbol: wire.symbol,
    tradeId: wire.id,
    orderId: wire.orderId,
    side: wire.side satisfies OrderSide,
    price: wire.price,
    qty: wire.qty,
    commission: wire.commission,
    commissionAsset: wire.commissionAsset,
    realizedPnl: wire.realizedPnl,
    maker: wire.maker,
    time: wire.time,
  };
}

/** `DELETE /fapi/v1/allOpenOrders`: `{"code":200,"msg":"The operation of cancel all open order is done."}`. */
export const cancelAllReplySchema = z.object({ code: integer, msg: z.string() });
