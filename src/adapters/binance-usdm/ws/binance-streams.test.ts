import { afterEach, describe, expect, it } from 'vitest';
import { parseFixed } from '../../../lib/fixed.ts';
import { createRandom } from '../../../lib/random.ts';
import { SystemClock } from '../../../lib/system-clock.ts';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../../sim/simulator.ts';
import { LatencyTracker } from '../latency/latency-tracker.ts';
import { BinanceRestClient } from '../rest/binance-rest-client.ts';
import { BinanceStreams, type BinanceStreamsDeps } from './binance-streams.ts';
import { eventually, RecordingHandlers, wallSleep } from './streams-test-kit.ts';

/**
 * BinanceStreams against the real simulator over loopback (issue 3 points 6 and 10): every
 * subscription kind delivers on its split path, the user stream and its listenKey, the depth book
 * across a gap, and WS latency. Timings are compressed; every wait is bounded.
 */

let sim: RunningSimulator | undefined;
let rest: BinanceRestClient | undefined;
let streams: BinanceStreams | undefined;

afterEach(async () => {
  await streams?.stop();
  await rest?.close();
  await sim?.stop();
  streams = undefined;
  rest = undefined;
  sim = undefined;
});

async function setup(simOptions: SimulatorOptions = {}, options: BinanceStreamsDeps['options'] = {}) {
  const running = await startSimulator({ port: 0, seed: 5, ...simOptions });
  const clock = new SystemClock();
  const client = new BinanceRestClient({
    clock,
    endpoints: [running.urls.rest],
    credentials: { apiKey: running.apiKey, apiSecret: running.apiSecret },
  });
  const latency = new LatencyTracker({ clock, windowMs: 60_000 });
  const subject = new BinanceStreams({
    clock,
    random: createRandom(3),
    wsBaseUrl: running.urls.ws,
    rest: client,
    latency,
    serverTimeOffsetMs: () => client.status().serverTimeOffsetMs,
    options,
  });
  const handlers = new RecordingHandlers();
  await subject.start(handlers);
  sim = running;
  rest = client;
  streams = subject;
  return { sim: running, rest: client, streams: subject, handlers, latency };
}

/** A BTCUSDT limit buy 3 % under the mark: accepted and resting, so it yields one ORDER_TRADE_UPDATE. */
async function placeRestingOrder(running: RunningSimulator, client: BinanceRestClient, clientOrderId: string) {
  const mark = running.market.markPrice('BTCUSDT').markPrice;
  const price = ((mark * 97n) / 100n / 10_000_000n) * 10_000_000n; // 3 % under, on the 0.1 tick grid
  await client.placeOrder({
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: parseFixed('0.002'),
    price,
    timeInForce: 'GTC',
    reduceOnly: false,
    clientOrderId,
  });
}

describe('BinanceStreams on the simulator: market data on the split paths', () => {
  it('each subscription kind → delivers (a wrong path would be silent), receive age per stream', async () => {
    const { streams, handlers } = await setup();
    await streams.subscribe([
      { kind: 'bookTicker', symbol: 'BTCUSDT' },
      { kind: 'book', symbol: 'BTCUSDT', depth: 10 },
      { kind: 'trade', symbol: 'BTCUSDT' },
      { kind: 'markPrice', symbol: 'BTCUSDT' },
      { kind: 'kline', symbol: 'BTCUSDT', interval: '1m' },
    ]);
    for (const kind of ['bookTicker', 'book', 'trade', 'markPrice', 'kline'] as const) {
      await eventually(() => handlers.marketOf(kind).length > 0, `a ${kind} event`, 5_000);
    }
    const book = handlers.marketOf('book').at(-1);
    expect(book?.bids).toHaveLength(10);
    expect((book?.bids[0]?.price ?? 0n) < (book?.asks[0]?.price ?? 0n)).toBe(true);
    const health = streams.health();
    expect(health.map((each) => [each.stream, each.connection]).sort()).toEqual(
      [
        ['btcusdt@aggTrade', 'market'],
        ['btcusdt@bookTicker', 'public'],
        ['btcusdt@depth@100ms', 'public'],
        ['btcusdt@kline_1m', 'market'],
        ['btcusdt@markPrice@1s', 'market'],
      ].sort(),
    );
    for (const each of health) {
      expect(each.state).toBe('open');
      expect(each.receiveAgeMs).toBeGreaterThanOrEqual(0);
      expect(each.receiveAgeMs).toBeLessThan(3_000);
    }
  });

  it('unsubscribe → nothing more of that stream (even in flight), gone from health; the other keeps flowing', async () => {
    const { streams, handlers } = await setup();
    await streams.subscribe([
      { kind: 'bookTicker', symbol: 'BTCUSDT' },
      { kind: 'bookTicker', symbol: 'ETHUSDT' },
    ]);
    await eventually(() => handlers.marketOf('bookTicker').some((event) => event.symbol === 'ETHUSDT'), 'ETHUSDT');
    await streams.unsubscribe([{ kind: 'bookTicker', symbol: 'ETHUSDT' }]);
    expect(streams.health().map((each) => each.stream)).toEqual(['btcusdt@bookTicker']);
    const from = handlers.market.length;
    await eventually(() => handlers.marketOf('bookTicker', from).length >= 5, 'more BTCUSDT tickers');
    expect(handlers.marketOf('bookTicker', from).every((event) => event.symbol === 'BTCUSDT')).toBe(true);
  });

  it('WS latency fault → recorded WS latency rises from near zero past the injected delay', async () => {
    const { sim, streams, handlers, latency } = await setup();
    await streams.subscribe([{ kind: 'bookTicker', symbol: 'BTCUSDT' }]);
    await eventually(() => handlers.marketOf('bookTicker').length >= 10, '10 tickers');
    expect(latency.ws('btcusdt@bookTicker').p95Ms).toBeLessThan(100);
    sim.faults.inject({ type: 'latency', target: 'ws', fixedMs: 300, durationMs: 5_000 });
    const from = handlers.market.length;
    await eventually(() => handlers.marketOf('bookTicker', from).length >= 20, '20 delayed tickers', 8_000);
    const summary = latency.ws('btcusdt@bookTicker');
    expect(summary.p95Ms).toBeGreaterThanOrEqual(290);
    expect(summary.maxMs).toBeLessThan(1_000);
  });
});

