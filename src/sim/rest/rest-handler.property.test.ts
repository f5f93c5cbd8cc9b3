import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS } from './endpoint-table.ts';
import { startTestRestServer, TEST_API_KEY, type TestRestServer } from './rest-test-kit.ts';

/**
 * Robustness (reference §6: bad input never crashes): whatever a client sends — random methods,
 * paths, query strings, bodies and headers, huge or garbage — the answer is JSON, an error is
 * `{code, msg}`, and the server keeps answering.
 */

let sim: TestRestServer;

beforeAll(async () => {
  // Limits high enough that the fuzzing never trips a ban, so every run exercises real routing.
  sim = await startTestRestServer({
    rateLimits: {
      requestWeightPerMinute: 1e9,
      ordersPer10Seconds: 1e9,
      ordersPerMinute: 1e9,
      banBaseMs: 1,
      banMaxMs: 1,
    },
  });
});

afterAll(async () => {
  await sim.stop();
});

interface RawResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

function send(options: {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}): Promise<RawResponse> {
  const url = new URL(sim.baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        headers: options.headers,
        agent: false,
        timeout: 5000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('no answer within 5 s')));
    request.on('error', reject);
    request.end(options.body);
  });
}

const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)) });
const knownPath = fc.constantFrom(...ENDPOINTS.map((endpoint) => endpoint.path), '/_sim', '/fapi/v1', '/');
const pathArbitrary = fc.oneof(
  knownPath,
  fc.array(printable, { maxLength: 4 }).map((segments) => `/${segments.map(encodeURIComponent).join('/')}`),
  knownPath.chain((path) => printable.map((suffix) => `${path}/${encodeURIComponent(suffix)}`)),
);
const paramName = fc.constantFrom(
  'symbol',
  'side',
  'type',
  'quantity',
  'price',
  'timestamp',
  'recvWindow',
  'signature',
  'limit',
  'orderId',
  'batchOrders',
  'orderIdList',
  'reduceOnly',
  'leverage',
  'interval',
  'listenKey',
  'timeInForce',
);
const paramValue = fc.oneof(
  printable,
  fc.constantFrom(
    'BTCUSDT',
    'BUY',
    'LIMIT',
    'GTC',
    '0.001',
    '1e9',
    '-1',
    '',
    '99999999999999999999999',
    '[1,2]',
    '[{}]',
    'true',
  ),
  fc.string({ maxLength: 50 }).map(encodeURIComponent),
);
const queryArbitrary = fc.oneof(
  printable,
  fc
    .array(fc.tuple(paramName, paramValue), { maxLength: 8 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
);
const bodyArbitrary = fc.oneof(
  fc.constant(''),
  queryArbitrary,
  fc.string({ maxLength: 2000 }),
  fc.constantFrom('batchOrders=%5B%7B%22symbol%22%3A1%7D%5D', `batchOrders=${encodeURIComponent('[{"a":"b"},[]]')}`),
);
const headerValue = fc.oneof(
  fc.constant(TEST_API_KEY),
  printable,
  fc.integer({ min: 17_000, max: 40_000 }).map((length) => 'x'.repeat(length)),
);
const methodArbitrary = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  // HEAD answers carry no body and CONNECT opens a tunnel: neither is a REST call.
  fc.stringMatching(/^[A-Z]{1,8}$/).filter((method) => method !== 'HEAD' && method !== 'CONNECT'),
);

describe('REST handler robustness', () => {
  it('random requests → always JSON, errors as {code, msg}, and the server still answers ping', async () => {
    await fc.assert(
      fc.asyncProperty(
        methodArbitrary,
        pathArbitrary,
        queryArbitrary,
        bodyArbitrary,
        fc.option(headerValue, { nil: undefined }),
        fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain; charset=latin1', ''),
        async (method, path, query, body, apiKey, contentType) => {
          const headers: Record<string, string> = {};
          if (apiKey !== undefined) headers['X-MBX-APIKEY'] = apiKey;
          if (contentType !== '') headers['Content-Type'] = contentType;
          const response = await send({ method, path: query === '' ? path : `${path}?${query}`, headers, body });
          expect(response.contentType).toContain('application/json');
          const parsed: unknown = JSON.parse(response.body);
          if (response.status >= 400) {
            expect(parsed).toMatchObject({ code: expect.any(Number), msg: expect.any(String) });
          } else {
            expect(response.status).toBe(200);
          }
        },
      ),
      { numRuns: 300 },
    );
    const ping = await fetch(`${sim.baseUrl}/fapi/v1/ping`);
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({});
  });
});
