import { beforeEach, describe, expect, it } from 'vitest';
import { ExchangeError } from '../../../domain/exchange-error.ts';
import { createRandom } from '../../../lib/random.ts';
import { TestClock } from '../../../lib/test-clock.ts';
import { BinanceStreams } from './binance-streams.ts';
import type { DepthSnapshot } from './depth-book-sync.ts';
import { FakeStreamSockets } from './fake-stream-sockets.ts';
import { RecordingHandlers } from './streams-test-kit.ts';

/**
 * BinanceStreams with fake sockets and an in-test REST fake on a TestClock: routing, the listenKey
 * lifecycle and the unparsed-message report, where time must be controlled exactly.
 */

class FakeRest {
  keys = 0;
  keepAlives = 0;
  closes = 0;
  /** The next keepalive throws this (then succeeds again). */
  keepAliveError: Error | undefined;
  async getDepthSnapshot(): Promise<DepthSnapshot> {
    return { lastUpdateId: 1, bids: [], asks: [] };
  }
  async createListenKey(): Promise<string> {
    this.keys += 1;
    return `key${this.keys}`;
  }
  async keepAliveListenKey(): Promise<void> {
    this.keepAlives += 1;
    const error = this.keepAliveError;
    this.keepAliveError = undefined;
    if (error !== undefined) throw error;
  }
  async closeListenKey(): Promise<void> {
    this.closes += 1;
  }
}

let clock: TestClock;
let sockets: FakeStreamSockets;
let rest: FakeRest;
let handlers: RecordingHandlers;
let streams: BinanceStreams;

beforeEach(async () => {
  clock = new TestClock();
  sockets = new FakeStreamSockets();
  rest = new FakeRest();
  handlers = new RecordingHandlers();
  streams = new BinanceStreams({
    clock,
    random: createRandom(1),
    wsBaseUrl: 'wss://venue',
    rest,
    socketFactory: sockets.factory,
    options: {
      listenKeyKeepAliveMs: 30 * 60_000,
      listenKeyRetryMs: 1_000,
      unparsedReportIntervalMs: 10_000,
      market: { silenceReconnectMs: 0 },
    },
  });
  await streams.start(handlers);
});

/** Lets the promise callbacks of the fakes run. */
const settle = async () => {
  for (let round = 0; round < 10; round++) await Promise.resolve();
};

async function startUser() {
  const started = streams.startUserData();
  await settle();
  sockets.last.open();
  await started;
  return sockets.last;
}

describe('BinanceStreams routing (reference §3.1 split paths)', () => {
  it('bookTicker and book → /public; aggTrade, markPrice@1s and kline → /market, in stream mode', async () => {
    void streams.subscribe([
      { kind: 'bookTicker', symbol: 'BTCUSDT' },
      { kind: 'trade', symbol: 'BTCUSDT' },
      { kind: 'book', symbol: 'ETHUSDT', depth: 20 },
      { kind: 'markPrice', symbol: 'BTCUSDT' },
      { kind: 'kline', symbol: 'BTCUSDT', interval: '1M' },
    ]);
    for (const socket of sockets.all) socket.open();
    const byUrl = Object.fromEntries(sockets.all.map((socket) => [socket.url, socket.controls()[0]?.params]));
    expect(byUrl).toEqual({
      'wss://venue/public/stream': ['btcusdt@bookTicker', 'ethusdt@depth@100ms'],
      'wss://venue/market/stream': ['btcusdt@aggTrade', 'btcusdt@markPrice@1s', 'btcusdt@kline_1M'],
    });
  });

  it('unknown kline interval or bad symbol → EXCHANGE_REJECTED before anything is sent', async () => {
    await expect(streams.subscribe([{ kind: 'kline', symbol: 'BTCUSDT', interval: '1s' }])).rejects.toMatchObject({
      code: 'EXCHANGE_REJECTED',
    });
    await expect(streams.subscribe([{ kind: 'bookTicker', symbol: 'BTC/USDT' }])).rejects.toMatchObject({
      code: 'EXCHANGE_REJECTED',
    });
    expect(sockets.all).toEqual([]);
  });

  it('subscribe before start → EXCHANGE_NETWORK', async () => {
    const unstarted = new BinanceStreams({ clock, random: createRandom(1), wsBaseUrl: 'wss://venue', rest });
    await expect(unstarted.subscribe([{ kind: 'bookTicker', symbol: 'BTCUSDT' }])).rejects.toMatchObject({
      code: 'EXCHANGE_NETWORK',
    });
  });
});