describe('BinanceStreams on the simulator: local depth book', () => {
  it('depth-gap fault → bookResynced, and the book equals a fresh REST snapshot', async () => {
    const { sim, rest, streams, handlers } = await setup({ manualTicks: true });
    await streams.subscribe([{ kind: 'book', symbol: 'BTCUSDT', depth: 20 }]);
    await eventually(() => {
      sim.market.tick();
      return handlers.marketOf('book').length >= 3;
    }, 'the first book events');
    expect(handlers.lifecycleOf('bookResynced')).toEqual([]);

    sim.faults.inject({ type: 'depth-gap', symbol: 'BTCUSDT' });
    sim.market.tick(); // this diff never reaches the client
    const resynced = await eventually(() => {
      sim.market.tick();
      return handlers.lifecycleOf('bookResynced')[0];
    }, 'bookResynced');
    expect(resynced).toMatchObject({ kind: 'bookResynced', symbol: 'BTCUSDT' });
    expect(resynced.reason).toContain('gap');
    expect(sim.faults.log()).toMatchObject([{ type: 'depth-gap', effects: 1 }]);

    // No more ticks: the book must settle on exactly the venue's current book.
    const snapshot = await rest.getDepthSnapshot('BTCUSDT', 1000);
    const book = await eventually(() => {
      const last = handlers.marketOf('book').at(-1);
      return last?.lastUpdateId === snapshot.lastUpdateId ? last : undefined;
    }, 'the book to reach the snapshot id');
    expect(book.bids).toEqual(snapshot.bids.slice(0, 20));
    expect(book.asks).toEqual(snapshot.asks.slice(0, 20));
  });
});

describe('BinanceStreams on the simulator: user data and listenKey', () => {
  it('startUserData → ORDER_TRADE_UPDATE of a REST order arrives as an orderUpdate', async () => {
    const { sim, rest, streams, handlers } = await setup();
    await streams.startUserData();
    await placeRestingOrder(sim, rest, 'ws-user-1');
    const update = await eventually(
      () => handlers.user.find((event) => event.kind === 'orderUpdate' && event.clientOrderId === 'ws-user-1'),
      'the order update',
    );
    expect(update).toMatchObject({ kind: 'orderUpdate', symbol: 'BTCUSDT', executionType: 'NEW' });
    expect(streams.health().find((each) => each.stream === 'userData')?.state).toBe('open');
  });

  it('listenKey expires (validity 1.5 s, no keepalive) → listenKeyExpired, new key, user events flow again', async () => {
    const { sim, rest, streams, handlers } = await setup(
      { listenKeyValidityMs: 1_500 },
      { listenKeyKeepAliveMs: 600_000 },
    );
    await streams.startUserData();
    const firstKey = streams.listenKey;
    const renewed = await eventually(() => handlers.lifecycleOf('listenKeyRenewed')[0], 'listenKeyRenewed', 6_000);
    expect(renewed.reason).toBe('listenKeyExpired');
    expect(handlers.user.some((event) => event.kind === 'listenKeyExpired')).toBe(true);
    expect(streams.listenKey).not.toBe(firstKey);
    await eventually(
      () => handlers.lifecycleOf('reconnected').some((event) => event.connection === 'userData'),
      'the user socket on the new key',
    );
    await placeRestingOrder(sim, rest, 'ws-user-2');
    await eventually(
      () => handlers.user.find((event) => event.kind === 'orderUpdate' && event.clientOrderId === 'ws-user-2'),
      'an order update on the new key',
    );
  });

  it('keepalive faster than the validity → the key never expires', async () => {
    const { sim, rest, streams, handlers } = await setup({ listenKeyValidityMs: 1_000 }, { listenKeyKeepAliveMs: 300 });
    await streams.startUserData();
    const key = streams.listenKey;
    await wallSleep(2_500);
    expect(handlers.lifecycleOf('listenKeyRenewed')).toEqual([]);
    expect(handlers.user.some((event) => event.kind === 'listenKeyExpired')).toBe(false);
    expect(streams.listenKey).toBe(key);
    await placeRestingOrder(sim, rest, 'ws-user-3');
    await eventually(
      () => handlers.user.find((event) => event.kind === 'orderUpdate' && event.clientOrderId === 'ws-user-3'),
      'the order update',
    );
  });
});
