import { describe, expect, it } from 'vitest';
import { ExchangeError } from '../../domain/exchange-error.ts';
import { TestClock } from '../../lib/test-clock.ts';
import type { ExchangeRestStatus } from '../../ports/exchange-rest.ts';
import { advanceSettling, incidentHarness, runLoop, settle } from './network-detector-test-kit.ts';
import type { RestOutcome } from './observed-rest.ts';
import { RestErrorDetector } from './rest-error-detector.ts';

const THRESHOLDS = { errorThreshold: 2, errorWindowMs: 60_000, maxRetries: 3, unavailableEscalateMs: 120_000 };

/** The raw REST client as the detector sees it: a scripted ping and the client's own hold. */
class FakeRest {
  pings: number[] = [];
  holdUntil: number | undefined;
  pingResult: () => Promise<void> = () => Promise.resolve();
  readonly #clock: TestClock;

  constructor(clock: TestClock) {
    this.#clock = clock;
  }

  ping(): Promise<void> {
    this.pings.push(this.#clock.now());
    return this.pingResult();
  }

  status(): ExchangeRestStatus {
    return {
      ...(this.holdUntil !== undefined && { holdUntil: this.holdUntil }),
      usedWeight1m: 0,
      orderCount10s: 0,
      orderCount1m: 0,
      serverTimeOffsetMs: 0,
      activeEndpoint: 'http://a',
      endpoints: ['http://a'],
    };
  }
}

function setup(verifyAccount?: () => Promise<void>) {
  const clock = new TestClock();
  const harness = incidentHarness(clock);
  const rest = new FakeRest(clock);
  const detector = new RestErrorDetector({
    rest,
    thresholds: THRESHOLDS,
    ...(verifyAccount !== undefined && { verifyAccount }),
    clock,
    incidents: harness.incidents,
    control: harness.control,
  });
  return { clock, rest, detector, ...harness };
}

const endpoint = 'GET /fapi/v2/account';
const rateLimited = (at: number, retryAfterMs = 30_000): RestOutcome => ({
  at,
  ok: false,
  code: 'EXCHANGE_RATE_LIMITED',
  httpStatus: 429,
  retryAfterMs,
  until: at + retryAfterMs,
  endpoint,
});
const banned = (at: number, until: number): RestOutcome => ({
  at,
  ok: false,
  code: 'EXCHANGE_IP_BANNED',
  httpStatus: 418,
  retryAfterMs: until - at,
  until,
  endpoint,
});
const unavailable = (at: number): RestOutcome => ({
  at,
  ok: false,
  code: 'EXCHANGE_UNAVAILABLE',
  httpStatus: 503,
  endpoint,
});
const ok = (at: number): RestOutcome => ({ at, ok: true, endpoint: 'getAccount' });
const pingRateLimited = (clock: TestClock) => () =>
  Promise.reject(
    new ExchangeError('EXCHANGE_RATE_LIMITED', 'rate limited', {
      httpStatus: 429,
      retryAfterMs: 30_000,
      until: clock.now() + 30_000,
      endpoint: 'GET /fapi/v1/ping',
    }),
  );
const pingUnavailable = () =>
  Promise.reject(new ExchangeError('EXCHANGE_UNAVAILABLE', 'down', { httpStatus: 503, endpoint: 'GET /fapi/v1/ping' }));

describe('RestErrorDetector: the window (playbook §2 "≥ 2 errors in 1 min")', () => {
  it('one 429 → nothing; a second within 60 s → CRIT REST_ERRORS, hold until Retry-After, contained', () => {
    const { clock, detector, store, control } = setup();
    const firstAt = clock.now();
    detector.recordOutcome(rateLimited(firstAt));
    expect(store.listIncidents()).toEqual([]);
    expect(control.calls).toEqual([]);

    clock.advance(5000);
    detector.recordOutcome(rateLimited(clock.now()));
    const [incident] = store.ofType('REST_ERRORS');
    expect(incident).toMatchObject({
      severity: 'CRIT',
      summary: 'REST errors: 2 in 60s (429)',
      firstEvidenceAt: firstAt,
      firstEvidence: `429 on ${endpoint}`,
      status: 'CONTAINED',
      containedAt: clock.now(),
    });
    expect(control.of('hold')).toEqual([
      expect.objectContaining({ owner: 'rest-errors', until: clock.now() + 30_000 }),
    ]);
  });

  it('two errors exactly 60 s apart → nothing; 59.999 s apart → incident', () => {
    const a = setup();
    a.detector.recordOutcome(unavailable(a.clock.now()));
    a.clock.advance(60_000);
    a.detector.recordOutcome(unavailable(a.clock.now()));
    expect(a.store.listIncidents()).toEqual([]);

    const b = setup();
    b.detector.recordOutcome(unavailable(b.clock.now()));
    b.clock.advance(59_999);
    b.detector.recordOutcome(unavailable(b.clock.now()));
    expect(b.store.ofType('REST_ERRORS')).toHaveLength(1);
  });

  it('venue rejections and requests refused by the client during its own hold → not counted', () => {
    const { clock, detector, store } = setup();
    detector.recordOutcome(rateLimited(clock.now()));
    for (let index = 0; index < 5; index += 1) {
      detector.recordOutcome({ at: clock.now(), ok: false, code: 'EXCHANGE_RATE_LIMITED', notSent: true });
      detector.recordOutcome({ at: clock.now(), ok: false, code: 'EXCHANGE_REJECTED', httpStatus: 400 });
      detector.recordOutcome({ at: clock.now(), ok: false, code: 'EXCHANGE_AUTHENTICATION', httpStatus: 401 });
    }
    expect(store.listIncidents()).toEqual([]);
  });

  it('429 then 503 → the summary names both statuses (what the playbook greps for)', () => {
    const { clock, detector, store, logger } = setup();
    detector.recordOutcome(rateLimited(clock.now()));
    detector.recordOutcome(unavailable(clock.now()));
    const [incident] = store.ofType('REST_ERRORS');
    expect(incident?.summary).toBe('REST errors: 2 in 60s (429, 503)');
    expect(logger.lines.some((line) => /^CRIT \| REST errors: 2 in 60s \(429, 503\)/.test(line))).toBe(true);
  });

  it('503 "Unknown error" and timeouts on orders → counted, recorded as evidence for reconciliation', () => {
    const { clock, detector, store } = setup();
    detector.recordOutcome({
      at: clock.now(),
      ok: false,
      code: 'EXCHANGE_UNKNOWN_OUTCOME',
      httpStatus: 503,
      endpoint: 'POST /fapi/v1/order',
    });
    detector.recordOutcome({
      at: clock.now(),
      ok: false,
      code: 'EXCHANGE_UNKNOWN_OUTCOME',
      endpoint: 'POST /fapi/v1/order',
    });
    const [incident] = store.ofType('REST_ERRORS');
    expect(incident?.summary).toBe('REST errors: 2 in 60s (503, timeout)');
    expect(
      incident?.actions.filter((action) => action.action.startsWith('unknown outcome on POST /fapi/v1/order')),
    ).toHaveLength(2);
  });
});

describe('RestErrorDetector: 429/418 — wait out Retry-After, then resume by itself', () => {
  it('429 storm → hold until Retry-After; at its end the hold lifts, a retry succeeds → resolved, state untouched', async () => {
    const { clock, detector, store, control, rest } = setup();
    detector.recordOutcome(rateLimited(clock.now()));
    detector.recordOutcome(rateLimited(clock.now()));
    const until = clock.now() + 30_000;
    runLoop(clock, detector);

    clock.advance(29_999);
    await settle();
    expect(control.of('releaseHold')).toEqual([]);
    expect(rest.pings).toEqual([]);
    expect(control.holds()).toHaveLength(1);

    clock.advance(1);
    await settle();
    expect(control.of('releaseHold').length).toBeGreaterThanOrEqual(1);
    expect(rest.pings).toEqual([until]);
    const [incident] = store.ofType('REST_ERRORS');
    expect(incident?.status).toBe('RESOLVED');
    expect(incident?.resolvedAt).toBe(until);
    expect(control.of('escalate')).toEqual([]);
    expect(control.holds()).toEqual([]);
  });

  it('a success that left before the hold ended → does not resolve', () => {
    const { clock, detector, store } = setup();
    detector.recordOutcome(rateLimited(clock.now()));
    detector.recordOutcome(rateLimited(clock.now()));
    clock.advance(1000);
    detector.recordOutcome(ok(clock.now()));
    expect(store.ofType('REST_ERRORS')[0]?.status).toBe('CONTAINED');
  });

  it('418 ban → hold until the ban ends (the client’s later hold wins), then resume', async () => {
    const { clock, detector, store, control, rest } = setup();
    const banEnd = clock.now() + 120_000;
    rest.holdUntil = banEnd + 5000;
    detector.recordOutcome(rateLimited(clock.now()));
    detector.recordOutcome(banned(clock.now(), banEnd));
    expect(control.of('hold')[0]?.until).toBe(banEnd + 5000);
    expect(store.ofType('REST_ERRORS')[0]?.summary).toBe('REST errors: 2 in 60s (429, 418)');
    runLoop(clock, detector);
    clock.advance(124_999);
    await settle();
    expect(rest.pings).toEqual([]);
    clock.advance(1);
    await settle();
    expect(rest.pings).toEqual([banEnd + 5000]);
    expect(store.ofType('REST_ERRORS')[0]?.status).toBe('RESOLVED');
  });

  it('a single 418 (the ban itself proves the 429 storm) → CRIT REST_ERRORS and the hold at once', () => {
    const { clock, detector, store, control } = setup();
    const banEnd = clock.now() + 2_000;
    detector.recordOutcome(banned(clock.now(), banEnd));
    expect(store.ofType('REST_ERRORS')).toHaveLength(1);
    expect(control.of('hold')).toHaveLength(1);
  });

  it('a single 429 → not yet an incident (the threshold is 2 in 60 s)', () => {
    const { clock, detector, store } = setup();
    detector.recordOutcome(rateLimited(clock.now()));
    expect(store.ofType('REST_ERRORS')).toHaveLength(0);
  });

  it('still failing after 3 retries → REDUCING and REST_UNAVAILABLE; back later → both resolved, REDUCING stays', async () => {
    const { clock, detector, store, control, rest } = setup();
    rest.pingResult = pingRateLimited(clock);
    detector.recordOutcome(rateLimited(clock.now()));
    detector.recordOutcome(rateLimited(clock.now()));
    runLoop(clock, detector);

    // Retries at 30 s and 60 s fail: two failed retries, no escalation yet.
    await advanceSettling(clock, 60_000);
    expect(rest.pings).toHaveLength(2);
    expect(control.of('escalate')).toEqual([]);

    await advanceSettling(clock, 30_000);
    expect(rest.pings).toHaveLength(3);
    expect(control.of('escalate')).toEqual([
      {
        kind: 'escalate',
        state: 'REDUCING',
        detector: 'rest-errors',
        reason: 'REST 3 retries failed after Retry-After',
      },
    ]);
    const [unavailableIncident] = store.ofType('REST_UNAVAILABLE');
    expect(unavailableIncident).toMatchObject({ severity: 'CRIT', status: 'CONTAINED' });
    expect(unavailableIncident?.firstEvidenceAt).toBe(store.ofType('REST_ERRORS')[0]?.firstEvidenceAt);
    expect(control.holds()).toHaveLength(1);

    rest.pingResult = () => Promise.resolve();
    await advanceSettling(clock, 30_000);
    expect(store.ofType('REST_ERRORS')[0]?.status).toBe('RESOLVED');
    expect(store.ofType('REST_UNAVAILABLE')[0]?.status).toBe('RESOLVED');
    expect(control.tradingState()).toBe('REDUCING');
    expect(control.holds()).toEqual([]);
    expect(control.of('escalate')).toHaveLength(1);
  });
});

describe('RestErrorDetector: 503 — back off, probe ping, verify the account before orders flow', () => {
  it('503s → hold without an end, ping probes at 10 s then every 20 s', async () => {
    const { clock, detector, control, rest } = setup();
    rest.pingResult = pingUnavailable;
    const start = clock.now();
    detector.recordOutcome(unavailable(start));
    detector.recordOutcome(unavailable(start));
    expect(control.of('hold')[0]).toMatchObject({ owner: 'rest-errors' });
    expect(control.of('hold')[0]?.until).toBeUndefined();
    runLoop(clock, detector);
    clock.advance(9_999);
    await settle();
    expect(rest.pings).toEqual([]);
    await advanceSettling(clock, 60_001);
    expect(rest.pings).toEqual([start + 10_000, start + 30_000, start + 50_000, start + 70_000]);
  });

  it('recovered → verify account state first, lift the hold only after it, then resolve', async () => {
    let finishVerify: () => void = () => {};
    const verifications: number[] = [];
    const { clock, detector, store, control } = setup(() => {
      verifications.push(clock.now());
      return new Promise((resolve) => (finishVerify = resolve));
    });
    detector.recordOutcome(unavailable(clock.now()));
    detector.recordOutcome(unavailable(clock.now()));
    runLoop(clock, detector);
    clock.advance(10_000);
    await settle();
    expect(verifications).toEqual([clock.now()]);
    expect(control.of('releaseHold')).toEqual([]);
    expect(store.ofType('REST_ERRORS')[0]?.status).toBe('CONTAINED');

    clock.advance(2000);
    finishVerify();
    await settle();
    expect(control.of('releaseHold')).toHaveLength(1);
    expect(store.ofType('REST_ERRORS')[0]).toMatchObject({ status: 'RESOLVED', resolvedAt: clock.now() });
    expect(control.of('escalate')).toEqual([]);
  });

  it('no verifyAccount given → the engine resync is the verification', async () => {
    const { clock, detector, control } = setup();
    detector.recordOutcome(unavailable(clock.now()));
    detector.recordOutcome(unavailable(clock.now()));
    clock.advance(1000);
    detector.recordOutcome(ok(clock.now()));
    await settle();
    expect(control.of('resync')).toHaveLength(1);
    expect(control.of('releaseHold')).toHaveLength(1);
  });

  it('account verification fails → the hold stays; the next probe success verifies again', async () => {
    let attempts = 0;
    const { clock, detector, store, control } = setup(() => {
      attempts += 1;
      return attempts === 1 ? Promise.reject(new Error('positions unreadable')) : Promise.resolve();
    });
    detector.recordOutcome(unavailable(clock.now()));
    detector.recordOutcome(unavailable(clock.now()));
    runLoop(clock, detector);
    clock.advance(10_000);
    await settle();
    expect(control.of('releaseHold')).toEqual([]);
    expect(store.ofType('REST_ERRORS')[0]?.actions.some((action) => action.result === 'failed')).toBe(true);
    clock.advance(20_000);
    await settle();
    expect(attempts).toBe(2);
    expect(store.ofType('REST_ERRORS')[0]?.status).toBe('RESOLVED');
  });

  it('503 outlasting 120 s from its first error → REDUCING and REST_UNAVAILABLE, not a moment before', async () => {
    const { clock, detector, store, control, rest } = setup();
    rest.pingResult = pingUnavailable;
    const start = clock.now();
    detector.recordOutcome(unavailable(start));
    clock.advance(1000);
    detector.recordOutcome(unavailable(clock.now()));
    runLoop(clock, detector, 250);
    clock.advanceTo(start + 119_999);
    await settle();
    expect(control.of('escalate')).toEqual([]);
    expect(store.ofType('REST_UNAVAILABLE')).toEqual([]);

    clock.advanceTo(start + 120_250);
    await settle();
    expect(control.of('escalate')).toEqual([
      { kind: 'escalate', state: 'REDUCING', detector: 'rest-errors', reason: 'REST unavailable for 120s' },
    ]);
    const [escalated] = store.ofType('REST_UNAVAILABLE');
    expect(escalated).toMatchObject({
      severity: 'CRIT',
      summary: 'REST unavailable: unavailable for 120s',
      firstEvidenceAt: start,
    });
    expect(escalated?.detectedAt).toBe(start + 120_000);

    clock.advance(120_000);
    await settle();
    expect(control.of('escalate')).toHaveLength(1);
    expect(store.ofType('REST_UNAVAILABLE')).toHaveLength(1);
  });
});
