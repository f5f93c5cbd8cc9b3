import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseFixed } from '../../src/lib/fixed.ts';
import {
  asWire,
  decimalOf,
  type Harness,
  injectFault,
  instrumentOf,
  priceAt,
  startHarness,
  type Wire,
  wireDecimal,
} from './client-harness.ts';

/**
 * WebSocket conformance: the unmodified `binance` WebsocketClient against the simulator's stream
 * server. What the client connects to and sends is in README.md beside this file: `/market/stream`
 * and `/public/stream` with JSON SUBSCRIBE frames, `/private/stream?listenKey=` for user data.
 */

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  // undefined when startHarness itself failed; the failure is already reported by beforeEach.
  if (harness === undefined) return;
  const errors = harness.wsClientErrors();
  await harness.stop();
  // The client logs an error for any frame it cannot parse or route: the simulator must cause none.
  expect(JSON.stringify(errors)).toBe('[]');
});

function isOrderUpdate(orderId: unknown, executionType: string, status?: string): (message: Wire) => boolean {
  return (message) => {
    if (message.e !== 'ORDER_TRADE_UPDATE') return false;
    const order = asWire(message.o, 'ORDER_TRADE_UPDATE.o');
    return order.i === orderId && order.x === executionType && (status === undefined || order.X === status);
  };
}

function isBtcPositionUpdate(amount: string): (message: Wire) => boolean {
  return (message) => {
    if (message.e !== 'ACCOUNT_UPDATE') return false;
    const positions = asWire(message.a, 'ACCOUNT_UPDATE.a').P;
    return (
      Array.isArray(positions) &&
      positions.some((row) => asWire(row).s === 'BTCUSDT' && decimalOf(asWire(row).pa) === parseFixed(amount))
    );
  };
}

async function marketBuy(quantity: string): Promise<Wire> {
  return asWire(
    await harness.rest.submitNewOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: wireDecimal(quantity),
    }),
    'market order',
  );
}

const isUserDataKey = (payload: Wire) => String(payload.wsKey).includes('userData');

