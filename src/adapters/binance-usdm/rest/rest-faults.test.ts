import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../lib/clock.ts';
import { SystemClock } from '../../../lib/system-clock.ts';
import { TestClock } from '../../../lib/test-clock.ts';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../../sim/simulator.ts';
import type { BinanceRestClient, BinanceRestOptions } from './binance-rest-client.ts';
import type { RestClientEvent } from './rest-client-event.ts';
import { clientFor, countWithClientId, rejection, restingBuy, waitFor } from './rest-test-kit.ts';

/** Every REST fault of the simulator against the client (issue 3, points 2, 3, 4 and 10). */

const running: { sim: RunningSimulator; client: BinanceRestClient }[] = [];

async function venue(
  clock: Clock,
  client: Partial<BinanceRestOptions> = {},
  sim: SimulatorOptions = {},
): Promise<{ sim: RunningSimulator; client: BinanceRestClient; events: RestClientEvent[] }> {
  const started = await startSimulator({ port: 0, seed: 5, manualTicks: true, clock, ...sim });
  const built = clientFor(started, clock, client);
  running.push({ sim: started, client: built.client });
  return { sim: started, ...built };
}

afterEach(async () => {
  for (const { sim, client } of running.splice(0)) {
    await client.close();
    await sim.stop();
  }
});

const effects = (sim: RunningSimulator, id: string) => sim.faults.log().find((entry) => entry.id === id)?.effects ?? 0;
const allOrders = (sim: RunningSimulator) => sim.exchange.allOrders('BTCUSDT', { limit: 1000 });
const mark = (sim: RunningSimulator) => sim.market.markPrice('BTCUSDT').markPrice;

describe('429 storm: Retry-After is global', () => {
  it('429 → hold for Retry-After; requests during it fail fast and never reach the venue', async () => {
    const clock = new TestClock();
    const { sim, client, events } = await venue(clock);
    const fault = sim.faults.inject({ type: 'rest-error', status: 429, retryAfterSeconds: 30 });
    const first = await rejection(client.ping());
    expect(first.code).toBe('EXCHANGE_RATE_LIMITED');
    expect(first.details.retryAfterMs).toBe(30_000);
    const until = clock.now() + 30_000;
    expect(client.status()).toMatchObject({ holdUntil: until, holdReason: 'rate-limited' });
    expect(events).toContainEqual(expect.objectContaining({ kind: 'hold', reason: 'rate-limited', until }));

    const during = [
      client.ping(),
      client.getAccount(),
      client.placeOrder(restingBuy(mark(sim))),
      client.getOpenOrders(),
    ];
    for (const attempt of during) {
      const error = await rejection(attempt);
      expect(error.code).toBe('EXCHANGE_RATE_LIMITED');
      expect(error.details.until).toBe(until);
    }
    clock.advance(29_999);
    expect((await rejection(client.ping())).code).toBe('EXCHANGE_RATE_LIMITED');
    // Only the first request reached the simulator during the whole hold.
    expect(effects(sim, fault.id)).toBe(1);
    expect(allOrders(sim)).toHaveLength(0);

    sim.faults.clear(fault.id);
    clock.advance(1);
    await client.ping();
    expect(client.status().holdUntil).toBeUndefined();
  });

  it('418 → IP_BANNED until the time quoted in the body; nothing leaves before it', async () => {
    const clock = new TestClock();
    const { sim, client } = await venue(clock);
    const fault = sim.faults.inject({ type: 'rest-error', status: 418, retryAfterSeconds: 120 });
    const error = await rejection(client.getServerTime());
    expect(error.code).toBe('EXCHANGE_IP_BANNED');
    expect(error.details.until).toBe(clock.now() + 120_000);
    expect(client.status().holdReason).toBe('ip-banned');
    clock.advance(119_000);
    const during = await rejection(client.placeOrder(restingBuy(mark(sim))));
    expect(during.code).toBe('EXCHANGE_IP_BANNED');
    expect(effects(sim, fault.id)).toBe(1);
    sim.faults.clear(fault.id);
    clock.advance(1000);
    await client.ping();
  });
});

describe('503 variants, 504, 408 and 500', () => {
  it.each([
    ['unavailable', 'Service Unavailable.'],
    ['internal', 'Internal error'],
    ['throttled', 'Request throttled'],
  ] as const)(
    '503 %s on a new order → EXCHANGE_UNAVAILABLE, certain failure, no resolution queries',
    async (variant, text) => {
      const { sim, client, events } = await venue(new SystemClock());
      sim.faults.inject({ type: 'rest-error', status: 503, variant, count: 1, paths: ['/fapi/v1/order'] });
      const request = restingBuy(mark(sim));
      const error = await rejection(client.placeOrder(request));
      expect(error.code).toBe('EXCHANGE_UNAVAILABLE');
      expect(error.details.venueMessage).toContain(text);
      expect(events.some((event) => event.kind === 'unknownOutcome')).toBe(false);
      expect(countWithClientId(allOrders(sim), request.clientOrderId)).toBe(0);
    },
  );

  it('503 "Unknown error" on a read → EXCHANGE_UNAVAILABLE (a read has no outcome to lose)', async () => {
    const { sim, client } = await venue(new SystemClock());
    sim.faults.inject({ type: 'rest-error', status: 503, variant: 'unknown', count: 1 });
    expect((await rejection(client.getOpenOrders('BTCUSDT'))).code).toBe('EXCHANGE_UNAVAILABLE');
  });

  it.each([
    [504, 'html'],
    [504, 'empty'],
    [408, undefined],
    [500, undefined],
  ] as const)('%s %s with execution on a new order → resolved by query, exactly one order', async (status, variant) => {
    const { sim, client } = await venue(new SystemClock());
    sim.faults.inject({
      type: 'rest-error',
      status,
      ...(variant !== undefined && { variant }),
      executed: true,
      count: 1,
      paths: ['/fapi/v1/order'],
    });
    const request = restingBuy(mark(sim));
    const report = await client.placeOrder(request);
    expect(report.clientOrderId).toBe(request.clientOrderId);
    expect(countWithClientId(allOrders(sim), request.clientOrderId)).toBe(1);
  });

  it('504 on a read → EXCHANGE_UNAVAILABLE; 504 on a lost order → EXCHANGE_UNKNOWN_OUTCOME, order absent', async () => {
    const { sim, client } = await venue(new SystemClock());
    sim.faults.inject({ type: 'rest-error', status: 504, count: 1, paths: ['/fapi/v3/positionRisk'] });
    expect((await rejection(client.getPositions())).code).toBe('EXCHANGE_UNAVAILABLE');
    sim.faults.inject({ type: 'rest-error', status: 504, count: 1, ordersOnly: true });
    const request = restingBuy(mark(sim));
    const error = await rejection(client.placeOrder(request));
    expect(error.code).toBe('EXCHANGE_UNKNOWN_OUTCOME');
    expect(error.message).toContain('not found after 3 queries');
    expect(countWithClientId(allOrders(sim), request.clientOrderId)).toBe(0);
  });
});

