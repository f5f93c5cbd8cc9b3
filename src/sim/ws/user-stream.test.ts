import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserEvent } from '../exchange/exchange.ts';
import { aggTradeEvent, orderView, positionView } from './stream-test-events.ts';
import { type StreamHarness, startStreamHarness } from './stream-test-harness.ts';

const HOUR = 3_600_000;
/** User events are delayed 0–3 ms on the clock (REST-reply race, reference §6 item 4). */
const JITTER = 3;

let harness: StreamHarness;
let key: string;

beforeEach(async () => {
  // Pings far apart: a one-hour clock jump must not outrun the (real) pong replies and cut the socket.
  harness = await startStreamHarness({ pingIntervalMs: 10 * HOUR });
  key = harness.listenKeys.create();
});

afterEach(async () => {
  await harness.close();
});

function orderUpdate(orderId = 1): UserEvent {
  return {
    kind: 'orderUpdate',
    eventTime: harness.clock.now(),
    transactionTime: harness.clock.now(),
    executionType: 'NEW',
    order: orderView({ orderId }),
  };
}

function accountUpdate(): UserEvent {
  return {
    kind: 'accountUpdate',
    eventTime: harness.clock.now(),
    transactionTime: harness.clock.now(),
    reason: 'ORDER',
    balances: [{ asset: 'USDT', walletBalance: 10_000n, crossWalletBalance: 10_000n, balanceChange: 0n }],
    positions: [positionView()],
  };
}

function emit(event: UserEvent): void {
  harness.exchange.emit(event);
  harness.clock.advance(JITTER);
}

describe('user data stream: connecting', () => {
  it('/private/ws?listenKey=K → raw ORDER_TRADE_UPDATE and ACCOUNT_UPDATE', async () => {
    const client = await harness.connect(`/private/ws?listenKey=${key}`);
    emit(orderUpdate());
    emit(accountUpdate());
    expect(await client.next()).toMatchObject({ e: 'ORDER_TRADE_UPDATE', o: { i: 1, X: 'NEW' } });
    expect(await client.next()).toMatchObject({ e: 'ACCOUNT_UPDATE', a: { m: 'ORDER' } });
  });

  it('/private/ws/<K> → raw events', async () => {
    const client = await harness.connect(`/private/ws/${key}`);
    emit(orderUpdate());
    expect(await client.next()).toMatchObject({ e: 'ORDER_TRADE_UPDATE' });
  });

  it('/private/stream?listenKey=K → {"stream":K,"data":…}', async () => {
    const client = await harness.connect(`/private/stream?listenKey=${key}`);
    emit(orderUpdate());
    expect(await client.next()).toMatchObject({ stream: key, data: { e: 'ORDER_TRADE_UPDATE' } });
  });

  it('bare /private/ws + SUBSCRIBE [K] → ack, then events', async () => {
    const client = await harness.connect('/private/ws');
    client.send({ method: 'SUBSCRIBE', params: [key], id: 1 });
    expect(await client.next()).toEqual({ result: null, id: 1 });
    emit(orderUpdate());
    expect(await client.next()).toMatchObject({ e: 'ORDER_TRADE_UPDATE' });
  });

  it('SUBSCRIBE with an unknown listenKey → error frame, socket usable', async () => {
    const client = await harness.connect('/private/ws');
    client.send({ method: 'SUBSCRIBE', params: ['not-a-key'], id: 2 });
    expect(await client.next()).toMatchObject({ error: { code: 2 }, id: 2 });
    client.send({ method: 'LIST_SUBSCRIPTIONS', id: 3 });
    expect(await client.next()).toEqual({ result: [], id: 3 });
  });

  it('unknown or expired listenKey at connect → HTTP 400', async () => {
    expect(await harness.refusal('/private/ws?listenKey=nope')).toBe(400);
    harness.listenKeys.close(key);
    expect(await harness.refusal(`/private/ws/${key}`)).toBe(400);
  });

  it('user data on /market or legacy /ws/<K> → accepted, silent', async () => {
    const market = await harness.connect(`/market/ws/${key}`);
    const legacy = await harness.connect(`/ws/${key}`);
    emit(orderUpdate());
    expect(await Promise.all([market.unreadAfter(), legacy.unreadAfter()])).toEqual([[], []]);
  });

  it('market stream on /private → silent', async () => {
    const client = await harness.connect(`/private/ws/btcusdt@aggTrade`);
    harness.market.emit(aggTradeEvent());
    expect(await client.unreadAfter()).toEqual([]);
  });
});

