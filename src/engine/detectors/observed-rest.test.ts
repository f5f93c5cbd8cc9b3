import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceRestClient } from '../../adapters/binance-usdm/rest/binance-rest-client.ts';
import { ExchangeError } from '../../domain/exchange-error.ts';
import type { OrderReport } from '../../domain/order.ts';
import { parseFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import type { ExchangeRest, ExchangeRestStatus } from '../../ports/exchange-rest.ts';
import { type RunningSimulator, startSimulator } from '../../sim/simulator.ts';
import { incidentHarness, runLoop } from './network-detector-test-kit.ts';
import { isCountedRestError, observeRest, type RestOutcome } from './observed-rest.ts';
import { RestErrorDetector } from './rest-error-detector.ts';

const STATUS: ExchangeRestStatus = {
  usedWeight1m: 3,
  orderCount10s: 0,
  orderCount1m: 0,
  serverTimeOffsetMs: 0,
  activeEndpoint: 'http://a',
  endpoints: ['http://a'],
};

/** Only what these tests call; anything else would be a test bug. */
function fakeRest(overrides: Partial<ExchangeRest>): ExchangeRest {
  const unused = () => Promise.reject(new Error('not used in this test'));
  return {
    ping: unused,
    getServerTime: unused,
    getExchangeInfo: unused,
    getAccount: unused,
    getPositions: unused,
    getPosition: unused,
    getOpenOrders: unused,
    getOrder: unused,
    placeOrder: unused,
    placeOrders: unused,
    cancelOrder: unused,
    cancelAllOpenOrders: unused,
    getMyTrades: unused,
    setLeverage: unused,
    getCandles: unused,
    getDepthSnapshot: unused,
    status: () => STATUS,
    ...overrides,
  };
}

describe('observeRest', () => {
  it('success → value passed through, ok outcome with the time and method', async () => {
    const clock = new TestClock();
    const outcomes: RestOutcome[] = [];
    const observed = observeRest(
      fakeRest({ getServerTime: () => Promise.resolve(1234) }),
      (o) => outcomes.push(o),
      clock,
    );
    expect(await observed.getServerTime()).toBe(1234);
    expect(outcomes).toEqual([{ at: clock.now(), ok: true, endpoint: 'getServerTime' }]);
  });

  it('ExchangeError → rethrown unchanged, outcome with code, status, Retry-After and end', async () => {
    const clock = new TestClock();
    const outcomes: RestOutcome[] = [];
    const error = new ExchangeError('EXCHANGE_RATE_LIMITED', 'limited', {
      httpStatus: 429,
      retryAfterMs: 30_000,
      until: clock.now() + 30_000,
      endpoint: 'GET /fapi/v2/account',
    });
    const observed = observeRest(fakeRest({ getAccount: () => Promise.reject(error) }), (o) => outcomes.push(o), clock);
    await expect(observed.getAccount()).rejects.toBe(error);
    expect(outcomes).toEqual([
      {
        at: clock.now(),
        ok: false,
        code: 'EXCHANGE_RATE_LIMITED',
        httpStatus: 429,
        retryAfterMs: 30_000,
        until: clock.now() + 30_000,
        endpoint: 'GET /fapi/v2/account',
      },
    ]);
    expect(isCountedRestError(outcomes[0] as RestOutcome)).toBe(true);
  });

  it('refused by the client during its own hold (no HTTP status) → notSent, not counted', async () => {
    const clock = new TestClock();
    const outcomes: RestOutcome[] = [];
    const error = new ExchangeError('EXCHANGE_IP_BANNED', 'not sent', { until: clock.now() + 1000 });
    const observed = observeRest(fakeRest({ ping: () => Promise.reject(error) }), (o) => outcomes.push(o), clock);
    await expect(observed.ping()).rejects.toBe(error);
    expect(outcomes[0]).toMatchObject({ notSent: true, code: 'EXCHANGE_IP_BANNED' });
    expect(isCountedRestError(outcomes[0] as RestOutcome)).toBe(false);
  });

  it('venue rejection → reported, not counted; a non-ExchangeError → reported without a code', async () => {
    const clock = new TestClock();
    const outcomes: RestOutcome[] = [];
    const rejected = new ExchangeError('EXCHANGE_REJECTED', 'no', { httpStatus: 400, venueCode: -2019 });
    const observed = observeRest(
      fakeRest({ cancelAllOpenOrders: () => Promise.reject(rejected), ping: () => Promise.reject(new TypeError('x')) }),
      (o) => outcomes.push(o),
      clock,
    );
    await expect(observed.cancelAllOpenOrders('BTCUSDT')).rejects.toBe(rejected);
    await expect(observed.ping()).rejects.toThrow(TypeError);
    expect(outcomes.map(isCountedRestError)).toEqual([false, false]);
    expect(outcomes[1]).toEqual({ at: clock.now(), ok: false, endpoint: 'ping' });
  });

  it('batch elements that failed with an unknown outcome → reported besides the call itself', async () => {
    const clock = new TestClock();
    const outcomes: RestOutcome[] = [];
    const element = new ExchangeError('EXCHANGE_UNKNOWN_OUTCOME', 'lost', {
      httpStatus: 503,
      endpoint: 'POST /fapi/v1/batchOrders',
    });
    const report = { clientOrderId: 'a' } as unknown as OrderReport;
    const observed = observeRest(
      fakeRest({ placeOrders: () => Promise.resolve([report, element]) }),
      (o) => outcomes.push(o),
      clock,
    );
    expect(await observed.placeOrders([])).toEqual([report, element]);
    expect(outcomes.map((o) => [o.ok, o.code])).toEqual([
      [true, undefined],
      [false, 'EXCHANGE_UNKNOWN_OUTCOME'],
    ]);
  });

  it('status() → the client’s own state, passed through and not reported; a throwing listener breaks nothing', async () => {
    const clock = new TestClock();
    const observed = observeRest(
      fakeRest({ getPosition: (symbol) => Promise.resolve({ symbol, amount: parseFixed('0') } as never) }),
      () => {
        throw new Error('listener bug');
      },
      clock,
    );
    expect(observed.status()).toBe(STATUS);
    expect(await observed.getPosition('ETHUSDT')).toMatchObject({ symbol: 'ETHUSDT' });
  });
});

describe('observeRest against the simulator (loopback)', () => {
  let sim: RunningSimulator | undefined;
  let client: BinanceRestClient | undefined;

  afterEach(async () => {
    await client?.close();
    await sim?.stop();
    sim = undefined;
    client = undefined;
  });

  async function waitFor(condition: () => boolean): Promise<void> {
    for (let attempt = 0; attempt < 1000; attempt += 1) {
      if (condition()) return;
      await sleep(2);
    }
    throw new Error('condition not met in time');
  }

  it('429 ×2 injected → outcomes reported (429, refused during hold, 429, ok); REST_ERRORS held then resolved by itself', async () => {
    const clock = new TestClock();
    sim = await startSimulator({ port: 0, seed: 7, manualTicks: true, clock });
    const raw = new BinanceRestClient({
      clock,
      endpoints: [sim.urls.rest],
      credentials: { apiKey: sim.apiKey, apiSecret: sim.apiSecret },
    });
    client = raw;
    const { incidents, control, store } = incidentHarness(clock);
    const detector = new RestErrorDetector({
      rest: raw,
      thresholds: { errorThreshold: 2, errorWindowMs: 60_000, maxRetries: 3, unavailableEscalateMs: 120_000 },
      clock,
      incidents,
      control,
    });
    const outcomes: RestOutcome[] = [];
    const observed = observeRest(
      raw,
      (outcome) => {
        outcomes.push(outcome);
        detector.recordOutcome(outcome);
      },
      clock,
    );
    sim.faults.inject({ type: 'rest-error', status: 429, count: 2, retryAfterSeconds: 20 });
    const start = clock.now();

    await expect(observed.ping()).rejects.toMatchObject({ code: 'EXCHANGE_RATE_LIMITED' });
    await expect(observed.getServerTime()).rejects.toMatchObject({ code: 'EXCHANGE_RATE_LIMITED' });
    clock.advance(20_000);
    await expect(observed.getServerTime()).rejects.toMatchObject({ code: 'EXCHANGE_RATE_LIMITED' });

    expect(outcomes).toEqual([
      {
        at: start,
        ok: false,
        code: 'EXCHANGE_RATE_LIMITED',
        httpStatus: 429,
        retryAfterMs: 20_000,
        until: start + 20_000,
        endpoint: 'GET /fapi/v1/ping',
      },
      expect.objectContaining({ at: start, code: 'EXCHANGE_RATE_LIMITED', notSent: true, until: start + 20_000 }),
      expect.objectContaining({
        at: start + 20_000,
        httpStatus: 429,
        until: start + 40_000,
        endpoint: 'GET /fapi/v1/time',
      }),
    ]);
    const [incident] = store.ofType('REST_ERRORS');
    expect(incident).toMatchObject({
      summary: 'REST errors: 2 in 60s (429)',
      firstEvidenceAt: start,
      status: 'CONTAINED',
    });
    expect(control.holds()).toEqual([expect.objectContaining({ owner: 'rest-errors', until: start + 40_000 })]);

    // Retry-After passes: the detector lifts its hold and probes; the fault is exhausted, so it succeeds.
    runLoop(clock, detector);
    clock.advance(20_000);
    await waitFor(() => store.ofType('REST_ERRORS')[0]?.status === 'RESOLVED');
    expect(control.holds()).toEqual([]);
    expect(control.of('escalate')).toEqual([]);

    expect(await observed.getServerTime()).toBeGreaterThan(0);
    expect(outcomes.at(-1)).toEqual({ at: clock.now(), ok: true, endpoint: 'getServerTime' });
  });
});
