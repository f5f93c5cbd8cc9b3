import type { OrderRef, OrderRequest } from '../../../domain/order.ts';
import { formatFixedTrimmed } from '../../../lib/fixed.ts';

/**
 * Order parameters as Binance reads them (reference §2.5). Decimals are formatted exactly from
 * `Fixed` (§5: never `String(number)`, which can yield "1e-7"); trimmed formatting is exact, so the
 * venue's tick and step checks see the value the engine chose.
 */

/** The signed query of `POST /fapi/v1/order` (timestamp, recvWindow and signature are appended later). */
export function newOrderQuery(request: OrderRequest): string {
  let query = `symbol=${encodeURIComponent(request.symbol)}&side=${request.side}&type=${request.type}&quantity=${formatFixedTrimmed(request.quantity)}`;
  if (request.price !== undefined) query += `&price=${formatFixedTrimmed(request.price)}`;
  if (request.timeInForce !== undefined) query += `&timeInForce=${request.timeInForce}`;
  else if (request.type === 'LIMIT') query += '&timeInForce=GTC';
  if (request.reduceOnly) query += '&reduceOnly=true';
  // RESULT: MARKET and IOC/FOK orders come back in their final state, not just accepted (§2.5).
  return `${query}&newClientOrderId=${encodeURIComponent(request.clientOrderId)}&newOrderRespType=RESULT`;
}

/** One `batchOrders` element: every value a JSON string (Binance's rule for batches). */
export function batchOrderElement(request: OrderRequest): Record<string, string> {
  const element: Record<string, string> = {
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    quantity: formatFixedTrimmed(request.quantity),
  };
  if (request.price !== undefined) element.price = formatFixedTrimmed(request.price);
  if (request.timeInForce !== undefined) element.timeInForce = request.timeInForce;
  else if (request.type === 'LIMIT') element.timeInForce = 'GTC';
  if (request.reduceOnly) element.reduceOnly = 'true';
  element.newClientOrderId = request.clientOrderId;
  element.newOrderRespType = 'RESULT';
  return element;
}

/** `orderId` wins when both are given (Binance's own precedence for query and cancel). */
export function orderRefQuery(symbol: string, ref: OrderRef): string {
  const base = `symbol=${encodeURIComponent(symbol)}`;
  if (ref.orderId !== undefined) return `${base}&orderId=${ref.orderId}`;
  if (ref.clientOrderId !== undefined) return `${base}&origClientOrderId=${encodeURIComponent(ref.clientOrderId)}`;
  throw new RangeError('an order reference needs an orderId or a clientOrderId');
}
