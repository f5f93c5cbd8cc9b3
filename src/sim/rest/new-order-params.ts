import { ApiError, apiErrors } from '../api-error.ts';
import type { NewOrderRequest, OrderReference } from '../exchange/exchange.ts';
import type { MarketFeed } from '../market/market-feed.ts';
import type { RequestParams } from './request-params.ts';

/**
 * Syntax checks of a new order (reference §2.5) shared by POST /order and each element of POST
 * /batchOrders. Decimals are parsed to Fixed (-1100 / -1111), booleans must be "true"/"false", enum
 * values stay raw strings because the exchange owns -1116/-1117/-1115/-4120.
 */

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function parseNewOrder(params: RequestParams, market: MarketFeed): NewOrderRequest {
  const symbol = params.requiredString('symbol');
  if (market.instrument(symbol) === undefined) throw apiErrors.badSymbol();
  const request: Mutable<NewOrderRequest> = {
    symbol,
    side: params.requiredString('side'),
    type: params.requiredString('type'),
    reduceOnly: params.optionalBoolean('reduceOnly') ?? false,
  };
  const timeInForce = params.optionalString('timeInForce');
  if (timeInForce !== undefined) request.timeInForce = timeInForce;
  const quantity = params.optionalDecimal('quantity');
  if (quantity !== undefined) request.quantity = quantity;
  const price = params.optionalDecimal('price');
  if (price !== undefined) request.price = price;
  const newClientOrderId = params.optionalString('newClientOrderId');
  if (newClientOrderId !== undefined) request.newClientOrderId = newClientOrderId;
  const positionSide = params.optionalString('positionSide');
  if (positionSide !== undefined) request.positionSide = positionSide;
  const stopPrice = params.optionalDecimal('stopPrice');
  if (stopPrice !== undefined) request.stopPrice = stopPrice;
  const closePosition = params.optionalBoolean('closePosition');
  if (closePosition !== undefined) request.closePosition = closePosition;
  const priceMatch = params.optionalString('priceMatch');
  if (priceMatch !== undefined) request.priceMatch = priceMatch;
  const selfTradePreventionMode = params.optionalString('selfTradePreventionMode');
  if (selfTradePreventionMode !== undefined) request.selfTradePreventionMode = selfTradePreventionMode;
  const goodTillDate = params.optionalInteger('goodTillDate');
  if (goodTillDate !== undefined) request.goodTillDate = goodTillDate;

  // Parameters the simulator does not act on, still checked so a malformed value fails like on Binance.
  params.optionalChoice('newOrderRespType', ['ACK', 'RESULT']);
  params.optionalChoice('workingType', ['MARK_PRICE', 'CONTRACT_PRICE']);
  params.optionalBoolean('priceProtect', { caseInsensitive: true });
  params.optionalDecimal('activationPrice');
  params.optionalDecimal('callbackRate');
  return request;
}

/** Raw check for the fault gate: Binance exempts reduce-only and close-position orders from -1008. */
export function isReduceOnlyOrder(params: RequestParams): boolean {
  return params.optionalString('reduceOnly') === 'true' || params.optionalString('closePosition') === 'true';
}

/** `orderId` or `origClientOrderId`, one of them mandatory (§2.3 DELETE /order). */
export function parseOrderReference(params: RequestParams): OrderReference {
  const orderId = params.optionalInteger('orderId', { min: 0 });
  const origClientOrderId = params.optionalString('origClientOrderId');
  if (orderId !== undefined) {
    return origClientOrderId !== undefined ? { orderId, origClientOrderId } : { orderId };
  }
  if (origClientOrderId !== undefined) return { origClientOrderId };
  throw new ApiError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
}
