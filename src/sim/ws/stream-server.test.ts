import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aggTradeEvent, bookTickerEvent, depthEvent, klineEvent, markPriceEvent } from './stream-test-events.ts';
import { type StreamHarness, startStreamHarness } from './stream-test-harness.ts';

let harness: StreamHarness;

beforeEach(async () => {
  harness = await startStreamHarness();
});

afterEach(async () => {
  await harness.close();
});

describe('stream server: paths', () => {
  it('/market/ws/<s1>/<s2> → raw payloads of both streams', async () => {
    const client = await harness.connect('/market/ws/btcusdt@aggTrade/btcusdt@kline_1m');
    harness.market.emit(aggTradeEvent());
    harness.market.emit(klineEvent());
    expect(await client.next()).toMatchObject({ e: 'aggTrade', s: 'BTCUSDT', p: '114048.90' });
    expect(await client.next()).toMatchObject({ e: 'kline', k: { i: '1m' } });
  });

  it('/market/stream?streams= → {"stream","data"} wrappers named canonically', async () => {
    const client = await harness.connect('/market/stream?streams=btcusdt@aggTrade/ethusdt@markPrice@1s');
    harness.market.emit(aggTradeEvent());
    harness.market.emit(markPriceEvent('1s', 'ETHUSDT'));
    expect(await client.next()).toMatchObject({ stream: 'btcusdt@aggTrade', data: { e: 'aggTrade' } });
    expect(await client.next()).toMatchObject({
      stream: 'ethusdt@markPrice@1s',
      data: { e: 'markPriceUpdate', s: 'ETHUSDT' },
    });
  });

  it('/public/ws → bookTicker, depth diff and partial depth', async () => {
    const client = await harness.connect('/public/ws/btcusdt@bookTicker/btcusdt@depth@100ms/btcusdt@depth5');
    harness.market.emit(bookTickerEvent());
    harness.market.emit(depthEvent('BTCUSDT', 20));
    expect(await client.next()).toMatchObject({ e: 'bookTicker', u: 7 });
    expect(await client.next()).toMatchObject({ e: 'depthUpdate', u: 20, b: [['114048.80', '1.500']] });
    expect(await client.next()).toMatchObject({ e: 'depthUpdate', u: 20, b: [] });
  });

  it('@markPrice → only the 3 s cadence; @markPrice@1s → only the 1 s one', async () => {
    const slow = await harness.connect('/market/ws/btcusdt@markPrice');
    const fast = await harness.connect('/market/ws/btcusdt@markPrice@1s');
    harness.market.emit(markPriceEvent('1s'));
    harness.market.emit(markPriceEvent('3s'));
    expect(await fast.next()).toMatchObject({ e: 'markPriceUpdate' });
    expect(await slow.next()).toMatchObject({ e: 'markPriceUpdate' });
    expect(await Promise.all([fast.unreadAfter(), slow.unreadAfter()])).toEqual([[], []]);
  });

  it('a stream on the wrong channel → connection accepted, then silence', async () => {
    const onPublic = await harness.connect('/public/ws/btcusdt@aggTrade');
    const onMarket = await harness.connect('/market/ws/btcusdt@bookTicker');
    harness.market.emit(aggTradeEvent());
    harness.market.emit(bookTickerEvent());
    expect(await Promise.all([onPublic.unreadAfter(), onMarket.unreadAfter()])).toEqual([[], []]);
  });

  it('legacy /ws and /stream (decommissioned) → public streams only', async () => {
    const raw = await harness.connect('/ws/btcusdt@bookTicker/btcusdt@aggTrade');
    const combined = await harness.connect('/stream?streams=btcusdt@markPrice/btcusdt@bookTicker');
    harness.market.emit(aggTradeEvent());
    harness.market.emit(markPriceEvent('3s'));
    harness.market.emit(bookTickerEvent());
    expect(await raw.next()).toMatchObject({ e: 'bookTicker' });
    expect(await combined.next()).toMatchObject({ stream: 'btcusdt@bookTicker' });
    expect(await Promise.all([raw.unreadAfter(), combined.unreadAfter()])).toEqual([[], []]);
  });

  it('unknown path → HTTP 404', async () => {
    expect(await harness.refusal('/futures/ws/btcusdt@aggTrade')).toBe(404);
    expect(await harness.refusal('/market/stream/extra')).toBe(404);
  });

  it('unknown stream names (ccxt "/ws/0") → accepted and silent', async () => {
    const client = await harness.connect('/market/ws/0');
    client.send({ method: 'LIST_SUBSCRIPTIONS', id: 1 });
    expect(await client.next()).toEqual({ result: ['0'], id: 1 });
  });

  it('more streams in the URL than allowed → HTTP 400', async () => {
    await harness.close();
    harness = await startStreamHarness({ maxStreamsPerConnection: 2 });
    expect(await harness.refusal('/market/ws/a@aggTrade/b@aggTrade/c@aggTrade')).toBe(400);
  });
});

