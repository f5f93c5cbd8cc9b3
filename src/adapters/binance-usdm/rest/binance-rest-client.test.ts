import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseFixed } from '../../../lib/fixed.ts';
import { SystemClock } from '../../../lib/system-clock.ts';
import { type RunningSimulator, startSimulator } from '../../../sim/simulator.ts';
import type { BinanceRestClient } from './binance-rest-client.ts';
import { generateClientOrderId } from './client-order-id.ts';
import type { RestClientEvent } from './rest-client-event.ts';
import { clientFor, countWithClientId, marketOrder, rejection, restingBuy } from './rest-test-kit.ts';

/** The ExchangeRest facade against the simulator over loopback (issue 3, points 1, 3, 4, 9). */

let sim: RunningSimulator;
let client: BinanceRestClient;
let events: RestClientEvent[];

beforeEach(async () => {
  sim = await startSimulator({ port: 0, seed: 11, manualTicks: true });
  ({ client, events } = clientFor(sim, new SystemClock()));
  await client.syncTime();
});

afterEach(async () => {
  await client.close();
  await sim.stop();
});

const mark = () => sim.market.markPrice('BTCUSDT').markPrice;
const allOrders = () => sim.exchange.allOrders('BTCUSDT', { limit: 1000 });

describe('reads', () => {
  it('ping, server time and exchangeInfo → domain values with exact filters', async () => {
    await client.ping();
    const serverTime = await client.getServerTime();
    expect(Math.abs(serverTime - Date.now())).toBeLessThan(2000);
    const info = await client.getExchangeInfo();
    const btc = info.instruments.find((instrument) => instrument.symbol === 'BTCUSDT');
    expect(btc?.tickSize).toBe(parseFixed('0.1'));
    expect(btc?.stepSize).toBe(parseFixed('0.001'));
    expect(btc?.maxNumOrders).toBe(200);
    expect(info.rateLimits).toContainEqual({ type: 'REQUEST_WEIGHT', intervalMs: 60_000, limit: 2400 });
    expect(info.rateLimits).toContainEqual({ type: 'ORDERS', intervalMs: 10_000, limit: 300 });
  });

  it('depth snapshot → price levels as Fixed, best bid below best ask', async () => {
    const depth = await client.getDepthSnapshot('BTCUSDT', 20);
    expect(depth.lastUpdateId).toBeGreaterThan(0);
    expect(depth.bids.length).toBeGreaterThan(0);
    const [bid, ask] = [depth.bids[0], depth.asks[0]];
    expect(typeof bid?.price).toBe('bigint');
    expect((bid?.price ?? 0n) < (ask?.price ?? 0n)).toBe(true);
  });

  it('account → totalWalletBalance of the simulator, flat position for a symbol with none', async () => {
    const account = await client.getAccount();
    expect(account.totalWalletBalance).toBe(parseFixed('10000'));
    expect(account.balances[0]?.asset).toBe('USDT');
    expect(account.positions).toEqual([]);
    expect(await client.getPositions()).toEqual([]);
    const flat = await client.getPosition('ETHUSDT');
    expect(flat).toMatchObject({ symbol: 'ETHUSDT', amount: 0n });
  });

  it('server time sync → offset near zero and reported in status', async () => {
    const status = client.status();
    expect(Math.abs(status.serverTimeOffsetMs)).toBeLessThan(50);
    expect(events.some((event) => event.kind === 'timeSynced' && event.reason === 'start')).toBe(true);
    expect(status.activeEndpoint).toBe(sim.urls.rest);
    expect(status.holdUntil).toBeUndefined();
  });
});

