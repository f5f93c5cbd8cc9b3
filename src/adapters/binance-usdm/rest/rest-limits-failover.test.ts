import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../lib/system-clock.ts';
import { TestClock } from '../../../lib/test-clock.ts';
import { type RunningSimulator, startSimulator } from '../../../sim/simulator.ts';
import { BinanceRestClient } from './binance-rest-client.ts';
import type { RestClientEvent } from './rest-client-event.ts';
import { clientFor, rejection, restingBuy } from './rest-test-kit.ts';

/** The client-side limiter against the simulator's limits, and endpoint failover (issue 3, points 1 and 5). */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sim(options: Parameters<typeof startSimulator>[0] = {}): Promise<RunningSimulator> {
  const started = await startSimulator({ port: 0, seed: 3, manualTicks: true, ...options });
  cleanups.push(() => started.stop());
  return started;
}

/** Advances the test clock 1 s at a time while real loopback I/O runs, until `work` settles (bounded). */
async function drive<T>(clock: TestClock, work: Promise<T>, maxSteps: number): Promise<{ value: T; steps: number }> {
  let done = false;
  let failure: unknown;
  let value: T | undefined;
  work.then(
    (result) => {
      done = true;
      value = result;
    },
    (error: unknown) => {
      done = true;
      failure = error;
    },
  );
  for (let step = 0; step < maxSteps; step += 1) {
    await sleep(3);
    if (done) {
      if (failure !== undefined) throw failure;
      return { value: value as T, steps: step };
    }
    clock.advance(1000);
  }
  throw new Error(`not done after ${maxSteps} simulated seconds`);
}

describe('client-side limiter against the simulator', () => {
  it('151 weight in a burst with a 60/min limit → no 429, spread over 3 minutes (48 per window)', async () => {
    const clock = new TestClock();
    const venue = await sim({ clock, rateLimits: { requestWeightPerMinute: 60 } });
    const { client } = clientFor(venue, clock, { timeoutMs: 3_600_000 });
    cleanups.push(() => client.close());
    await client.getExchangeInfo(); // learns the 60/min limit: the cap is 48
    const started = clock.now();
    const { steps } = await drive(clock, Promise.all(Array.from({ length: 150 }, () => client.ping())), 400);
    const elapsed = clock.now() - started;
    // 151 weight at 48 per sliding minute needs three full windows and part of a fourth.
    expect(elapsed).toBeGreaterThanOrEqual(180_000);
    expect(elapsed).toBeLessThan(190_000);
    expect(steps).toBeLessThan(200);
    expect(client.status().holdUntil).toBeUndefined();
    expect(client.status().usedWeight1m).toBeLessThanOrEqual(48);
  });

  it('20 orders in a burst with 10 orders/10 s → no -1015, 8 per window', async () => {
    const clock = new TestClock();
    const venue = await sim({ clock, rateLimits: { ordersPer10Seconds: 10 } });
    const { client } = clientFor(venue, clock, { timeoutMs: 3_600_000 });
    cleanups.push(() => client.close());
    await client.getExchangeInfo();
    const mark = venue.market.markPrice('BTCUSDT').markPrice;
    const started = clock.now();
    const { value } = await drive(
      clock,
      Promise.all(Array.from({ length: 20 }, () => client.placeOrder(restingBuy(mark)))),
      100,
    );
    expect(value).toHaveLength(20);
    expect(clock.now() - started).toBeGreaterThanOrEqual(20_000);
    expect(venue.exchange.openOrders('BTCUSDT')).toHaveLength(20);
  });
});

describe('endpoint failover', () => {
  function failoverClient(endpoints: string[], events: RestClientEvent[], first: RunningSimulator) {
    const client = new BinanceRestClient({
      clock: new SystemClock(),
      endpoints,
      credentials: { apiKey: first.apiKey, apiSecret: first.apiSecret },
      timeoutMs: 2000,
      failover: { errorThreshold: 3, latencyThresholdMs: 100 },
      onEvent: (event) => events.push(event),
    });
    cleanups.push(() => client.close());
    return client;
  }

  it('first endpoint in maintenance (503) → after 3 failures the second serves, event and status say so', async () => {
    const [primary, secondary] = [await sim(), await sim()];
    primary.faults.inject({ type: 'maintenance', durationMs: 60_000 });
    const events: RestClientEvent[] = [];
    const client = failoverClient([primary.urls.rest, secondary.urls.rest], events, primary);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await rejection(client.ping())).code).toBe('EXCHANGE_UNAVAILABLE');
    }
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'failover', from: primary.urls.rest, to: secondary.urls.rest, reason: 'errors' }),
    );
    await client.ping();
    expect(client.status().activeEndpoint).toBe(secondary.urls.rest);
  });

  it('first endpoint stopped → connection refused (NETWORK, even for an order) → switch after 3', async () => {
    const [primary, secondary] = [await sim(), await sim()];
    const events: RestClientEvent[] = [];
    const client = failoverClient([primary.urls.rest, secondary.urls.rest], events, primary);
    const mark = secondary.market.markPrice('BTCUSDT').markPrice;
    await primary.stop();
    // A refused connection proves the order never left: a certain failure, not an unknown outcome.
    expect((await rejection(client.placeOrder(restingBuy(mark)))).code).toBe('EXCHANGE_NETWORK');
    expect((await rejection(client.ping())).code).toBe('EXCHANGE_NETWORK');
    expect((await rejection(client.ping())).code).toBe('EXCHANGE_NETWORK');
    expect(client.status().activeEndpoint).toBe(secondary.urls.rest);
    expect((await client.placeOrder(restingBuy(mark))).status).toBe('NEW');
  });

  it('slow first endpoint (median of 5 round trips above 100 ms) → latency failover', async () => {
    const [primary, secondary] = [await sim(), await sim()];
    primary.faults.inject({ type: 'latency', target: 'rest', fixedMs: 150 });
    const events: RestClientEvent[] = [];
    const client = failoverClient([primary.urls.rest, secondary.urls.rest], events, primary);
    for (let attempt = 0; attempt < 5; attempt += 1) await client.ping();
    expect(events).toContainEqual(expect.objectContaining({ kind: 'failover', reason: 'latency' }));
    expect(client.status().activeEndpoint).toBe(secondary.urls.rest);
  });

  it('manual failover() → next endpoint, wrapping around to the first', async () => {
    const [primary, secondary] = [await sim(), await sim()];
    const events: RestClientEvent[] = [];
    const client = failoverClient([primary.urls.rest, `${secondary.urls.rest}/`], events, primary);
    client.failover();
    expect(client.status().activeEndpoint).toBe(secondary.urls.rest);
    await client.ping();
    client.failover();
    expect(client.status().activeEndpoint).toBe(primary.urls.rest);
    expect(
      events.filter((event) => event.kind === 'failover').map((event) => event.kind === 'failover' && event.reason),
    ).toEqual(['manual', 'manual']);
  });
});
