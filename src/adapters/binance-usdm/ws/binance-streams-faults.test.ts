import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../lib/random.ts';
import { SystemClock } from '../../../lib/system-clock.ts';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../../sim/simulator.ts';
import { BinanceRestClient } from '../rest/binance-rest-client.ts';
import { BinanceStreams, type BinanceStreamsDeps } from './binance-streams.ts';
import { eventually, RecordingHandlers, wallSleep } from './streams-test-kit.ts';

/**
 * Playbook §1 against the real simulator (issue 3 point 10): drop, silent freeze, refused
 * reconnects, forced reconnect and the 24 h rotation, with timings compressed and bounded waits.
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

/** Compressed connection timings: backoff 50 ms doubling to 400 ms, silence 1 s. */
const FAST = {
  backoffInitialMs: 50,
  backoffMaxMs: 400,
  silenceReconnectMs: 1_000,
  pingIntervalMs: 500,
  pongTimeoutMs: 500,
  connectTimeoutMs: 2_000,
};

async function setup(simOptions: SimulatorOptions = {}, options: BinanceStreamsDeps['options'] = {}) {
  const running = await startSimulator({ port: 0, seed: 9, ...simOptions });
  const clock = new SystemClock();
  const client = new BinanceRestClient({
    clock,
    endpoints: [running.urls.rest],
    credentials: { apiKey: running.apiKey, apiSecret: running.apiSecret },
  });
  const subject = new BinanceStreams({
    clock,
    random: createRandom(4),
    wsBaseUrl: running.urls.ws,
    rest: client,
    options: { ...options, market: { ...FAST, ...options.market } },
  });
  const handlers = new RecordingHandlers();
  await subject.start(handlers);
  sim = running;
  rest = client;
  streams = subject;
  return { sim: running, streams: subject, handlers };
}

describe('BinanceStreams under WebSocket faults', () => {
  it('ws-close (drop) → disconnected, reconnected after resubscribing, and data flows again on both paths', async () => {
    const { sim, streams, handlers } = await setup();
    await streams.subscribe([
      { kind: 'bookTicker', symbol: 'BTCUSDT' },
      { kind: 'trade', symbol: 'BTCUSDT' },
    ]);
    await eventually(() => handlers.marketOf('trade').length > 0 && handlers.marketOf('bookTicker').length > 0, 'data');
    sim.faults.inject({ type: 'ws-close' });
    const reconnected = await eventually(() => {
      const names = handlers.lifecycleOf('reconnected').map((event) => event.connection);
      return names.includes('public') && names.includes('market') ? names : undefined;
    }, 'both connections reconnected');
    expect(reconnected.sort()).toEqual(['market', 'public']);
    expect(handlers.lifecycleOf('disconnected')).toHaveLength(2);
    const from = handlers.market.length;
    await eventually(
      () => handlers.marketOf('trade', from).length > 0 && handlers.marketOf('bookTicker', from).length > 0,
      'data after the reconnect',
    );
    expect(streams.health().every((each) => each.reconnects === 1 && each.state === 'open')).toBe(true);
  });

  it('ws-freeze (open but silent) → receive age grows, the silence watchdog reconnects, data resumes', async () => {
    const { sim, streams, handlers } = await setup();
    await streams.subscribe([{ kind: 'bookTicker', symbol: 'BTCUSDT' }]);
    await eventually(() => handlers.marketOf('bookTicker').length > 0, 'data');
    const fault = sim.faults.inject({ type: 'ws-freeze', durationMs: 2_500 });
    // Pings are still answered: only the receive age can tell.
    await eventually(() => (streams.health()[0]?.receiveAgeMs ?? 0) > 700, 'receive age above 700 ms');
    expect(streams.health()[0]?.state).toBe('open');
    const silent = await eventually(() => handlers.lifecycleOf('disconnected')[0], 'the watchdog', 3_000);
    expect(silent.reason).toMatch(/^no data for \d+ ms$/);
    const endsAt = fault.endsAt ?? 0;
    await eventually(
      () => handlers.marketOf('bookTicker').some((event) => event.receivedAt > endsAt),
      'data after the freeze',
      5_000,
    );
    await eventually(() => handlers.lifecycleOf('reconnected').length > 0, 'reconnected');
    expect(streams.health()[0]?.receiveAgeMs).toBeLessThan(1_000);
  });

  it('ws-refuse for 3 s → keeps retrying with capped backoff (no attempt limit) and reconnects soon after', async () => {
    const { sim, streams, handlers } = await setup();
    await streams.subscribe([{ kind: 'bookTicker', symbol: 'BTCUSDT' }]);
    await eventually(() => handlers.marketOf('bookTicker').length > 0, 'data');
    sim.faults.inject({ type: 'ws-refuse', durationMs: 3_000 });
    sim.faults.inject({ type: 'ws-close' });
    const reconnected = await eventually(() => handlers.lifecycleOf('reconnected')[0], 'reconnected', 8_000);
    // Down for the whole refusal, and back within one capped delay (400 ms) of its end.
    expect(reconnected.downtimeMs).toBeGreaterThanOrEqual(2_900);
    expect(reconnected.downtimeMs).toBeLessThan(3_000 + 400 + 400);
    // Doubling without a cap would fit at most ~7 attempts in 3 s; capped at 400 ms it takes ≥ 10.
    const refusals = sim.faults.log().find((entry) => entry.type === 'ws-refuse')?.effects ?? 0;
    expect(refusals).toBeGreaterThanOrEqual(9);
    const from = handlers.market.length;
    await eventually(() => handlers.marketOf('bookTicker', from).length > 0, 'data after the refusal');
  });

  it('reconnect({force:true}) → every connection dropped and back, data flows', async () => {
    const { streams, handlers } = await setup();
    await streams.subscribe([
      { kind: 'bookTicker', symbol: 'BTCUSDT' },
      { kind: 'markPrice', symbol: 'BTCUSDT' },
    ]);
    await eventually(() => handlers.marketOf('bookTicker').length > 0, 'data');
    await streams.reconnect({ force: true });
    await eventually(() => handlers.lifecycleOf('reconnected').length === 2, 'both reconnected');
    expect(handlers.lifecycleOf('disconnected').map((event) => event.reason)).toEqual([
      'forced reconnect',
      'forced reconnect',
    ]);
    const from = handlers.market.length;
    await eventually(() => handlers.marketOf('markPrice', from).length > 0, 'mark price after');
  });
});