describe('binance WebsocketClient → simulator streams', () => {
  it('subscribeUsdFuturesUserDataStream + MARKET order → ORDER_TRADE_UPDATE NEW and TRADE/FILLED, ACCOUNT_UPDATE', async () => {
    const { client, log } = harness.newWsClient({ beautify: true });
    await client.subscribeUsdFuturesUserDataStream();
    const opened = await log.waitFor('open', isUserDataKey);
    expect(String(opened.wsUrl)).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/private\/stream\?listenKey=[A-Za-z0-9]+$/);

    const order = await marketBuy('0.002');
    const orderId = order.orderId;
    const accepted = await log.waitFor('message', isOrderUpdate(orderId, 'NEW', 'NEW'));
    expect(asWire(accepted.o).s).toBe('BTCUSDT');
    const filled = await log.waitFor('message', isOrderUpdate(orderId, 'TRADE', 'FILLED'));
    const fill = asWire(filled.o);
    expect(decimalOf(fill.z)).toBe(parseFixed('0.002'));
    expect(decimalOf(fill.L) > 0n).toBe(true);
    expect(typeof filled.E).toBe('number');
    const account = await log.waitFor('message', isBtcPositionUpdate('0.002'));
    expect(asWire(account.a).m).toBe('ORDER');

    // beautify: the client also emits its formatted variant of each user event.
    const formatted = await log.waitFor(
      'formattedUserDataMessage',
      (message) =>
        message.eventType === 'ORDER_TRADE_UPDATE' &&
        typeof message.order === 'object' &&
        asWire(message.order).orderStatus === 'FILLED',
    );
    expect(asWire(formatted.order).orderId).toBe(orderId);
  });

  it('resting LIMIT cancelled → ORDER_TRADE_UPDATE CANCELED reaches the client', async () => {
    const { client, log } = harness.newWsClient();
    await client.subscribeUsdFuturesUserDataStream();
    await log.waitFor('open', isUserDataKey);
    const book = asWire(await harness.rest.getOrderBook({ symbol: 'BTCUSDT', limit: 5 }));
    const bid = decimalOf((book.bids as string[][])[0]?.[0], 'best bid');
    const placed = asWire(
      await harness.rest.submitNewOrder({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: wireDecimal('0.002'),
        price: wireDecimal(priceAt(instrumentOf('BTCUSDT'), bid, '0.96')),
      }),
    );
    await log.waitFor('message', isOrderUpdate(placed.orderId, 'NEW', 'NEW'));
    await harness.rest.cancelOrder({ symbol: 'BTCUSDT', orderId: placed.orderId as number });
    await log.waitFor('message', isOrderUpdate(placed.orderId, 'CANCELED', 'CANCELED'));
  });

  it('subscribeAggregateTrades → /market/stream, SUBSCRIBE acked with result:null, aggTrade messages arrive', async () => {
    const { client, log } = harness.newWsClient();
    await client.subscribeAggregateTrades('BTCUSDT', 'usdm');
    const opened = await log.waitFor('open', (payload) => payload.wsKey === 'usdmMarket');
    expect(String(opened.wsUrl)).toMatch(/\/market\/stream$/);
    const ack = await log.waitFor('response', (payload) => payload.wsKey === 'usdmMarket');
    expect(ack.result).toBeNull();
    expect(asWire(ack.request, 'acked request')).toMatchObject({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'] });

    const trade = await log.waitFor('message', (message) => message.e === 'aggTrade');
    expect(trade).toMatchObject({ s: 'BTCUSDT', wsKey: 'usdmMarket' });
    expect(decimalOf(trade.p) > 0n).toBe(true);
    expect(decimalOf(trade.q) > 0n).toBe(true);
    expect(typeof trade.a).toBe('number');
    expect(typeof trade.T).toBe('number');
    expect(typeof trade.m).toBe('boolean');
  });

  it('subscribeDiffBookDepth 100 ms → /public/stream, depthUpdate messages chain pu → previous u', async () => {
    const { client, log } = harness.newWsClient();
    await client.subscribeDiffBookDepth('BTCUSDT', 100, 'usdm');
    const opened = await log.waitFor('open', (payload) => payload.wsKey === 'usdmPublic');
    expect(String(opened.wsUrl)).toMatch(/\/public\/stream$/);
    const ack = await log.waitFor('response', (payload) => payload.wsKey === 'usdmPublic');
    expect(asWire(ack.request)).toMatchObject({ method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms'] });

    const isDepth = (message: Wire) => message.e === 'depthUpdate' && message.s === 'BTCUSDT';
    const first = await log.waitFor('message', isDepth);
    const second = await log.waitFor('message', isDepth, { after: log.indexAfter(first) });
    expect(typeof first.U).toBe('number');
    expect(typeof first.u).toBe('number');
    expect(second.pu).toBe(first.u);
    expect(Array.isArray(second.b) && Array.isArray(second.a)).toBe(true);
  });

  it('ws-close fault → market socket emits reconnecting/reconnected, resubscribes, aggTrades flow again', async () => {
    const { client, log } = harness.newWsClient({ reconnectTimeout: 200 });
    await client.subscribeAggregateTrades('BTCUSDT', 'usdm');
    await log.waitFor('message', (message) => message.e === 'aggTrade');

    const beforeFault = log.mark;
    await injectFault(harness.sim, { type: 'ws-close' });
    const isMarket = (payload: Wire) => payload.wsKey === 'usdmMarket';
    await log.waitFor('reconnecting', isMarket, { after: beforeFault, timeoutMs: 20_000 });
    await log.waitFor('reconnected', isMarket, { after: beforeFault, timeoutMs: 20_000 });
    const afterReconnect = log.mark;
    const ack = await log.waitFor('response', isMarket, { after: beforeFault, timeoutMs: 20_000 });
    expect(asWire(ack.request)).toMatchObject({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'] });
    await log.waitFor('message', (message) => message.e === 'aggTrade', { after: afterReconnect, timeoutMs: 20_000 });
  });

  it('ws-close fault → user stream respawns (listenKey re-POSTed) and order events flow again', async () => {
    const { client, log } = harness.newWsClient({ reconnectTimeout: 200 });
    await client.subscribeUsdFuturesUserDataStream();
    await log.waitFor('open', isUserDataKey);

    const beforeFault = log.mark;
    await injectFault(harness.sim, { type: 'ws-close' });
    await log.waitFor('reconnecting', isUserDataKey, { after: beforeFault, timeoutMs: 20_000 });
    const reconnected = await log.waitFor('reconnected', isUserDataKey, { after: beforeFault, timeoutMs: 20_000 });
    expect(String(reconnected.wsUrl)).toMatch(/\/private\/stream\?listenKey=/);

    const order = await marketBuy('0.002');
    await log.waitFor('message', isOrderUpdate(order.orderId, 'TRADE', 'FILLED'), { timeoutMs: 20_000 });
  });

  it('idle user stream with 200 ms pings and a 300 ms pong deadline → the simulator answers every ping, no reconnect', async () => {
    // No data flows on an idle user stream, so only pong frames can clear the client's pong timer.
    // 200 ms keeps the pings well under the 10 incoming messages/s guard (pings count, §3.2); at
    // 100 ms timer jitter sometimes fits 11 into one second and the simulator rightly disconnects.
    const { client, log } = harness.newWsClient({ pingInterval: 200, pongTimeout: 300 });
    await client.subscribeUsdFuturesUserDataStream();
    await log.waitFor('open', isUserDataKey);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const drops = log.events.filter((event) => event.name === 'reconnecting' || event.name === 'close');
    expect(drops).toEqual([]);
  });
});

describe('binance WebsocketClient → simulator listenKey expiry', () => {
  it('listenKey expires (1.5 s validity) → listenKeyExpired reaches the client, which respawns on a new key', async () => {
    await harness.stop();
    harness = await startHarness({ listenKeyValidityMs: 1500 });
    const { client, log } = harness.newWsClient({ reconnectTimeout: 100 });
    await client.subscribeUsdFuturesUserDataStream();
    const opened = await log.waitFor('open', isUserDataKey);
    const firstUrl = String(opened.wsUrl);

    const expired = await log.waitFor('message', (message) => message.e === 'listenKeyExpired', { timeoutMs: 5000 });
    expect(firstUrl.endsWith(`listenKey=${String(expired.listenKey)}`)).toBe(true);
    const respawned = await log.waitFor('reconnected', isUserDataKey, {
      after: log.indexAfter(expired),
      timeoutMs: 5000,
    });
    expect(String(respawned.wsUrl)).toMatch(/\/private\/stream\?listenKey=[A-Za-z0-9]+$/);
    expect(respawned.wsUrl).not.toBe(firstUrl);
  });
});
