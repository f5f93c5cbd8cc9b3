import type { OrderView, TradeView } from '../exchange/exchange.ts';
import { formatBalance, formatPlain, formatPrice, formatQty, formatQuote } from './wire-decimals.ts';

/**
 * Order and trade objects as `/fapi/v1/order` & co. send them (reference §2.5; key order from the
 * captured fixtures 1 and 3). New/cancel replies carry `cumQty` and no `time`; queries (GET order,
 * openOrder, openOrders, allOrders) carry `time` before `updateTime` and no `cumQty`.
 */

export type OrderWireShape = 'reply' | 'query';

export function orderToWire(order: OrderView, shape: OrderWireShape): Record<string, unknown> {
  const instrument = order.instrument;
  const wire: Record<string, unknown> = {
    orderId: order.orderId,
    symbol: order.symbol,
    status: order.status,
    clientOrderId: order.clientOrderId,
    price: formatPrice(instrument, order.price),
    avgPrice: formatPrice(instrument, order.avgPrice),
    origQty: formatQty(instrument, order.origQty),
    executedQty: formatQty(instrument, order.executedQty),
  };
  if (shape === 'reply') wire.cumQty = formatQty(instrument, order.executedQty);
  Object.assign(wire, {
    cumQuote: formatQuote(instrument, order.cumQuote),
    timeInForce: order.timeInForce,
    type: order.type,
    reduceOnly: order.reduceOnly,
    closePosition: false,
    side: order.side,
    // One-way mode only (exchange contract).
    positionSide: 'BOTH',
    stopPrice: formatPrice(instrument, 0n),
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: order.type,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'NONE',
    goodTillDate: 0,
  });
  if (shape === 'query') wire.time = order.time;
  wire.updateTime = order.updateTime;
  return wire;
}

/** A `/fapi/v1/userTrades` row (fixture 7). */
export function tradeToWire(trade: TradeView): Record<string, unknown> {
  const instrument = trade.instrument;
  return {
    symbol: trade.symbol,
    id: trade.id,
    orderId: trade.orderId,
    side: trade.side,
    price: formatPrice(instrument, trade.price),
    qty: formatQty(instrument, trade.qty),
    realizedPnl: formatPlain(trade.realizedPnl),
    marginAsset: 'USDT',
    quoteQty: formatQuote(instrument, trade.quoteQty),
    commission: formatBalance(trade.commission),
    commissionAsset: trade.commissionAsset,
    time: trade.time,
    positionSide: 'BOTH',
    maker: trade.maker,
    buyer: trade.buyer,
  };
}
