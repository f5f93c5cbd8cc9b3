import { apiErrors } from '../api-error.ts';
import type { OrderView } from '../exchange/exchange.ts';
import {
  type Endpoint,
  type EndpointContext,
  optionalInstrument,
  requireInstrument,
  weightBySymbol,
} from './endpoint.ts';
import { isReduceOnlyOrder, parseNewOrder, parseOrderReference } from './new-order-params.ts';
import { orderToWire, tradeToWire } from './order-wire-format.ts';
import type { RequestParams } from './request-params.ts';

/**
 * Signed order endpoints (reference §2.3, §2.5).
 */

/**
 * `newOrderRespType` (§2.5): ACK, the default, answers with the order as accepted (NEW, nothing
 * executed) even when it filled at once, so fills must be read from the user stream or a query, as
 * on Binance; RESULT answers with the state after matching (FILLED, EXPIRED…).
 */
export function newOrderReply(order: OrderView, params: RequestParams): unknown {
  if (params.optionalChoice('newOrderRespType', ['ACK', 'RESULT']) === 'RESULT') return orderToWire(order, 'reply');
  const accepted: OrderView = {
    ...order,
    status: 'NEW',
    executedQty: 0n,
    cumQuote: 0n,
    avgPrice: 0n,
    updateTime: order.time,
  };
  return orderToWire(accepted, 'reply');
}

function timeWindow(params: RequestParams, maxLimit: number): { startTime?: number; endTime?: number; limit: number } {
  const startTime = params.optionalInteger('startTime');
  const endTime = params.optionalInteger('endTime');
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    throw apiErrors.invalidParameter('startTime', 'startTime must be before endTime');
  }
  const limit = params.optionalInteger('limit', { min: 1, max: maxLimit }) ?? 500;
  return { ...(startTime !== undefined && { startTime }), ...(endTime !== undefined && { endTime }), limit };
}

function placeOrder(context: EndpointContext): unknown {
  const order = context.exchange.placeOrder(parseNewOrder(context.params, context.market));
  return newOrderReply(order, context.params);
}

export const ORDER_ENDPOINTS: readonly Endpoint[] = [
  {
    method: 'POST',
    path: '/fapi/v1/order',
    security: 'TRADE',
    // IP weight 0; 1 on each order window (§2.8).
    weight: 0,
    orders10s: 1,
    orders1m: 1,
    isOrderMutation: true,
    isReduceOnly: isReduceOnlyOrder,
    handle: placeOrder,
  },
  {
    method: 'GET',
    path: '/fapi/v1/order',
    security: 'USER_DATA',
    weight: 1,
    handle: (context) => {
      const instrument = requireInstrument(context);
      const order = context.exchange.queryOrder(instrument.symbol, parseOrderReference(context.params));
      return orderToWire(order, 'query');
    },
  },
  {
    method: 'DELETE',
    path: '/fapi/v1/order',
    security: 'TRADE',
    weight: 1,
    isOrderMutation: true,
    handle: (context) => {
      const instrument = requireInstrument(context);
      const order = context.exchange.cancelOrder(instrument.symbol, parseOrderReference(context.params));
      return orderToWire(order, 'reply');
    },
  },
  {
    method: 'GET',
    path: '/fapi/v1/openOrder',
    security: 'USER_DATA',
    weight: 1,
    handle: (context) => {
      const instrument = requireInstrument(context);
      const order = context.exchange.queryOpenOrder(instrument.symbol, parseOrderReference(context.params));
      return orderToWire(order, 'query');
    },
  },
  {
    method: 'GET',
    path: '/fapi/v1/openOrders',
    security: 'USER_DATA',
    // 1 with a symbol, 40 without (§2.3).
    weight: weightBySymbol(1, 40),
    handle: (context) => {
      const instrument = optionalInstrument(context);
      return context.exchange.openOrders(instrument?.symbol).map((order) => orderToWire(order, 'query'));
    },
  },
  {
    method: 'DELETE',
    path: '/fapi/v1/allOpenOrders',
    security: 'TRADE',
    weight: 1,
    isOrderMutation: true,
    handle: (context) => {
      const instrument = requireInstrument(context);
      context.exchange.cancelAllOpenOrders(instrument.symbol);
      return { code: 200, msg: 'The operation of cancel all open order is done.' };
    },
  },
  {
    method: 'GET',
    path: '/fapi/v1/allOrders',
    security: 'USER_DATA',
    weight: 5,
    handle: (context) => {
      const instrument = requireInstrument(context);
      const orderId = context.params.optionalInteger('orderId', { min: 0 });
      const orders = context.exchange.allOrders(instrument.symbol, {
        ...timeWindow(context.params, 1000),
        ...(orderId !== undefined && { orderId }),
      });
      return orders.map((order) => orderToWire(order, 'query'));
    },
  },
  {
    method: 'GET',
    path: '/fapi/v1/userTrades',
    security: 'USER_DATA',
    weight: 5,
    handle: (context) => {
      const instrument = requireInstrument(context);
      // Binance also filters by orderId; the exchange contract has no such range field, so filter here.
      const orderId = context.params.optionalInteger('orderId', { min: 0 });
      const fromId = context.params.optionalInteger('fromId', { min: 0 });
      const trades = context.exchange.userTrades(instrument.symbol, {
        ...timeWindow(context.params, 1000),
        ...(fromId !== undefined && { fromId }),
      });
      return trades.filter((trade) => orderId === undefined || trade.orderId === orderId).map(tradeToWire);
    },
  },
];