describe('stream server: control frames', () => {
  it('SUBSCRIBE on a bare /market/ws → {"result":null,"id"} then data', async () => {
    const client = await harness.connect('/market/ws');
    client.send({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'], id: 1 });
    expect(await client.next()).toEqual({ result: null, id: 1 });
    harness.market.emit(aggTradeEvent());
    expect(await client.next()).toMatchObject({ e: 'aggTrade' });
  });

  it('SUBSCRIBE to a /market stream on /public → acknowledged, then silent', async () => {
    const client = await harness.connect('/public/ws');
    client.send({ method: 'SUBSCRIBE', params: ['btcusdt@markPrice', 'btcusdt@bookTicker'], id: 3 });
    expect(await client.next()).toEqual({ result: null, id: 3 });
    harness.market.emit(markPriceEvent('3s'));
    harness.market.emit(bookTickerEvent());
    expect(await client.next()).toMatchObject({ e: 'bookTicker' });
    expect(await client.unreadAfter()).toEqual([]);
  });

  it('UNSUBSCRIBE → no more data; LIST_SUBSCRIPTIONS → what is left, in order', async () => {
    const client = await harness.connect('/market/ws/btcusdt@aggTrade/btcusdt@kline_1m');
    client.send({ method: 'UNSUBSCRIBE', params: ['btcusdt@aggTrade'], id: 2 });
    expect(await client.next()).toEqual({ result: null, id: 2 });
    client.send({ method: 'LIST_SUBSCRIPTIONS', id: 3 });
    expect(await client.next()).toEqual({ result: ['btcusdt@kline_1m'], id: 3 });
    harness.market.emit(aggTradeEvent());
    harness.market.emit(klineEvent());
    expect(await client.next()).toMatchObject({ e: 'kline' });
    expect(await client.unreadAfter()).toEqual([]);
  });

  it('SET_PROPERTY combined true → wrapped payloads; GET_PROPERTY → true', async () => {
    const client = await harness.connect('/market/ws/btcusdt@aggTrade');
    client.send({ method: 'GET_PROPERTY', params: ['combined'], id: 1 });
    expect(await client.next()).toEqual({ result: false, id: 1 });
    client.send({ method: 'SET_PROPERTY', params: ['combined', true], id: 2 });
    expect(await client.next()).toEqual({ result: null, id: 2 });
    client.send({ method: 'GET_PROPERTY', params: ['combined'], id: 3 });
    expect(await client.next()).toEqual({ result: true, id: 3 });
    harness.market.emit(aggTradeEvent());
    expect(await client.next()).toMatchObject({ stream: 'btcusdt@aggTrade', data: { e: 'aggTrade' } });
  });

  it('invalid JSON and an unknown method → error frames, and the socket stays usable', async () => {
    const client = await harness.connect('/market/ws');
    client.send('{not json');
    expect(await client.next()).toEqual({ error: { code: 3, msg: expect.stringMatching(/^Invalid JSON/) }, id: null });
    client.send({ method: 'subscribe', params: ['btcusdt@aggTrade'], id: 9 });
    expect(await client.next()).toEqual({
      error: { code: 2, msg: expect.stringMatching(/^Invalid request/) },
      id: 9,
    });
    client.send({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'], id: 10 });
    expect(await client.next()).toEqual({ result: null, id: 10 });
    harness.market.emit(aggTradeEvent());
    expect(await client.next()).toMatchObject({ e: 'aggTrade' });
  });

  it('SUBSCRIBE beyond maxStreamsPerConnection → error, nothing added', async () => {
    await harness.close();
    harness = await startStreamHarness({ maxStreamsPerConnection: 2 });
    const client = await harness.connect('/market/ws/btcusdt@aggTrade');
    client.send({ method: 'SUBSCRIBE', params: ['ethusdt@aggTrade', 'bnbusdt@aggTrade'], id: 4 });
    expect(await client.next()).toMatchObject({ error: { code: 2 }, id: 4 });
    client.send({ method: 'LIST_SUBSCRIPTIONS', id: 5 });
    expect(await client.next()).toEqual({ result: ['btcusdt@aggTrade'], id: 5 });
  });
});

describe('stream server: faults and lifecycle', () => {
  it('acceptWsConnection false → HTTP 503 for that channel only', async () => {
    harness.faults.refuseConnections.add('market');
    expect(await harness.refusal('/market/ws/btcusdt@aggTrade')).toBe(503);
    await harness.connect('/public/ws/btcusdt@bookTicker');
  });

  it('frozen stream → its data is dropped, other streams flow, client pings answered', async () => {
    const client = await harness.connect('/market/ws/btcusdt@aggTrade/btcusdt@kline_1m');
    harness.faults.frozenStreams.add('btcusdt@aggTrade');
    harness.market.emit(aggTradeEvent());
    harness.market.emit(klineEvent());
    expect(await client.next()).toMatchObject({ e: 'kline' });
    const pong = new Promise<string>((resolve) => client.socket.once('pong', (data) => resolve(String(data))));
    client.socket.ping('are-you-there');
    expect(await pong).toBe('are-you-there');
    expect(await client.unreadAfter()).toEqual([]);
    harness.faults.frozenStreams.clear();
    harness.market.emit(aggTradeEvent());
    expect(await client.next()).toMatchObject({ e: 'aggTrade' });
  });

  it('dropDepthDiff true → that diff is lost on every depth variant and connection; partial depth still flows', async () => {
    const fast = await harness.connect('/public/ws/btcusdt@depth@100ms');
    const combined = await harness.connect('/public/stream?streams=btcusdt@depth/btcusdt@depth5');
    harness.faults.depthDiffsToDrop = 1;
    harness.market.emit(depthEvent('BTCUSDT', 20));
    harness.market.emit(depthEvent('BTCUSDT', 26));
    expect(await fast.next()).toMatchObject({ e: 'depthUpdate', u: 26, pu: 20 });
    expect(await combined.next()).toMatchObject({ stream: 'btcusdt@depth5', data: { u: 20 } });
    expect(await combined.next()).toMatchObject({ stream: 'btcusdt@depth', data: { u: 26, pu: 20 } });
    expect(await combined.next()).toMatchObject({ stream: 'btcusdt@depth5', data: { u: 26 } });
    expect(await Promise.all([fast.unreadAfter(), combined.unreadAfter()])).toEqual([[], []]);
  });

  it('no diff subscriber → the depth-gap gate is not asked (its count is not spent on nobody)', async () => {
    await harness.connect('/public/ws/btcusdt@depth5/ethusdt@depth@100ms');
    harness.market.emit(depthEvent('BTCUSDT', 20));
    harness.market.emit(depthEvent('ETHUSDT', 20));
    expect(harness.faults.depthDropQuestions).toEqual(['ETHUSDT']);
  });

  it('wsLatencyMs → messages held until the clock reaches them, order kept', async () => {
    const client = await harness.connect('/market/ws/btcusdt@aggTrade/btcusdt@kline_1m');
    harness.faults.latencyMs = 100;
    harness.market.emit(aggTradeEvent());
    harness.faults.latencyMs = 0;
    harness.market.emit(klineEvent());
    expect(await client.unreadAfter()).toEqual([]);
    harness.clock.advance(100);
    expect(await client.next()).toMatchObject({ e: 'aggTrade' });
    expect(await client.next()).toMatchObject({ e: 'kline' });
  });

  it('one event, many subscribers → rendered once (market.book read once per depth size)', async () => {
    const first = await harness.connect('/public/ws/btcusdt@depth5');
    const second = await harness.connect('/public/stream?streams=btcusdt@depth5/btcusdt@depth5@100ms');
    harness.market.emit(depthEvent());
    await first.next();
    await second.next();
    await second.next();
    expect(harness.market.bookCalls).toBe(1);
  });

  it('closeConnections({channel}) → only that channel cut, count returned', async () => {
    const market1 = await harness.connect('/market/ws');
    const market2 = await harness.connect('/market/ws');
    const publicClient = await harness.connect('/public/ws');
    expect(harness.server.connectionCount()).toBe(3);
    expect(harness.server.closeConnections({ channel: 'market' })).toBe(2);
    expect(await market1.closed()).toBe(1006);
    expect(await market2.closed()).toBe(1006);
    expect(publicClient.isClosed).toBe(false);
    expect(harness.server.connectionCount()).toBe(1);
  });

  it('closeConnections({count}) → at most count cut', async () => {
    await harness.connect('/market/ws');
    await harness.connect('/market/ws');
    await harness.connect('/public/ws');
    expect(harness.server.closeConnections({ count: 2 })).toBe(2);
    expect(harness.server.connectionCount()).toBe(1);
    expect(harness.server.closeConnections({ channel: 'private' })).toBe(0);
  });

  it('stop → every socket cut, no clock timer left, later upgrades refused', async () => {
    const client = await harness.connect('/market/ws/btcusdt@aggTrade');
    await harness.server.stop();
    expect(await client.closed()).toBe(1006);
    harness.listenKeys.dispose();
    expect(harness.clock.pendingTimers).toBe(0);
    expect(harness.server.connectionCount()).toBe(0);
    expect(harness.market.listenerCount).toBe(0);
    expect(await harness.refusal('/market/ws')).toBe(503);
  });
});
