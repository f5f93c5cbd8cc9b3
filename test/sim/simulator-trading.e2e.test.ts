import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/sim/simulator.ts';
import { controlRequest, publicRequest, signedRequest } from '../support/binance-request.ts';
import { RecordingSocket } from '../support/ws-messages.ts';

// End to end over loopback: real HTTP, real WebSocket, every simulator part wired by startSimulator.
describe('simulator: trading over REST and the user data stream', () => {
  let sim: RunningSimulator;
  const sockets: RecordingSocket[] = [];

  beforeEach(async () => {
    sim = await startSimulator({ port: 0, seed: 11 });
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await sim.stop();
  });

  it('public endpoints → Binance shapes: ping {}, time, exchangeInfo with three symbols and their filters', async () => {
    expect((await publicRequest(sim, '/fapi/v1/ping')).body).toEqual({});
    const time = (await publicRequest(sim, '/fapi/v1/time')).body as { serverTime: number };
    expect(Math.abs(time.serverTime - Date.now())).toBeLessThan(5_000);
    const info = (await publicRequest(sim, '/fapi/v1/exchangeInfo')).body as {
      symbols: { symbol: string; filters: { filterType: string; tickSize?: string }[] }[];
      rateLimits: unknown[];
    };
    expect(info.symbols.map((s) => s.symbol)).toEqual(expect.arrayContaining(['BTCUSDT', 'ETHUSDT', 'BNBUSDT']));
    const btc = info.symbols.find((s) => s.symbol === 'BTCUSDT');
    expect(btc?.filters.find((f) => f.filterType === 'PRICE_FILTER')?.tickSize).toBe('0.10');
    expect(info.rateLimits).toHaveLength(3);
  });

  it.each(['query', 'body', 'both'] as const)(
    'signed MARKET order with params in the %s → filled, position and wallet follow',
    async (placement) => {
      const reply = await signedRequest(
        sim,
        'POST',
        '/fapi/v1/order',
        { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010', newClientOrderId: `e2e-${placement}` },
        placement,
      );
      expect(reply.status).toBe(200);
      const order = reply.body as Record<string, unknown>;
      expect(order).toMatchObject({
        symbol: 'BTCUSDT',
        clientOrderId: `e2e-${placement}`,
        origQty: '0.010',
        side: 'BUY',
      });
      expect(order.status === 'FILLED' || order.status === 'NEW').toBe(true);
      expect(reply.headers.get('x-mbx-order-count-10s')).toBe('1');

      const positions = (await signedRequest(sim, 'GET', '/fapi/v3/positionRisk', { symbol: 'BTCUSDT' }))
        .body as Record<string, string>[];
      expect(positions[0]?.positionAmt).toBe('0.010');
      // entryPrice is not padded on Binance (fixture: "67445.9").
      expect(positions[0]?.entryPrice).toMatch(/^\d+(\.\d+)?$/);

      const account = (await signedRequest(sim, 'GET', '/fapi/v3/account')).body as { totalWalletBalance: string };
      // Taker fee 0.05 % of ~1140 USDT leaves the wallet just under 10000.
      expect(Number(account.totalWalletBalance)).toBeLessThan(10_000);
      expect(Number(account.totalWalletBalance)).toBeGreaterThan(9_990);
    },
  );

  it('user data stream → ORDER_TRADE_UPDATE NEW and TRADE, then ACCOUNT_UPDATE, for one MARKET order', async () => {
    const { listenKey } = (await fetchListenKey(sim)) as { listenKey: string };
    const socket = await RecordingSocket.open(`${sim.urls.ws}/private/ws?listenKey=${listenKey}`);
    sockets.push(socket);
    await signedRequest(sim, 'POST', '/fapi/v1/order', {
      symbol: 'ETHUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.050',
    });
    await socket.waitFor(() => socket.events('ACCOUNT_UPDATE').length > 0, 5_000, 'ACCOUNT_UPDATE');
    const updates = socket.events('ORDER_TRADE_UPDATE').map((event) => event.o as Record<string, unknown>);
    expect(updates[0]).toMatchObject({ s: 'ETHUSDT', S: 'SELL', o: 'MARKET', x: 'NEW', X: 'NEW', q: '0.050' });
    const trades = updates.filter((update) => update.x === 'TRADE');
    expect(trades.length).toBeGreaterThan(0);
    expect(trades.at(-1)?.X).toBe('FILLED');
    expect(trades[0]?.N).toBe('USDT');
    const account = socket.events('ACCOUNT_UPDATE')[0]?.a as { m: string; P: { s: string; pa: string }[] };
    expect(account.m).toBe('ORDER');
    expect(account.P.find((p) => p.s === 'ETHUSDT')?.pa).toBe('-0.050');
  });

  it('LIMIT GTC far from the market → rests NEW, openOrders lists it, cancel → CANCELED, cancel again → -2011', async () => {
    const book = (await publicRequest(sim, '/fapi/v1/ticker/bookTicker?symbol=BTCUSDT')).body as { bidPrice: string };
    const price = (Math.floor(Number(book.bidPrice) * 0.97 * 10) / 10).toFixed(1);
    const placed = (
      await signedRequest(sim, 'POST', '/fapi/v1/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.002',
        price,
        newClientOrderId: 'rest-1',
      })
    ).body as { orderId: number; status: string };
    expect(placed.status).toBe('NEW');
    const open = (await signedRequest(sim, 'GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' })).body as {
      orderId: number;
    }[];
    expect(open.map((o) => o.orderId)).toEqual([placed.orderId]);
    const cancelled = await signedRequest(sim, 'DELETE', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'rest-1',
    });
    expect((cancelled.body as { status: string }).status).toBe('CANCELED');
    const again = await signedRequest(sim, 'DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: placed.orderId });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
  });

  it('wrong secret, missing key, stale timestamp → -1022, -2014, -1021 with their HTTP statuses', async () => {
    const wrongSecret = await signedRequest({ ...sim, apiSecret: 'not-the-secret' }, 'GET', '/fapi/v3/account');
    expect([wrongSecret.status, (wrongSecret.body as { code: number }).code]).toEqual([400, -1022]);
    const noKey = await fetch(`${sim.urls.rest}/fapi/v3/account?timestamp=${Date.now()}&signature=00`);
    expect([noKey.status, ((await noKey.json()) as { code: number }).code]).toEqual([401, -2014]);
    const stale = await signedRequest(sim, 'GET', '/fapi/v3/account', {}, 'query', Date.now() - 60_000);
    expect([stale.status, (stale.body as { code: number }).code]).toEqual([400, -1021]);
  });

  it('503 "Unknown error" fault on an order that WAS executed → the client sees 503, and exactly one order exists', async () => {
    const fault = await controlRequest(sim, 'POST', '/faults', {
      type: 'rest-error',
      status: 503,
      variant: 'unknown',
      executed: true,
      count: 1,
      paths: ['/fapi/v1/order'],
    });
    expect(fault.status).toBe(201);
    const reply = await signedRequest(sim, 'POST', '/fapi/v1/order', {
      symbol: 'BNBUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.10',
      newClientOrderId: 'unknown-outcome-1',
    });
    expect(reply.status).toBe(503);
    const query = await signedRequest(sim, 'GET', '/fapi/v1/order', {
      symbol: 'BNBUSDT',
      origClientOrderId: 'unknown-outcome-1',
    });
    expect(query.status).toBe(200);
    const all = (await signedRequest(sim, 'GET', '/fapi/v1/allOrders', { symbol: 'BNBUSDT' })).body as unknown[];
    expect(all).toHaveLength(1);
    const log = (await controlRequest(sim, 'GET', '/faults/log')).body as { type: string; startedAt: number }[];
    expect(log[0]).toMatchObject({ type: 'rest-error' });
    expect(typeof log[0]?.startedAt).toBe('number');
  });
});

async function fetchListenKey(sim: RunningSimulator): Promise<unknown> {
  const response = await fetch(`${sim.urls.rest}/fapi/v1/listenKey`, {
    method: 'POST',
    headers: { 'X-MBX-APIKEY': sim.apiKey },
  });
  return response.json();
}