describe('BinanceStreams user data: listenKey lifecycle (reference §3.4)', () => {
  it('startUserData → /private/ws?listenKey=<key>, keepalive every 30 min', async () => {
    const socket = await startUser();
    expect(socket.url).toBe('wss://venue/private/ws?listenKey=key1');
    expect(rest.keepAlives).toBe(0);
    clock.advance(30 * 60_000);
    expect(rest.keepAlives).toBe(1);
    clock.advance(30 * 60_000);
    expect(rest.keepAlives).toBe(2);
    expect(streams.health().map((each) => each.stream)).toEqual(['userData']);
  });

  it('keepalive answers -1125 → new key, user socket moved onto it, listenKeyRenewed', async () => {
    await startUser();
    rest.keepAliveError = new ExchangeError('EXCHANGE_REJECTED', 'This listenKey does not exist.', {
      venueCode: -1125,
    });
    clock.advance(30 * 60_000);
    await settle();
    expect(rest.keys).toBe(2);
    expect(sockets.last.url).toBe('wss://venue/private/ws?listenKey=key2');
    expect(handlers.lifecycleOf('listenKeyRenewed')).toEqual([
      { kind: 'listenKeyRenewed', at: clock.now(), reason: 'keepalive answered -1125' },
    ]);
  });

  it('keepalive fails on the network → retried after listenKeyRetryMs, not half an hour later', async () => {
    await startUser();
    rest.keepAliveError = new ExchangeError('EXCHANGE_NETWORK', 'reset');
    clock.advance(30 * 60_000);
    await settle();
    expect(rest.keepAlives).toBe(1);
    clock.advance(1_000);
    expect(rest.keepAlives).toBe(2);
    expect(rest.keys).toBe(1);
  });

  it('listenKeyExpired event → delivered, then a new key and a reconnect onto it', async () => {
    const socket = await startUser();
    socket.receive({ e: 'listenKeyExpired', E: '1736996475556', listenKey: 'key1' });
    await settle();
    expect(handlers.user.map((event) => event.kind)).toEqual(['listenKeyExpired']);
    expect(sockets.last.url).toBe('wss://venue/private/ws?listenKey=key2');
    expect(handlers.lifecycleOf('listenKeyRenewed')[0]?.reason).toBe('listenKeyExpired');
  });

  it('reconnect refused with 400 -1125 (key gone) → new key instead of retrying the dead one', async () => {
    const socket = await startUser();
    socket.drop();
    clock.advance(1_000);
    sockets.last.reject(400, '{"code":-1125,"msg":"This listenKey does not exist."}');
    await settle();
    expect(rest.keys).toBe(2);
    expect(sockets.last.url).toBe('wss://venue/private/ws?listenKey=key2');
  });

  it('stop → connections closed, key closed, no timer left', async () => {
    await startUser();
    await streams.stop();
    expect(rest.closes).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('BinanceStreams: messages it does not understand', () => {
  it('unknown event types → counted, reported at most once per interval with the count, never fatal', async () => {
    void streams.subscribe([{ kind: 'bookTicker', symbol: 'BTCUSDT' }]);
    sockets.last.open();
    sockets.last.ackAll();
    const weird = { stream: 'btcusdt@bookTicker', data: { e: 'bookTickerV2', E: 1 } };
    for (let index = 0; index < 5; index++) sockets.last.receive(weird);
    sockets.last.receive('not json at all');
    expect(streams.unparsedMessages).toBe(6);
    expect(handlers.lifecycleOf('unparsedMessage')).toHaveLength(1);
    clock.advance(10_000);
    sockets.last.receive(weird);
    const reports = handlers.lifecycleOf('unparsedMessage');
    expect(reports).toHaveLength(2);
    expect(reports[1]?.detail).toBe(
      '6 message(s) not understood since the last report; latest: unknown event type "bookTickerV2"',
    );
    expect(streams.health()[0]?.state).toBe('open');
  });
});
