import { beforeEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../lib/random.ts';
import { TestClock } from '../../../lib/test-clock.ts';
import type { StreamLifecycleEvent } from '../../../ports/exchange-streams.ts';
import { FakeStreamSockets } from './fake-stream-sockets.ts';
import { type ClassifiedFrame, StreamConnection } from './stream-connection.ts';
import { DEFAULT_STREAM_CONNECTION_OPTIONS, type StreamConnectionOptions } from './stream-connection-options.ts';

interface TestMessage {
  readonly stream: string;
  readonly seq: number;
}

/** Test frames: `{"result":null,"id":n}` control replies, `{"stream":s,"data":{"seq":n}}` data. */
function classify(text: string): ClassifiedFrame<TestMessage> {
  const frame = JSON.parse(text) as {
    id?: number;
    error?: { msg: string };
    stream?: string;
    data?: { seq: number };
  };
  if (frame.id !== undefined) return { kind: 'control', id: frame.id, error: frame.error?.msg };
  if (frame.stream !== undefined && frame.data !== undefined) {
    const message = { stream: frame.stream, seq: frame.data.seq };
    return { kind: 'data', stream: frame.stream, key: frame.data.seq, message };
  }
  return { kind: 'unrouted', message: { stream: '', seq: -1 } };
}

const data = (stream: string, seq: number) => ({ stream, data: { seq } });

let clock: TestClock;
let sockets: FakeStreamSockets;
let messages: TestMessage[];
let lifecycle: StreamLifecycleEvent[];

function connection(options: Partial<StreamConnectionOptions> = {}, subscription: 'frames' | 'url' = 'frames') {
  let urlVersion = 0;
  return new StreamConnection<TestMessage>({
    name: 'public',
    clock,
    random: createRandom(1),
    options: { ...DEFAULT_STREAM_CONNECTION_OPTIONS, ...options },
    subscription,
    url: () => `ws://venue/public/stream#${++urlVersion}`,
    classify,
    onMessage: (message) => messages.push(message),
    onLifecycle: (event) => lifecycle.push(event),
    socketFactory: sockets.factory,
  });
}

const kinds = () => lifecycle.map((event) => event.kind);

beforeEach(() => {
  clock = new TestClock();
  sockets = new FakeStreamSockets();
  messages = [];
  lifecycle = [];
});

/** Starts a connection subscribed to `streams`, opened and acknowledged. */
async function openConnection(streams: readonly string[], options: Partial<StreamConnectionOptions> = {}) {
  const stream = connection(options);
  const subscribed = stream.subscribe(streams);
  sockets.last.open();
  sockets.last.ackAll();
  await subscribed;
  return stream;
}

describe('StreamConnection: connect and subscribe', () => {
  it('subscribe on an idle connection → connects, sends one SUBSCRIBE, resolves on the ack', async () => {
    const stream = connection();
    let resolved = false;
    const subscribed = stream.subscribe(['btcusdt@bookTicker', 'btcusdt@depth@100ms']).then(() => {
      resolved = true;
    });
    expect(stream.state).toBe('connecting');
    sockets.last.open();
    expect(stream.state).toBe('open');
    expect(sockets.last.controls()).toEqual([
      { method: 'SUBSCRIBE', params: ['btcusdt@bookTicker', 'btcusdt@depth@100ms'], id: 1 },
    ]);
    await Promise.resolve();
    expect(resolved).toBe(false);
    sockets.last.ackAll();
    await subscribed;
    expect(kinds()).toEqual(['connected']);
  });

  it('SUBSCRIBE refused by the venue → rejects with EXCHANGE_REJECTED and the stream is forgotten', async () => {
    const stream = await openConnection(['btcusdt@bookTicker']);
    const refused = stream.subscribe(['bad@stream']);
    const control = sockets.last.controls().at(-1);
    clock.advance(250);
    sockets.last.receive({ error: { code: 2, msg: 'Invalid request' }, id: sockets.last.controls().at(-1)?.id });
    await expect(refused).rejects.toMatchObject({ code: 'EXCHANGE_REJECTED' });
    expect(control).toBeDefined();
    expect(stream.health().map((health) => health.stream)).toEqual(['btcusdt@bookTicker']);
  });

  it('two subscribes at once → control frames spaced by controlFrameIntervalMs (Binance: 10 msg/s)', async () => {
    const stream = await openConnection(['a@bookTicker'], { controlFrameIntervalMs: 250 });
    void stream.subscribe(['b@bookTicker']);
    void stream.subscribe(['c@bookTicker']);
    expect(sockets.last.controls().map((control) => control.params)).toEqual([['a@bookTicker']]);
    clock.advance(249);
    expect(sockets.last.controls()).toHaveLength(1);
    clock.advance(1);
    expect(sockets.last.controls()).toHaveLength(2);
    clock.advance(250);
    expect(sockets.last.controls().map((control) => control.params)).toEqual([
      ['a@bookTicker'],
      ['b@bookTicker'],
      ['c@bookTicker'],
    ]);
  });

  it('no SUBSCRIBE reply in time → the socket is cut and a new one resubscribes', async () => {
    const stream = await openConnection(['a@bookTicker'], { controlReplyTimeoutMs: 1_000, backoffInitialMs: 100 });
    void stream.subscribe(['b@bookTicker']);
    clock.advance(1_300);
    expect(sockets.at(0).terminated).toBe(true);
    expect(stream.state).toBe('connecting');
    sockets.last.open();
    expect(sockets.last.controls()[0]?.params).toEqual(['a@bookTicker', 'b@bookTicker']);
  });

  it('no upgrade within connectTimeoutMs → attempt abandoned and retried', () => {
    const stream = connection({ connectTimeoutMs: 2_000, backoffInitialMs: 100, backoffJitter: 0 });
    stream.start();
    clock.advance(2_000);
    expect(sockets.at(0).terminated).toBe(true);
    expect(stream.state).toBe('reconnecting');
    clock.advance(100);
    expect(sockets.all).toHaveLength(2);
  });
});

describe('StreamConnection: drops and reconnects', () => {
  it('drop → disconnected, backoff, reconnect, resubscribe everything, then reconnected with the downtime', async () => {
    const stream = await openConnection(['a@bookTicker', 'b@aggTrade'], { backoffInitialMs: 1_000, backoffJitter: 0 });
    clock.advance(500);
    sockets.last.drop();
    expect(stream.state).toBe('reconnecting');
    expect(lifecycle.at(-1)).toMatchObject({ kind: 'disconnected', connection: 'public' });
    clock.advance(1_000);
    expect(sockets.all).toHaveLength(2);
    sockets.last.open();
    expect(sockets.last.controls()[0]?.params).toEqual(['a@bookTicker', 'b@aggTrade']);
    expect(kinds()).not.toContain('reconnected');
    clock.advance(20);
    sockets.last.ackAll();
    expect(lifecycle.at(-1)).toEqual({
      kind: 'reconnected',
      connection: 'public',
      at: clock.now(),
      downtimeMs: 1_020,
    });
    expect(stream.reconnects).toBe(1);
    sockets.last.receive(data('a@bookTicker', 5));
    expect(messages).toEqual([{ stream: 'a@bookTicker', seq: 5 }]);
  });

  it('refused again and again → exponential delays with jitter, capped, and no attempt limit', () => {
    const stream = connection({ backoffInitialMs: 100, backoffMaxMs: 2_000, backoffJitter: 0.5 });
    stream.start();
    const delays: number[] = [];
    let last = clock.now();
    for (let attempt = 0; attempt < 40; attempt++) {
      sockets.last.reject(503, 'Service Unavailable');
      const before = sockets.all.length;
      while (sockets.all.length === before) clock.advance(1);
      delays.push(clock.now() - last);
      last = clock.now();
    }
    expect(stream.state).toBe('connecting');
    delays.forEach((delay, attempt) => {
      const nominal = Math.min(2_000, 100 * 2 ** attempt);
      expect(delay).toBeGreaterThanOrEqual(nominal / 2);
      expect(delay).toBeLessThanOrEqual(nominal);
    });
    expect(new Set(delays.slice(10)).size).toBeGreaterThan(1);
    sockets.last.open();
    expect(stream.state).toBe('open');
  });

  it('socket open longer than stableAfterMs → the next drop starts the backoff over', async () => {
    await openConnection(['a@bookTicker'], { backoffInitialMs: 100, backoffJitter: 0, stableAfterMs: 10_000 });
    for (let attempt = 0; attempt < 3; attempt++) {
      sockets.last.drop();
      clock.advance(100 * 2 ** attempt);
      sockets.last.open();
      sockets.last.ackAll();
    }
    clock.advance(10_000);
    sockets.last.pong();
    const count = sockets.all.length;
    sockets.last.drop();
    clock.advance(100);
    expect(sockets.all).toHaveLength(count + 1);
  });

  it('reconnect({force:true}) → old socket cut, new one at once, disconnected then reconnected', async () => {
    const stream = await openConnection(['a@bookTicker']);
    stream.reconnect(true);
    expect(sockets.at(0).terminated).toBe(true);
    expect(sockets.all).toHaveLength(2);
    sockets.last.open();
    sockets.last.ackAll();
    expect(kinds()).toEqual(['connected', 'disconnected', 'connected', 'reconnected']);
  });

  it('reconnect({force:true}) while waiting out a backoff → connects at once', async () => {
    const stream = await openConnection(['a@bookTicker'], { backoffInitialMs: 60_000 });
    sockets.last.drop();
    stream.reconnect(true);
    expect(sockets.all).toHaveLength(2);
    expect(stream.state).toBe('connecting');
  });
});

describe('StreamConnection: dead and silent links', () => {
  it('no pong within pongTimeoutMs of a ping → socket cut and reconnecting', async () => {
    const stream = await openConnection(['a@bookTicker'], {
      pingIntervalMs: 10_000,
      pongTimeoutMs: 5_000,
      silenceReconnectMs: 0,
    });
    clock.advance(10_000);
    expect(sockets.last.pings).toHaveLength(1);
    sockets.last.receive(data('a@bookTicker', 1));
    clock.advance(4_999);
    expect(stream.state).toBe('open');
    clock.advance(1);
    expect(stream.state).toBe('reconnecting');
    expect(lifecycle.at(-1)).toMatchObject({ kind: 'disconnected', reason: 'no pong within 5000 ms' });
  });

  it('echoing pongs → the connection stays open; a pong with another payload proves nothing', async () => {
    const stream = await openConnection(['a@bookTicker'], {
      pingIntervalMs: 10_000,
      pongTimeoutMs: 5_000,
      silenceReconnectMs: 0,
    });
    for (let round = 0; round < 5; round++) {
      clock.advance(10_000);
      sockets.last.pong();
    }
    expect(stream.state).toBe('open');
    clock.advance(10_000);
    sockets.last.pong('not-our-payload');
    clock.advance(5_000);
    expect(stream.state).toBe('reconnecting');
  });

  it('open but silent for silenceReconnectMs → receive age grows, then the watchdog reconnects', async () => {
    const stream = await openConnection(['a@bookTicker', 'b@bookTicker'], {
      silenceReconnectMs: 10_000,
      pingIntervalMs: 1_000,
    });
    sockets.last.receive(data('a@bookTicker', 1));
    clock.advance(3_000);
    sockets.last.pong();
    expect(stream.health()).toEqual([
      expect.objectContaining({ stream: 'a@bookTicker', receiveAgeMs: 3_000, state: 'open' }),
      expect.objectContaining({ stream: 'b@bookTicker', receiveAgeMs: undefined, lastMessageAt: undefined }),
    ]);
    for (let second = 0; second < 6; second++) {
      clock.advance(1_000);
      sockets.last.pong();
    }
    expect(stream.state).toBe('open');
    clock.advance(1_000);
    expect(stream.state).toBe('reconnecting');
    expect(lifecycle.at(-1)).toMatchObject({ kind: 'disconnected', reason: 'no data for 10000 ms' });
    expect(stream.health()[0]?.receiveAgeMs).toBe(10_000);
  });

  it('data every second → the silence watchdog never fires', async () => {
    const stream = await openConnection(['a@bookTicker'], { silenceReconnectMs: 3_000, pingIntervalMs: 60_000 });
    for (let second = 0; second < 30; second++) {
      clock.advance(1_000);
      sockets.last.receive(data('a@bookTicker', second));
    }
    expect(stream.state).toBe('open');
    expect(messages).toHaveLength(30);
  });
});

describe('StreamConnection: rotation before the 24 h cut', () => {
  const rotationOptions = { maxConnectionAgeMs: 60_000, silenceReconnectMs: 0, pingIntervalMs: 1_000_000 };

  it('age reached → new socket opened and subscribed while the old one delivers; handed over with no gap or duplicate', async () => {
    const stream = await openConnection(['a@bookTicker'], rotationOptions);
    const [old] = sockets.all;
    clock.advance(60_000);
    expect(sockets.all).toHaveLength(2);
    const fresh = sockets.last;
    old?.receive(data('a@bookTicker', 1));
    fresh.open();
    expect(fresh.controls()[0]?.params).toEqual(['a@bookTicker']);
    // The new socket leads: 3 and 4 arrive there before the old socket delivers 2 and 3.
    old?.receive(data('a@bookTicker', 2));
    fresh.receive(data('a@bookTicker', 3));
    fresh.receive(data('a@bookTicker', 4));
    fresh.ackAll();
    old?.receive(data('a@bookTicker', 3));
    expect(old?.closedWith).toEqual({ code: 1000, reason: 'rotated' });
    old?.receive(data('a@bookTicker', 4));
    fresh.receive(data('a@bookTicker', 5));
    expect(messages.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(kinds()).toEqual(['connected', 'connected']);
    expect(stream.state).toBe('open');
    expect(stream.reconnects).toBe(0);
  });

  it('a quiet stream → handover at rotationOverlapMs, then the next rotation one age later', async () => {
    await openConnection(['a@bookTicker'], { ...rotationOptions, rotationOverlapMs: 2_000 });
    clock.advance(60_000);
    sockets.last.open();
    sockets.last.ackAll();
    expect(sockets.at(0).closedWith).toBeUndefined();
    clock.advance(2_000);
    expect(sockets.at(0).closedWith?.code).toBe(1000);
    clock.advance(57_999);
    expect(sockets.all).toHaveLength(2);
    clock.advance(1);
    expect(sockets.all).toHaveLength(3);
  });

  it('replacement refused → the current socket keeps serving and the rotation is retried', async () => {
    const stream = await openConnection(['a@bookTicker'], { ...rotationOptions, backoffInitialMs: 100 });
    clock.advance(60_000);
    sockets.last.reject(503, 'Service Unavailable');
    sockets.at(0).receive(data('a@bookTicker', 1));
    expect(messages).toHaveLength(1);
    expect(stream.state).toBe('open');
    clock.advance(100);
    expect(sockets.all).toHaveLength(3);
  });

  it('reconnect({force:false}) → a rotation, not a drop', async () => {
    const stream = await openConnection(['a@bookTicker'], rotationOptions);
    stream.reconnect(false);
    expect(sockets.all).toHaveLength(2);
    expect(sockets.at(0).ended).toBe(false);
  });
});

describe('StreamConnection: url subscription and close', () => {
  it('url mode → the URL is read at every connect; no control frames', async () => {
    const stream = connection({ backoffInitialMs: 10 }, 'url');
    const subscribed = stream.subscribe(['userData']);
    sockets.last.open();
    await subscribed;
    sockets.last.drop();
    clock.advance(10);
    expect(sockets.all.map((socket) => socket.url)).toEqual([
      'ws://venue/public/stream#1',
      'ws://venue/public/stream#2',
    ]);
    expect(sockets.at(0).sent).toEqual([]);
  });

  it('close → close frame, closed, every timer cleared, pending subscribes rejected', async () => {
    const stream = await openConnection(['a@bookTicker']);
    const pending = stream.subscribe(['b@bookTicker']);
    const closed = stream.close();
    expect(stream.state).toBe('closed');
    expect(sockets.last.closedWith).toEqual({ code: 1000, reason: 'client stop' });
    await closed;
    await expect(pending).rejects.toMatchObject({ code: 'EXCHANGE_NETWORK' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('close while waiting out a backoff → closed at once, no new socket ever', async () => {
    const stream = await openConnection(['a@bookTicker']);
    sockets.last.drop();
    await stream.close();
    clock.advance(600_000);
    expect(sockets.all).toHaveLength(1);
    expect(stream.state).toBe('closed');
  });
});
