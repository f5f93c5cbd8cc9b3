import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Placement,
  signed,
  startTestRestServer,
  TEST_API_KEY,
  TEST_API_SECRET,
  type TestRestServer,
} from './rest-test-kit.ts';

let sim: TestRestServer | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: Parameters<typeof startTestRestServer>[0] = {}): Promise<TestRestServer> {
  sim = await startTestRestServer(options);
  return sim;
}

async function json(response: Response): Promise<unknown> {
  expect(response.headers.get('content-type')).toContain('application/json');
  return response.json();
}

const LIMIT_ORDER = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.010',
  price: '100000.1',
};

describe('REST handler: signing', () => {
  it.each<Placement>(['query', 'body', 'mixed'])(
    'order signed with params in the %s → 200 and the order exists',
    async (placement) => {
      const server = await start();
      const response = await signed(server, 'POST', '/fapi/v1/order', LIMIT_ORDER, { placement });
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({
        symbol: 'BTCUSDT',
        status: 'NEW',
        price: '100000.10',
        origQty: '0.010',
      });
      expect(server.exchange.orders).toHaveLength(1);
    },
  );

  it('no X-MBX-APIKEY → 401 -2014', async () => {
    const server = await start();
    const response = await signed(server, 'GET', '/fapi/v3/account', {}, { apiKey: null });
    expect(response.status).toBe(401);
    expect(await json(response)).toMatchObject({ code: -2014 });
  });

  it('malformed API key → 401 -2014; well-formed but wrong → 401 -2015', async () => {
    const server = await start();
    const malformed = await signed(server, 'GET', '/fapi/v3/account', {}, { apiKey: 'not a key!' });
    expect(malformed.status).toBe(401);
    expect(await json(malformed)).toMatchObject({ code: -2014 });
    const wrong = await signed(server, 'GET', '/fapi/v3/account', {}, { apiKey: 'A'.repeat(64) });
    expect(wrong.status).toBe(401);
    expect(await json(wrong)).toMatchObject({ code: -2015 });
  });

  it('signed with another secret → 400 -1022 and no order is placed', async () => {
    const server = await start();
    const response = await signed(server, 'POST', '/fapi/v1/order', LIMIT_ORDER, { secret: 'other-secret' });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
    expect(server.exchange.orders).toHaveLength(0);
  });

  it('no timestamp → -1102 naming timestamp', async () => {
    const server = await start();
    const response = await signed(server, 'GET', '/fapi/v3/account', {}, { timestamp: null });
    expect(await json(response)).toMatchObject({ code: -1102, msg: expect.stringContaining("'timestamp'") });
  });

  it('timestamp 1000 ms ahead → -1021 "ahead"; 999 ms ahead → accepted', async () => {
    const server = await start();
    const ahead = await signed(server, 'GET', '/fapi/v3/account', {}, { timestamp: server.clock.now() + 1000 });
    expect(await json(ahead)).toEqual({
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
    const justInside = await signed(server, 'GET', '/fapi/v3/account', {}, { timestamp: server.clock.now() + 999 });
    expect(justInside.status).toBe(200);
  });

  it('timestamp older than recvWindow → -1021 "outside"; exactly recvWindow old → accepted', async () => {
    const server = await start();
    const now = server.clock.now();
    const stale = await signed(server, 'GET', '/fapi/v3/account', {}, { timestamp: now - 5001 });
    expect(await json(stale)).toEqual({ code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
    expect((await signed(server, 'GET', '/fapi/v3/account', {}, { timestamp: now - 5000 })).status).toBe(200);
    const wide = await signed(server, 'GET', '/fapi/v3/account', {}, { timestamp: now - 9000, recvWindow: 10_000 });
    expect(wide.status).toBe(200);
  });

  it('recvWindow above 60000 → -1130', async () => {
    const server = await start();
    const response = await signed(server, 'GET', '/fapi/v3/account', {}, { recvWindow: 60_001 });
    expect(await json(response)).toMatchObject({ code: -1130 });
  });

  it('clock-skew fault → the server judges timestamps by its skewed time', async () => {
    const server = await start();
    server.faults.skewMs = -10_000;
    const response = await signed(server, 'GET', '/fapi/v3/account', {});
    expect(await json(response)).toMatchObject({ code: -1021, msg: expect.stringContaining('ahead') });
    const time = (await json(await fetch(`${server.baseUrl}/fapi/v1/time`))) as { serverTime: number };
    expect(time.serverTime).toBe(server.clock.now() - 10_000);
  });

  it('USER_STREAM listenKey → key only, no signature; PUT after DELETE → -1125', async () => {
    const server = await start();
    const url = `${server.baseUrl}/fapi/v1/listenKey`;
    expect(await json(await fetch(url, { method: 'POST' }))).toMatchObject({ code: -2014 });
    const headers = { 'X-MBX-APIKEY': TEST_API_KEY };
    const created = (await json(await fetch(url, { method: 'POST', headers }))) as { listenKey: string };
    expect(server.listenKeys.isActive(created.listenKey)).toBe(true);
    expect(await json(await fetch(url, { method: 'PUT', headers }))).toEqual({ listenKey: created.listenKey });
    expect(await json(await fetch(url, { method: 'DELETE', headers }))).toEqual({});
    expect(server.listenKeys.isActive(created.listenKey)).toBe(false);
    const expired = await fetch(url, { method: 'PUT', headers });
    expect(expired.status).toBe(400);
    expect(await json(expired)).toMatchObject({ code: -1125 });
  });
});

describe('REST handler: rate limits', () => {
  it('every response carries X-MBX-USED-WEIGHT-1M, growing by the endpoint weight', async () => {
    const server = await start();
    const first = await fetch(`${server.baseUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=100`);
    expect(first.headers.get('x-mbx-used-weight-1m')).toBe('5');
    const second = await fetch(`${server.baseUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`);
    expect(second.headers.get('x-mbx-used-weight-1m')).toBe('25');
    const openOrders = await signed(server, 'GET', '/fapi/v1/openOrders', {});
    expect(openOrders.headers.get('x-mbx-used-weight-1m')).toBe('65');
    const missing = await fetch(`${server.baseUrl}/nope`);
    expect(missing.headers.get('x-mbx-used-weight-1m')).toBe('65');
    server.clock.advance(60_000);
    const later = await fetch(`${server.baseUrl}/fapi/v1/ping`);
    expect(later.headers.get('x-mbx-used-weight-1m')).toBe('1');
  });

  it('POST order → IP weight 0, order counts 1 and 1; batchOrders → IP 5, orders 5 and 1', async () => {
    const server = await start();
    const order = await signed(server, 'POST', '/fapi/v1/order', LIMIT_ORDER);
    expect(order.headers.get('x-mbx-used-weight-1m')).toBe('0');
    expect(order.headers.get('x-mbx-order-count-10s')).toBe('1');
    expect(order.headers.get('x-mbx-order-count-1m')).toBe('1');
    const batch = await signed(server, 'POST', '/fapi/v1/batchOrders', {
      batchOrders: JSON.stringify([{ ...LIMIT_ORDER, newClientOrderId: 'b1' }]),
    });
    expect(batch.headers.get('x-mbx-used-weight-1m')).toBe('5');
    expect(batch.headers.get('x-mbx-order-count-10s')).toBe('6');
    expect(batch.headers.get('x-mbx-order-count-1m')).toBe('2');
  });

  it('over the weight limit → 429 -1003 with Retry-After; again → 418 ban; during the ban → 418 everywhere', async () => {
    const server = await start({
      rateLimits: {
        requestWeightPerMinute: 3,
        ordersPer10Seconds: 300,
        ordersPerMinute: 1200,
        banBaseMs: 120_000,
        banMaxMs: 600_000,
      },
    });
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${server.baseUrl}/fapi/v1/ping`)).status).toBe(200);
    const limited = await fetch(`${server.baseUrl}/fapi/v1/ping`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30'); // the clock is 30 s into its minute
    expect(await json(limited)).toMatchObject({ code: -1003 });
    const banned = await fetch(`${server.baseUrl}/fapi/v1/ping`);
    expect(banned.status).toBe(418);
    expect(banned.headers.get('retry-after')).toBe('120');
    expect(await json(banned)).toMatchObject({ code: -1003, msg: expect.stringContaining('IP banned until') });
    server.clock.advance(60_000);
    const stillBanned = await signed(server, 'GET', '/fapi/v3/account', {});
    expect(stillBanned.status).toBe(418);
    expect(stillBanned.headers.get('retry-after')).toBe('60');
    server.clock.advance(60_000);
    expect((await fetch(`${server.baseUrl}/fapi/v1/ping`)).status).toBe(200);
  });
});

describe('REST handler: faults', () => {
  const UNKNOWN = '{"code":-1000,"msg":"Unknown error, please check your request or try again later."}';

  it('respond with executeFirst → 503 sent, but the order really happened', async () => {
    const server = await start();
    server.faults.verdict = { kind: 'respond', status: 503, body: UNKNOWN, headers: {}, executeFirst: true };
    const response = await signed(server, 'POST', '/fapi/v1/order', LIMIT_ORDER);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe(UNKNOWN);
    expect(server.exchange.orders).toHaveLength(1);
    expect(server.faults.asked.at(-1)).toEqual({
      method: 'POST',
      path: '/fapi/v1/order',
      isOrderMutation: true,
      isReduceOnly: false,
    });
  });

  it('respond without executeFirst → the fault reply, and no order', async () => {
    const server = await start();
    server.faults.verdict = {
      kind: 'respond',
      status: 504,
      body: '<html>Gateway Time-out</html>',
      headers: { 'X-Fault': 'gateway' },
      executeFirst: false,
    };
    const response = await signed(server, 'POST', '/fapi/v1/order', { ...LIMIT_ORDER, reduceOnly: 'true' });
    expect(response.status).toBe(504);
    expect(response.headers.get('x-fault')).toBe('gateway');
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(server.exchange.orders).toHaveLength(0);
    expect(server.faults.asked.at(-1)?.isReduceOnly).toBe(true);
  });

  it('hang → no answer within the client timeout; close() destroys the socket; the server still serves', async () => {
    const server = await start();
    server.faults.verdict = { kind: 'hang' };
    const hung = fetch(`${server.baseUrl}/fapi/v1/ping`, { signal: AbortSignal.timeout(300) });
    await expect(hung).rejects.toThrow();
    const second = fetch(`${server.baseUrl}/fapi/v1/time`);
    await waitFor(() => server.faults.asked.length === 2);
    server.handler.close();
    await expect(second).rejects.toThrow();
    server.faults.verdict = { kind: 'pass' };
    expect((await fetch(`${server.baseUrl}/fapi/v1/ping`)).status).toBe(200);
  });

  it('latency → the reply waits on the clock until it is advanced', async () => {
    const server = await start();
    server.faults.latencyMs = 2_000;
    let answered = false;
    const pending = fetch(`${server.baseUrl}/fapi/v1/ping`).then((response) => {
      answered = true;
      return response;
    });
    await waitFor(() => server.clock.pendingTimers === 1);
    server.clock.advance(1_999);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    server.clock.advance(1);
    expect((await pending).status).toBe(200);
  });
});

describe('REST handler: routing and robustness', () => {
  it('unknown path → 404 JSON; wrong method on a known path → 405 JSON with Allow', async () => {
    const server = await start();
    const missing = await fetch(`${server.baseUrl}/fapi/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ code: expect.any(Number), msg: expect.any(String) });
    const wrongMethod = await fetch(`${server.baseUrl}/fapi/v1/ping`, { method: 'POST' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(await json(wrongMethod)).toMatchObject({ code: expect.any(Number) });
  });

  it('/_sim/... → passed to the control handler with path, query and body, no auth', async () => {
    const server = await start();
    const response = await fetch(`${server.baseUrl}/_sim/faults/latency?ms=5`, { method: 'POST', body: '{"x":1}' });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ ok: true, path: '/faults/latency' });
    const call = server.controlCalls[0];
    expect(call?.method).toBe('POST');
    expect(call?.query.get('ms')).toBe('5');
    expect(call?.body).toBe('{"x":1}');
  });

  it('body over the cap → 413 JSON, and the server keeps serving', async () => {
    const server = await start();
    const response = await fetch(`${server.baseUrl}/fapi/v1/order`, { method: 'POST', body: 'a'.repeat(300 * 1024) });
    expect(response.status).toBe(413);
    expect(await json(response)).toMatchObject({ code: -1000 });
    expect((await fetch(`${server.baseUrl}/fapi/v1/ping`)).status).toBe(200);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not met within 2 s');
}

describe('REST handler: body parameters', () => {
  it('JSON body on a signed POST → ignored: neither read as parameters nor signed', async () => {
    const server = await start();
    const query = new URLSearchParams({ timestamp: String(server.clock.now()) }).toString();
    const signature = createHmac('sha256', TEST_API_SECRET).update(query).digest('hex');
    const response = await fetch(`${server.baseUrl}/fapi/v1/listenKey?${query}&signature=${signature}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': TEST_API_KEY, 'Content-Type': 'application/json' },
      body: '{"listenKey":"x"}',
    });
    expect(response.status).toBe(200);
    const order = await fetch(`${server.baseUrl}/fapi/v1/leverage?symbol=BTCUSDT&leverage=5&${query}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': TEST_API_KEY, 'Content-Type': 'application/json' },
      body: `signature=${createHmac('sha256', TEST_API_SECRET).update(`symbol=BTCUSDT&leverage=5&${query}`).digest('hex')}`,
    });
    // The signature sat in a body that is not urlencoded, so it was never sent as far as Binance is concerned.
    expect(await json(order)).toMatchObject({ code: -1102, msg: expect.stringContaining("'signature'") });
  });
});