describe('orders', () => {
  it('placeOrder LIMIT → NEW report with the caller’s client id; query, open orders and cancel agree', async () => {
    const request = restingBuy(mark());
    const placed = await client.placeOrder(request);
    expect(placed).toMatchObject({ clientOrderId: request.clientOrderId, status: 'NEW', price: request.price });
    expect(placed.origQty).toBe(parseFixed('0.002'));
    const queried = await client.getOrder('BTCUSDT', { clientOrderId: request.clientOrderId });
    expect(queried?.orderId).toBe(placed.orderId);
    expect((await client.getOpenOrders('BTCUSDT')).map((order) => order.orderId)).toEqual([placed.orderId]);
    expect((await client.getOpenOrders()).length).toBe(1);
    const cancelled = await client.cancelOrder('BTCUSDT', { orderId: placed.orderId });
    expect(cancelled?.status).toBe('CANCELED');
    // -2011: the order is already gone.
    expect(await client.cancelOrder('BTCUSDT', { orderId: placed.orderId })).toBeUndefined();
  });

  it('getOrder of an id the venue never saw → undefined (-2013)', async () => {
    expect(await client.getOrder('BTCUSDT', { clientOrderId: generateClientOrderId() })).toBeUndefined();
  });

  it('MARKET buy → FILLED (RESULT reply), a fill in getMyTrades and a long position', async () => {
    const placed = await client.placeOrder(marketOrder('BUY'));
    expect(placed.status).toBe('FILLED');
    expect(placed.executedQty).toBe(parseFixed('0.002'));
    const fills = await client.getMyTrades('BTCUSDT');
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.every((fill) => fill.orderId === placed.orderId)).toBe(true);
    expect(fills.reduce((sum, fill) => sum + fill.qty, 0n)).toBe(parseFixed('0.002'));
    expect(fills[0]?.commission).toBeGreaterThan(0n);
    const position = await client.getPosition('BTCUSDT');
    expect(position.amount).toBe(parseFixed('0.002'));
    expect(position.entryPrice).toBeGreaterThan(0n);
    expect((await client.getPositions()).map((row) => row.symbol)).toEqual(['BTCUSDT']);
    const account = await client.getAccount();
    expect(account.positions[0]?.amount).toBe(parseFixed('0.002'));
  });

  it('a venue rejection → EXCHANGE_REJECTED with Binance’s code, no resolution queries', async () => {
    const request = restingBuy(mark(), { price: (restingBuy(mark()).price ?? 0n) + parseFixed('0.05') });
    const error = await rejection(client.placeOrder(request));
    expect(error.code).toBe('EXCHANGE_REJECTED');
    expect(error.details.venueCode).toBe(-4014);
    expect(error.details.clientOrderId).toBe(request.clientOrderId);
    expect(events.filter((event) => event.kind === 'unknownOutcome')).toEqual([]);
  });

  it('placeOrders with 7 orders → two batches (5 + 2), each element on its own', async () => {
    const good = Array.from({ length: 6 }, () => restingBuy(mark()));
    const bad = restingBuy(mark(), { quantity: parseFixed('0.0005') });
    const results = await client.placeOrders([...good.slice(0, 3), bad, ...good.slice(3)]);
    expect(results).toHaveLength(7);
    expect(results[3]).toMatchObject({ code: 'EXCHANGE_REJECTED', details: { clientOrderId: bad.clientOrderId } });
    const placed = results.filter((result) => !(result instanceof Error));
    expect(placed.map((order) => ('clientOrderId' in order ? order.clientOrderId : ''))).toEqual(
      good.map((request) => request.clientOrderId),
    );
    await client.cancelAllOpenOrders('BTCUSDT');
    expect(await client.getOpenOrders('BTCUSDT')).toEqual([]);
  });

  it('setLeverage → accepted; out of range → EXCHANGE_REJECTED -4028', async () => {
    await client.setLeverage('BTCUSDT', 5);
    const error = await rejection(client.setLeverage('BTCUSDT', 1000));
    expect(error.details.venueCode).toBe(-4028);
  });

  it('a wrong secret → EXCHANGE_AUTHENTICATION, message without query or secret', async () => {
    const { client: wrong } = clientFor({ ...sim, apiSecret: 'not-the-secret' }, new SystemClock());
    const error = await rejection(wrong.placeOrder(restingBuy(mark())));
    expect(error.code).toBe('EXCHANGE_AUTHENTICATION');
    expect(error.details.venueCode).toBe(-1022);
    expect(error.message).not.toMatch(/signature=|timestamp=|not-the-secret/);
    expect(allOrders()).toHaveLength(0);
    await wrong.close();
  });
});

describe('listenKey', () => {
  it('create → keepalive → close; keepalive of a closed key → -1125', async () => {
    const key = await client.createListenKey();
    expect(key.length).toBeGreaterThan(10);
    await client.keepAliveListenKey();
    await client.closeListenKey();
    const error = await rejection(client.keepAliveListenKey());
    expect(error.code).toBe('EXCHANGE_REJECTED');
    expect(error.details.venueCode).toBe(-1125);
  });
});

describe('unknown outcome (503 "Unknown error")', () => {
  it('executed behind the 503 → placeOrder returns the order, exactly one exists', async () => {
    sim.faults.inject({
      type: 'rest-error',
      status: 503,
      variant: 'unknown',
      executed: true,
      count: 1,
      paths: ['/fapi/v1/order'],
    });
    const request = restingBuy(mark());
    const report = await client.placeOrder(request);
    expect(report.clientOrderId).toBe(request.clientOrderId);
    expect(report.status).toBe('NEW');
    expect(countWithClientId(allOrders(), request.clientOrderId)).toBe(1);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'unknownOutcome', resolution: 'found' }));
  });

  it('not executed → EXCHANGE_UNKNOWN_OUTCOME "not found after 3 queries", nothing resent', async () => {
    sim.faults.inject({
      type: 'rest-error',
      status: 503,
      variant: 'unknown',
      count: 1,
      paths: ['/fapi/v1/order'],
      ordersOnly: true,
    });
    const request = restingBuy(mark());
    const error = await rejection(client.placeOrder(request));
    expect(error.code).toBe('EXCHANGE_UNKNOWN_OUTCOME');
    expect(error.message).toContain('not found after 3 queries');
    expect(error.details.clientOrderId).toBe(request.clientOrderId);
    expect(countWithClientId(allOrders(), request.clientOrderId)).toBe(0);
  });

  it('a batch lost behind a 504 → each order resolved by its client id, none duplicated', async () => {
    sim.faults.inject({ type: 'rest-error', status: 504, executed: true, count: 1, paths: ['/fapi/v1/batchOrders'] });
    const requests = [restingBuy(mark()), restingBuy(mark())];
    const results = await client.placeOrders(requests);
    expect(results.map((result) => (result instanceof Error ? result.message : result.clientOrderId))).toEqual(
      requests.map((request) => request.clientOrderId),
    );
    for (const request of requests) expect(countWithClientId(allOrders(), request.clientOrderId)).toBe(1);
  });
});
