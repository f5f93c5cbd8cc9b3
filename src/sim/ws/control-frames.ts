/**
 * JSON control frames of the market-stream endpoints (reference §3.1; Binance "Live Subscribing/
 * Unsubscribing to streams"). Binance answers a bad frame with an error object and keeps the socket
 * open; its codes are 0 unknown property, 1 invalid value type, 2 invalid request, 3 invalid JSON.
 */

export type RequestId = number | string | null;

export type ControlCommand =
  | { readonly method: 'SUBSCRIBE'; readonly id: RequestId; readonly params: readonly string[] }
  | { readonly method: 'UNSUBSCRIBE'; readonly id: RequestId; readonly params: readonly string[] }
  | { readonly method: 'LIST_SUBSCRIPTIONS'; readonly id: RequestId }
  | { readonly method: 'SET_PROPERTY'; readonly id: RequestId; readonly combined: boolean }
  | { readonly method: 'GET_PROPERTY'; readonly id: RequestId };

export type ControlErrorCode = 0 | 1 | 2 | 3;

export interface ControlError {
  readonly method: 'ERROR';
  readonly id: RequestId;
  readonly code: ControlErrorCode;
  readonly msg: string;
}

const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'] as const;
type Method = (typeof METHODS)[number];

export function parseControlFrame(text: string): ControlCommand | ControlError {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return error(null, 3, 'Invalid JSON: expected value at line 1 column 1');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return error(null, 2, 'Invalid request: expected an object');
  }
  const record = frame as Record<string, unknown>;
  const id = record.id ?? null;
  if (!isRequestId(id)) return error(null, 2, 'Invalid request: request ID must be an unsigned integer');
  const method = record.method;
  if (method === undefined) return error(id, 2, 'Invalid request: missing field `method`');
  if (typeof method !== 'string' || !isMethod(method)) {
    return error(
      id,
      2,
      `Invalid request: unknown variant ${JSON.stringify(String(method))}, expected one of ${METHODS.join(', ')}`,
    );
  }
  const params = record.params;
  switch (method) {
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      if (!Array.isArray(params) || params.length === 0) {
        return error(id, 2, 'Invalid request: params must be a non-empty array of stream names');
      }
      if (!params.every((param): param is string => typeof param === 'string')) {
        return error(id, 2, 'Invalid request: stream names must be strings');
      }
      return { method, id, params };
    }
    case 'LIST_SUBSCRIPTIONS':
      return { method, id };
    case 'SET_PROPERTY': {
      if (!Array.isArray(params) || params.length !== 2) {
        return error(id, 2, 'Invalid request: SET_PROPERTY takes [property, value]');
      }
      const [property, value] = params as unknown[];
      if (typeof property !== 'string') return error(id, 2, 'Invalid request: property name must be a string');
      if (property !== 'combined') return error(id, 0, 'Unknown property');
      if (typeof value !== 'boolean') return error(id, 1, 'Invalid value type: expected Boolean');
      return { method, id, combined: value };
    }
    case 'GET_PROPERTY': {
      if (!Array.isArray(params) || params.length !== 1) {
        return error(id, 2, 'Invalid request: GET_PROPERTY takes [property]');
      }
      const [property] = params as unknown[];
      if (typeof property !== 'string') return error(id, 2, 'Invalid request: property name must be a string');
      if (property !== 'combined') return error(id, 0, 'Unknown property');
      return { method, id };
    }
    default: {
      const unreachable: never = method;
      return unreachable;
    }
  }
}

/** `{"error":{"code":…,"msg":…},"id":…}`: the shape Binance's stream servers send. */
export function renderControlError(failure: ControlError): string {
  return JSON.stringify({ error: { code: failure.code, msg: failure.msg }, id: failure.id });
}

export function renderControlResult(result: unknown, id: RequestId): string {
  return JSON.stringify({ result, id });
}

function error(id: RequestId, code: ControlErrorCode, msg: string): ControlError {
  return { method: 'ERROR', id, code, msg };
}

function isMethod(value: string): value is Method {
  return (METHODS as readonly string[]).includes(value);
}

/** Binance documents an unsigned integer; clients also send strings, which it echoes. Absent = null. */
function isRequestId(value: unknown): value is RequestId {
  if (value === null) return true;
  if (typeof value === 'string') return value.length <= 64;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