describe('user data stream: events filter', () => {
  it('events=ACCOUNT_UPDATE → order updates withheld', async () => {
    const client = await harness.connect(`/private/ws?listenKey=${key}&events=ACCOUNT_UPDATE`);
    emit(orderUpdate());
    emit(accountUpdate());
    expect(await client.next()).toMatchObject({ e: 'ACCOUNT_UPDATE' });
    expect(await client.unreadAfter()).toEqual([]);
  });

  it('events without listenKeyExpired → no expiry notice', async () => {
    const client = await harness.connect(`/private/ws?listenKey=${key}&events=ORDER_TRADE_UPDATE`);
    harness.clock.advance(HOUR);
    expect(harness.listenKeys.isActive(key)).toBe(false);
    expect(await client.unreadAfter()).toEqual([]);
    client.send({ method: 'LIST_SUBSCRIPTIONS', id: 1 });
    expect(await client.next()).toEqual({ result: [], id: 1 });
  });
});

describe('user data stream: listenKey end', () => {
  it('60 min without keepalive → listenKeyExpired (E a string), then nothing, socket open', async () => {
    const client = await harness.connect(`/private/ws?listenKey=${key}`);
    const expiresAt = harness.clock.now() + HOUR;
    harness.clock.advance(HOUR);
    expect(await client.next()).toEqual({ e: 'listenKeyExpired', E: String(expiresAt), listenKey: key });
    expect(harness.listenKeys.keepAlive(key)).toBe(false);
    emit(orderUpdate());
    expect(await client.unreadAfter()).toEqual([]);
    expect(client.isClosed).toBe(false);
    client.send({ method: 'LIST_SUBSCRIPTIONS', id: 1 });
    expect(await client.next()).toEqual({ result: [], id: 1 });
  });

  it('keepalive before 60 min → no expiry at the first hour mark', async () => {
    const client = await harness.connect(`/private/ws?listenKey=${key}`);
    harness.clock.advance(HOUR - 60_000);
    expect(harness.listenKeys.keepAlive(key)).toBe(true);
    harness.clock.advance(30 * 60_000);
    expect(await client.unreadAfter()).toEqual([]);
    emit(orderUpdate());
    expect(await client.next()).toMatchObject({ e: 'ORDER_TRADE_UPDATE' });
  });

  it('DELETE (close) → listenKeyExpired too, in stream mode wrapped', async () => {
    const client = await harness.connect(`/private/stream?listenKey=${key}`);
    harness.listenKeys.close(key);
    expect(await client.next()).toMatchObject({ stream: key, data: { e: 'listenKeyExpired', listenKey: key } });
  });
});

describe('user data stream: delivery', () => {
  it('many events with random 0–3 ms delays → delivered in emission order', async () => {
    const client = await harness.connect(`/private/ws/${key}`);
    for (let orderId = 1; orderId <= 30; orderId += 1) harness.exchange.emit(orderUpdate(orderId));
    harness.clock.advance(JITTER);
    const ids: unknown[] = [];
    for (let index = 0; index < 30; index += 1) ids.push(((await client.next()).o as { i: number }).i);
    expect(ids).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
  });

  it('delivery delay → some events sent at once, some held on the clock (both orders vs REST)', async () => {
    await harness.connect(`/private/ws/${key}`);
    let immediate = 0;
    let held = 0;
    for (let orderId = 1; orderId <= 40; orderId += 1) {
      const before = harness.clock.pendingTimers;
      harness.exchange.emit(orderUpdate(orderId));
      if (harness.clock.pendingTimers > before) held += 1;
      else immediate += 1;
      harness.clock.advance(JITTER);
    }
    expect(immediate).toBeGreaterThan(0);
    expect(held).toBeGreaterThan(0);
  });

  it('userData frozen → nothing delivered, socket still answers', async () => {
    const client = await harness.connect(`/private/ws/${key}`);
    harness.faults.frozenStreams.add('userData');
    emit(orderUpdate());
    expect(await client.unreadAfter()).toEqual([]);
    client.send({ method: 'LIST_SUBSCRIPTIONS', id: 1 });
    expect(await client.next()).toEqual({ result: [key], id: 1 });
  });

  it('closeConnections({channel: "private"}) → only user-stream sockets cut', async () => {
    const privateClient = await harness.connect(`/private/ws/${key}`);
    await harness.connect('/market/ws');
    expect(harness.server.closeConnections({ channel: 'private' })).toBe(1);
    expect(await privateClient.closed()).toBe(1006);
    expect(harness.server.connectionCount()).toBe(1);
  });
});