describe('hung requests and backoff on the clock', () => {
  it('hung read → EXCHANGE_NETWORK exactly when the timeout elapses on the clock', async () => {
    const clock = new TestClock();
    const { sim, client } = await venue(clock, { timeoutMs: 5000 });
    const fault = sim.faults.inject({ type: 'rest-hang', count: 1, paths: ['/fapi/v1/time'] });
    let settled = false;
    const pending = client.getServerTime().finally(() => {
      settled = true;
    });
    await waitFor(() => effects(sim, fault.id) === 1);
    clock.advance(4999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    clock.advance(1);
    const error = await rejection(pending);
    expect(error.code).toBe('EXCHANGE_NETWORK');
    expect(error.message).toContain('no reply within 5000 ms');
    expect(error.message).not.toContain('?');
  });

  it('hung new order → timeout, then queries at 20, 40, 80 ms on the clock → UNKNOWN_OUTCOME, never resent', async () => {
    const clock = new TestClock();
    const sent: string[] = [];
    const { sim, client } = await venue(clock, {
      timeoutMs: 1000,
      latency: { recordRest: (endpointClass) => sent.push(endpointClass) },
    });
    const fault = sim.faults.inject({ type: 'rest-hang', count: 1, paths: ['/fapi/v1/order'] });
    const request = restingBuy(mark(sim));
    const pending = rejection(client.placeOrder(request));
    await waitFor(() => effects(sim, fault.id) === 1);
    clock.advance(1000);
    await waitFor(() => sent.length === 1);
    for (const delay of [20, 40, 80]) {
      const before = sent.length;
      clock.advance(delay - 1);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(sent.length).toBe(before);
      clock.advance(1);
      await waitFor(() => sent.length === before + 1);
    }
    const error = await pending;
    expect(error.code).toBe('EXCHANGE_UNKNOWN_OUTCOME');
    expect(error.message).toContain('not found after 3 queries');
    expect(countWithClientId(allOrders(sim), request.clientOrderId)).toBe(0);
  });
});

describe('latency and clock skew', () => {
  it('added REST latency → recorded round trips rise above it', async () => {
    const recorded: number[] = [];
    const { sim, client } = await venue(new SystemClock(), {
      latency: { recordRest: (_endpointClass, ms) => recorded.push(ms) },
    });
    await client.ping();
    const before = recorded.at(-1) ?? 0;
    sim.faults.inject({ type: 'latency', target: 'rest', fixedMs: 150 });
    await client.ping();
    const after = recorded.at(-1) ?? 0;
    expect(after).toBeGreaterThanOrEqual(150);
    expect(after).toBeGreaterThan(before);
  });

  it('venue clock 10 s ahead → -1021, re-sync, then the signed request succeeds', async () => {
    const { sim, client, events } = await venue(new SystemClock());
    await client.syncTime();
    sim.faults.inject({ type: 'clock-skew', offsetMs: 10_000 });
    const account = await client.getAccount();
    expect(account.totalWalletBalance).toBeGreaterThan(0n);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'timeSynced', reason: 'clock-skew' }));
    expect(client.status().serverTimeOffsetMs).toBeLessThan(-9000);
  });

  it('-1021 that persists after the re-sync → EXCHANGE_CLOCK_SKEW', async () => {
    // A local clock that steps forward 20 s right after each re-sync (an NTP step at the worst time).
    let skew = 20_000;
    const base = new SystemClock();
    const jumpy: Clock = {
      now: () => base.now() + skew,
      setTimeout: (callback, ms) => base.setTimeout(callback, ms),
      setInterval: (callback, ms) => base.setInterval(callback, ms),
      clearTimer: (handle) => base.clearTimer(handle),
    };
    const { sim, client } = await venue(
      jumpy,
      {
        onEvent: (event) => {
          if (event.kind === 'timeSynced') skew += 20_000;
        },
      },
      { clock: base },
    );
    const error = await rejection(client.placeOrder(restingBuy(mark(sim))));
    expect(error.code).toBe('EXCHANGE_CLOCK_SKEW');
    expect(error.details.venueCode).toBe(-1021);
    expect(allOrders(sim)).toHaveLength(0);
  });
});
