import { ApiError, apiErrors } from '../api-error.ts';
import type { OrderReference } from '../exchange/exchange.ts';
import { type Endpoint, type EndpointContext, requireInstrument } from './endpoint.ts';
import { parseNewOrder } from './new-order-params.ts';
import { newOrderReply } from './order-endpoints.ts';
import { orderToWire } from './order-wire-format.ts';
import { RequestParams } from './request-params.ts';

/**
 * POST and DELETE /fapi/v1/batchOrders (reference §2.3). Each element succeeds or fails on its own:
 * the reply is an array holding either the order or its `{code, msg}`, in request order.
 */

const MAX_BATCH_ORDERS = 5;
const MAX_CANCEL_IDS = 10;

function parseJsonParam(params: RequestParams, name: string): unknown {
  const text = params.requiredString(name);
  try {
    return JSON.parse(text);
  } catch {
    throw apiErrors.invalidParameter(name, 'malformed JSON');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every value of a batch element must be a JSON string (Binance's rule for batchOrders). */
function elementParams(element: unknown): RequestParams {
  if (!isRecord(element)) {
    throw apiErrors.invalidParameter('batchOrders', 'each order must be an object');
  }
  const record: Record<string, string> = {};
  for (const [key, value] of Object.entries(element)) {
    if (typeof value !== 'string') throw apiErrors.invalidParameter(key, 'batchOrders values must be strings');
    record[key] = value;
  }
  return RequestParams.fromRecord(record);
}

/** An ApiError becomes this element's `{code,msg}`; anything else is an internal fault and propagates. */
function settle(action: () => unknown): unknown {
  try {
    return action();
  } catch (error) {
    if (error instanceof ApiError) return error.toBody();
    throw error;
  }
}

function placeBatch(context: EndpointContext): unknown {
  const batch = parseJsonParam(context.params, 'batchOrders');
  if (!Array.isArray(batch) || batch.length === 0) throw apiErrors.mandatoryParam('batchOrders');
  if (batch.length > MAX_BATCH_ORDERS) {
    throw apiErrors.invalidParameter('batchOrders', `max ${MAX_BATCH_ORDERS} orders`);
  }
  return batch.map((element: unknown) =>
    settle(() => {
      const params = elementParams(element);
      return newOrderReply(context.exchange.placeOrder(parseNewOrder(params, context.market)), params);
    }),
  );
}

function cancelReferences(context: EndpointContext): OrderReference[] {
  const hasIds = context.params.optionalString('orderIdList') !== undefined;
  const hasClientIds = context.params.optionalString('origClientOrderIdList') !== undefined;
  if (!hasIds && !hasClientIds) {
    throw new ApiError(
      400,
      -1102,
      "Param 'origClientOrderIdList' or 'orderIdList' must be sent, but both were empty/null!",
    );
  }
  const name = hasIds ? 'orderIdList' : 'origClientOrderIdList';
  const list = parseJsonParam(context.params, name);
  if (!Array.isArray(list) || list.length === 0) throw apiErrors.mandatoryParam(name);
  if (list.length > MAX_CANCEL_IDS) throw apiErrors.invalidParameter(name, `max ${MAX_CANCEL_IDS} ids`);
  return list.map((item: unknown): OrderReference => {
    if (hasIds) {
      if (typeof item !== 'number' || !Number.isSafeInteger(item) || item < 0) throw apiErrors.invalidParameter(name);
      return { orderId: item };
    }
    if (typeof item !== 'string' || item === '') throw apiErrors.invalidParameter(name);
    return { origClientOrderId: item };
  });
}

/** Fault-gate hint: the batch is exempt from throttling only if every order is reduce-only. */
function isReduceOnlyBatch(params: RequestParams): boolean {
  try {
    const batch: unknown = JSON.parse(params.optionalString('batchOrders') ?? '[]');
    return (
      Array.isArray(batch) &&
      batch.length > 0 &&
      batch.every(
        (element: unknown) => isRecord(element) && (element.reduceOnly === 'true' || element.closePosition === 'true'),
      )
    );
  } catch {
    return false;
  }
}

export const BATCH_ORDER_ENDPOINTS: readonly Endpoint[] = [
  {
    method: 'POST',
    path: '/fapi/v1/batchOrders',
    security: 'TRADE',
    // 5 IP weight, 5 on the 10 s order window, 1 on the 1 min window (§2.3).
    weight: 5,
    orders10s: 5,
    orders1m: 1,
    isOrderMutation: true,
    isReduceOnly: isReduceOnlyBatch,
    handle: placeBatch,
  },
  {
    method: 'DELETE',
    path: '/fapi/v1/batchOrders',
    security: 'TRADE',
    // Binance's "Cancel Multiple Orders" page gives weight 1 and no order-window cost.
    weight: 1,
    isOrderMutation: true,
    handle: (context) => {
      const instrument = requireInstrument(context);
      return cancelReferences(context).map((reference) =>
        settle(() => orderToWire(context.exchange.cancelOrder(instrument.symbol, reference), 'reply')),
      );
    },
  },
];
