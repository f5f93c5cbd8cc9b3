import { describe, expect, it } from 'vitest';
import { errorFromHttp, errorFromTransport, UNKNOWN_ERROR_MESSAGE } from './rest-error-mapping.ts';

const order = { endpoint: 'POST /fapi/v1/order', mutation: true, clientOrderId: 'ym-1' };
const read = { endpoint: 'GET /fapi/v3/account', mutation: false };
const body = (code: number, msg: string) => JSON.stringify({ code, msg });
const http = (status: number, text: string, retryAfter?: string) => ({
  status,
  body: text,
  retryAfter,
  now: 1_767_225_600_000,
  offsetMs: 500,
});

describe('errorFromHttp', () => {
  it.each([
    [503, body(-1000, UNKNOWN_ERROR_MESSAGE), 'EXCHANGE_UNKNOWN_OUTCOME', 'EXCHANGE_UNAVAILABLE'],
    [503, body(-1000, 'Service Unavailable.'), 'EXCHANGE_UNAVAILABLE', 'EXCHANGE_UNAVAILABLE'],
    [
      503,
      body(-1001, 'Internal error; unable to process your request. Please try again.'),
      'EXCHANGE_UNAVAILABLE',
      'EXCHANGE_UNAVAILABLE',
    ],
    [503, body(-1008, 'Request throttled by system-level protection.'), 'EXCHANGE_UNAVAILABLE', 'EXCHANGE_UNAVAILABLE'],
    [504, '<html><h1>504 Gateway Time-out</h1></html>', 'EXCHANGE_UNKNOWN_OUTCOME', 'EXCHANGE_UNAVAILABLE'],
    [504, '', 'EXCHANGE_UNKNOWN_OUTCOME', 'EXCHANGE_UNAVAILABLE'],
    [
      408,
      body(-1007, 'Timeout waiting for response from backend server.'),
      'EXCHANGE_UNKNOWN_OUTCOME',
      'EXCHANGE_UNAVAILABLE',
    ],
    [500, body(-1000, 'Request occur unknown error.'), 'EXCHANGE_UNKNOWN_OUTCOME', 'EXCHANGE_UNAVAILABLE'],
    [400, body(-2019, 'Margin is insufficient.'), 'EXCHANGE_REJECTED', 'EXCHANGE_REJECTED'],
    [
      401,
      body(-2015, 'Invalid API-key, IP, or permissions for action.'),
      'EXCHANGE_AUTHENTICATION',
      'EXCHANGE_AUTHENTICATION',
    ],
    [400, body(-2014, 'API-key format invalid.'), 'EXCHANGE_AUTHENTICATION', 'EXCHANGE_AUTHENTICATION'],
    [
      400,
      body(-1022, 'Signature for this request is not valid.'),
      'EXCHANGE_AUTHENTICATION',
      'EXCHANGE_AUTHENTICATION',
    ],
    [403, '<html>WAF</html>', 'EXCHANGE_BAD_RESPONSE', 'EXCHANGE_BAD_RESPONSE'],
  ])('HTTP %i %s → %s on an order, %s on a read', (status, text, onOrder, onRead) => {
    expect(errorFromHttp(http(status, text), order).code).toBe(onOrder);
    expect(errorFromHttp(http(status, text), read).code).toBe(onRead);
  });

  it('rejection → Binance code and message, the client order id, the endpoint without a query', () => {
    const error = errorFromHttp(http(400, body(-4014, 'Price not increased by tick size.')), order);
    expect(error.details).toMatchObject({
      httpStatus: 400,
      venueCode: -4014,
      venueMessage: 'Price not increased by tick size.',
      clientOrderId: 'ym-1',
      endpoint: 'POST /fapi/v1/order',
    });
  });

  it('429 → RATE_LIMITED for Retry-After (60 s when absent)', () => {
    const error = errorFromHttp(http(429, body(-1003, 'Too many requests'), '17'), read);
    expect(error.code).toBe('EXCHANGE_RATE_LIMITED');
    expect(error.details).toMatchObject({ retryAfterMs: 17_000, until: 1_767_225_617_000 });
    expect(errorFromHttp(http(429, body(-1003, 'Too many requests')), read).details.retryAfterMs).toBe(60_000);
  });

  it('418 → IP_BANNED until the quoted venue time, converted to the local clock', () => {
    const error = errorFromHttp(
      http(418, body(-1003, 'Way too many requests; IP banned until 1767225720000. Please…'), '120'),
      read,
    );
    expect(error.code).toBe('EXCHANGE_IP_BANNED');
    expect(error.details.until).toBe(1_767_225_720_500);
    expect(error.details.retryAfterMs).toBe(120_500);
    const fallback = errorFromHttp(http(418, body(-1003, 'banned'), '300'), read);
    expect(fallback.details.until).toBe(1_767_225_900_000);
  });
});

describe('errorFromTransport', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  const reset = Object.assign(new Error('other side closed'), {
    code: 'UND_ERR_SOCKET',
    cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
  });

  it('timeout → UNKNOWN_OUTCOME on an order, NETWORK on a read', () => {
    expect(errorFromTransport(new Error('aborted'), order, 5000).code).toBe('EXCHANGE_UNKNOWN_OUTCOME');
    expect(errorFromTransport(new Error('aborted'), read, 5000).code).toBe('EXCHANGE_NETWORK');
  });

  it('reset → UNKNOWN_OUTCOME on an order; refused (never sent) → NETWORK even on an order', () => {
    expect(errorFromTransport(reset, order, undefined).code).toBe('EXCHANGE_UNKNOWN_OUTCOME');
    expect(errorFromTransport(reset, order, undefined).message).toContain('ECONNRESET');
    expect(errorFromTransport(refused, order, undefined).code).toBe('EXCHANGE_NETWORK');
  });

  it('the cause keeps only the error code, never the transport’s text', () => {
    const leaky = Object.assign(new Error('GET /x?signature=abc failed'), { code: 'ECONNRESET' });
    const error = errorFromTransport(leaky, read, undefined);
    expect(JSON.stringify({ message: error.message, cause: error.cause })).not.toContain('signature');
  });
});