describe('BinanceStreams: rotation before the 24 h cut (scaled)', () => {
  it('server cut at 2.5 s, rotation at 1 s → new sockets before the cut, no drop, no gap, no duplicate', async () => {
    const { streams, handlers } = await setup(
      { streams: { maxConnectionMs: 2_500 } },
      { market: { maxConnectionAgeMs: 1_000, rotationOverlapMs: 300, silenceReconnectMs: 0 } },
    );
    await streams.subscribe([
      { kind: 'book', symbol: 'BTCUSDT', depth: 5 },
      { kind: 'trade', symbol: 'BTCUSDT' },
    ]);
    await eventually(() => handlers.marketOf('book').length > 0, 'the book');
    await wallSleep(4_500);
    const connected = handlers.lifecycleOf('connected');
    expect(connected.filter((event) => event.connection === 'public').length).toBeGreaterThanOrEqual(4);
    expect(connected.filter((event) => event.connection === 'market').length).toBeGreaterThanOrEqual(4);
    expect(handlers.lifecycleOf('disconnected')).toEqual([]);
    // The diff chain never broke: a lost or repeated diff would have forced a resync.
    expect(handlers.lifecycleOf('bookResynced')).toEqual([]);
    const bookIds = handlers.marketOf('book').map((event) => event.lastUpdateId);
    expect(bookIds.every((id, index) => index === 0 || id > (bookIds[index - 1] ?? 0))).toBe(true);
    // Aggregate trade ids are consecutive on the venue: every one arrived exactly once.
    const tradeIds = handlers.marketOf('trade').map((event) => event.tradeId);
    console.log(
      JSON.stringify(tradeIds.map((id, i) => id - (tradeIds[i - 1] ?? id))),
      JSON.stringify(handlers.lifecycle.map((e) => [e.kind, (e as { connection?: string }).connection, e.at % 100000])),
      JSON.stringify(handlers.marketOf('trade').map((e) => e.receivedAt % 100000)),
    );
    expect(tradeIds.length).toBeGreaterThan(10);
    expect(tradeIds.every((id, index) => index === 0 || id === (tradeIds[index - 1] ?? 0) + 1)).toBe(true);
  });
});
