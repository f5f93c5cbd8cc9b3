import { beforeEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../lib/random.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { FakeFaultTargets } from './fake-fault-targets.ts';
import type { RestRequestInfo, RestVerdict } from './fault-gate.ts';
import { FaultInjector, FaultSpecError } from './fault-injector.ts';
import { GATEWAY_TIMEOUT_HTML } from './fault-responses.ts';

const newOrder: RestRequestInfo = {
  method: 'POST',
  path: '/fapi/v1/order',
  isOrderMutation: true,
  isReduceOnly: false,
};
const reduceOnlyOrder: RestRequestInfo = { ...newOrder, isReduceOnly: true };
const cancelOrder: RestRequestInfo = { ...newOrder, method: 'DELETE' };
const account: RestRequestInfo = {
  method: 'GET',
  path: '/fapi/v3/account',
  isOrderMutation: false,
  isReduceOnly: false,
};

let clock: TestClock;
let targets: FakeFaultTargets;
let injector: FaultInjector;

function makeInjector(seed: number): FaultInjector {
  return new FaultInjector({ clock, random: createRandom(seed), targets });
}

beforeEach(() => {
  clock = new TestClock();
  targets = new FakeFaultTargets();
  injector = makeInjector(42);
});

function respond(verdict: RestVerdict) {
  if (verdict.kind !== 'respond') throw new Error(`expected a response, got ${verdict.kind}`);
  return { ...verdict, json: verdict.body === '' ? undefined : safeJson(verdict.body) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

describe('FaultInjector with nothing active', () => {
  it('no fault → every gate answer is the healthy one', () => {
    expect(injector.restVerdict(newOrder)).toEqual({ kind: 'pass' });
    expect(injector.restLatencyMs()).toBe(0);
    expect(injector.wsLatencyMs()).toBe(0);
    expect(injector.acceptWsConnection('private')).toBe(true);
    expect(injector.isStreamFrozen('userData')).toBe(false);
    expect(injector.clockSkewMs()).toBe(0);
    expect(injector.dropDepthDiff('BTCUSDT')).toBe(false);
    expect(injector.active()).toEqual([]);
  });
});

describe('WebSocket faults', () => {
  it('ws-close → closes matching connections at once and logs them as effects', () => {
    const fault = injector.inject({ type: 'ws-close', channel: 'private', count: 2 });
    expect(targets.closes).toEqual([{ channel: 'private', count: 2 }]);
    expect(fault.endsAt).toBe(fault.startedAt);
    expect(injector.active()).toEqual([]);
    expect(injector.log()[0]).toMatchObject({
      effects: 2,
      firstEffectAt: clock.now(),
      endedAt: clock.now(),
      endReason: 'immediate',
    });
  });

  it('ws-close with no open connection → zero effects and no firstEffectAt', () => {
    targets.openConnections = 0;
    injector.inject({ type: 'ws-close' });
    expect(targets.closes).toEqual([{}]);
    expect(injector.log()[0]?.effects).toBe(0);
    expect(injector.log()[0]?.firstEffectAt).toBeUndefined();
  });

  it('ws-refuse on one channel → refuses that channel until its duration ends', () => {
    injector.inject({ type: 'ws-refuse', channel: 'market', durationMs: '30s' });
    expect(injector.acceptWsConnection('market')).toBe(false);
    expect(injector.acceptWsConnection('public')).toBe(true);
    clock.advance(29_999);
    expect(injector.acceptWsConnection('market')).toBe(false);
    clock.advance(1);
    expect(injector.acceptWsConnection('market')).toBe(true);
    expect(injector.log()[0]).toMatchObject({ effects: 2, endReason: 'expired', endedAt: clock.now() });
  });

  it('ws-freeze without streams → every stream, userData included, until it expires', () => {
    injector.inject({ type: 'ws-freeze', durationMs: 5_000 });
    expect(injector.isStreamFrozen('userData')).toBe(true);
    expect(injector.isStreamFrozen('btcusdt@aggTrade')).toBe(true);
    clock.advance(5_000);
    expect(injector.isStreamFrozen('userData')).toBe(false);
  });

  it('ws-freeze with named streams → only those (case-insensitive, "symbol@*" prefix)', () => {
    injector.inject({ type: 'ws-freeze', streams: ['BTCUSDT@depth@100ms', 'ethusdt@*'], durationMs: 5_000 });
    expect(injector.isStreamFrozen('btcusdt@depth@100ms')).toBe(true);
    expect(injector.isStreamFrozen('btcusdt@aggTrade')).toBe(false);
    expect(injector.isStreamFrozen('ethusdt@markPrice@1s')).toBe(true);
    expect(injector.isStreamFrozen('userData')).toBe(false);
  });

  it('depth-gap → drops the next diff of that symbol only, then ends as count-exhausted', () => {
    injector.inject({ type: 'depth-gap', symbol: 'btcusdt' });
    expect(injector.dropDepthDiff('ETHUSDT')).toBe(false);
    expect(injector.dropDepthDiff('BTCUSDT')).toBe(true);
    expect(injector.dropDepthDiff('BTCUSDT')).toBe(false);
    expect(injector.active()).toEqual([]);
    expect(injector.log()).toMatchObject([{ type: 'depth-gap', effects: 1, endReason: 'count-exhausted' }]);
  });

  it('depth-gap without symbol, count 2 → the next two diffs of any symbol', () => {
    injector.inject({ type: 'depth-gap', count: 2 });
    expect([
      injector.dropDepthDiff('ETHUSDT'),
      injector.dropDepthDiff('BTCUSDT'),
      injector.dropDepthDiff('BTCUSDT'),
    ]).toEqual([true, true, false]);
  });

  it('ws latency → fixed plus seeded jitter on messages only, gone after the duration', () => {
    injector.inject({ type: 'latency', target: 'ws', fixedMs: 400, jitterMs: 200, durationMs: '1m' });
    const samples = Array.from({ length: 50 }, () => injector.wsLatencyMs());
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(400);
    expect(Math.max(...samples)).toBeLessThanOrEqual(600);
    expect(new Set(samples).size).toBeGreaterThan(1);
    expect(injector.restLatencyMs()).toBe(0);
    clock.advance(60_000);
    expect(injector.wsLatencyMs()).toBe(0);
  });
});

describe('REST errors', () => {
  it('429 → -1003 body with Retry-After 60 by default', () => {
    injector.inject({ type: 'rest-error', status: 429 });
    const reply = respond(injector.restVerdict(account));
    expect(reply.status).toBe(429);
    expect(reply.headers['retry-after']).toBe('60');
    expect(reply.json).toMatchObject({ code: -1003 });
    expect((reply.json as { msg: string }).msg).toMatch(/^Too many requests; current limit is 2400/);
  });

  it('418 → -1003 ban body quoting the ban end and Retry-After 120', () => {
    injector.inject({ type: 'rest-error', status: 418 });
    clock.advance(1_000);
    const reply = respond(injector.restVerdict(account));
    expect(reply.status).toBe(418);
    expect(reply.headers['retry-after']).toBe('120');
    expect((reply.json as { msg: string }).msg).toContain(`IP banned until ${clock.now() + 120_000}`);
  });

  it('retryAfterSeconds → carried in the header', () => {
    injector.inject({ type: 'rest-error', status: 429, retryAfterSeconds: 7 });
    expect(respond(injector.restVerdict(account)).headers['retry-after']).toBe('7');
  });

  it.each([
    ['unknown', -1000, 'Unknown error, please check your request or try again later.'],
    ['unavailable', -1000, 'Service Unavailable.'],
    ['internal', -1001, 'Internal error; unable to process your request. Please try again.'],
    ['throttled', -1008, 'Request throttled by system-level protection. Reduce-only/close-position orders are exempt.'],
  ] as const)('503 %s → Binance message, no hidden execution', (variant, code, msg) => {
    injector.inject({ type: 'rest-error', status: 503, variant });
    const reply = respond(injector.restVerdict(newOrder));
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual({ code, msg });
    expect(reply.executeFirst).toBe(false);
  });

  it('503 without variant → the plain "Service Unavailable."', () => {
    injector.inject({ type: 'rest-error', status: 503 });
    expect(respond(injector.restVerdict(account)).json).toEqual({ code: -1000, msg: 'Service Unavailable.' });
  });

  it('503 unknown executed → executeFirst, so the order really happens behind the error', () => {
    injector.inject({ type: 'rest-error', status: 503, variant: 'unknown', executed: true });
    expect(respond(injector.restVerdict(newOrder)).executeFirst).toBe(true);
  });

  it('503 throttled → reduce-only orders, cancels and reads pass; new orders fail', () => {
    injector.inject({ type: 'rest-error', status: 503, variant: 'throttled' });
    expect(injector.restVerdict(reduceOnlyOrder).kind).toBe('pass');
    expect(injector.restVerdict(cancelOrder).kind).toBe('pass');
    expect(injector.restVerdict(account).kind).toBe('pass');
    expect(respond(injector.restVerdict(newOrder)).json).toMatchObject({ code: -1008 });
    expect(injector.log()[0]?.effects).toBe(1);
  });

  it('504 → the gateway HTML page by default, an empty body for variant empty', () => {
    const html = injector.inject({ type: 'rest-error', status: 504, executed: true });
    const page = respond(injector.restVerdict(newOrder));
    expect(page).toMatchObject({ status: 504, body: GATEWAY_TIMEOUT_HTML, executeFirst: true });
    expect(page.body.startsWith('<html>')).toBe(true);
    injector.clear(html.id);
    injector.inject({ type: 'rest-error', status: 504, variant: 'empty' });
    expect(respond(injector.restVerdict(newOrder))).toMatchObject({ status: 504, body: '', executeFirst: false });
  });

  it('408 → -1007 timeout body', () => {
    injector.inject({ type: 'rest-error', status: 408 });
    expect(respond(injector.restVerdict(newOrder)).json).toEqual({
      code: -1007,
      msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
    });
  });

  it('count 2 → the next two matching requests fail, then the fault ends and is logged', () => {
    injector.inject({ type: 'rest-error', status: 500, count: 2 });
    expect(injector.restVerdict(account).kind).toBe('respond');
    clock.advance(10);
    expect(injector.restVerdict(account).kind).toBe('respond');
    expect(injector.restVerdict(account).kind).toBe('pass');
    expect(injector.active()).toEqual([]);
    expect(injector.log()[0]).toMatchObject({ effects: 2, endReason: 'count-exhausted', endedAt: clock.now() });
  });

  it('probability with a fixed seed → the same stable count of failures over N requests', () => {
    const run = (seed: number) => {
      clock = new TestClock();
      const seeded = makeInjector(seed);
      seeded.inject({ type: 'rest-error', status: 503, probability: 0.25 });
      return Array.from({ length: 1_000 }, () => seeded.restVerdict(account).kind === 'respond');
    };
    const expected = Array.from(
      { length: 1_000 },
      (
        (random) => () =>
          random.next() < 0.25
      )(createRandom(9)),
    );
    const first = run(9);
    expect(first).toEqual(expected);
    expect(run(9)).toEqual(first);
    const failures = first.filter(Boolean).length;
    expect(failures).toBeGreaterThan(200);
    expect(failures).toBeLessThan(300);
  });

  it('paths and ordersOnly → only matching requests fail', () => {
    injector.inject({ type: 'rest-error', status: 503, paths: ['/fapi/v1/order'], ordersOnly: true });
    expect(injector.restVerdict(account).kind).toBe('pass');
    expect(injector.restVerdict({ ...newOrder, method: 'GET', isOrderMutation: false }).kind).toBe('pass');
    expect(injector.restVerdict(newOrder).kind).toBe('respond');
  });

  it('path ending in * → prefix match', () => {
    injector.inject({ type: 'rest-hang', paths: ['/fapi/v1/*'] });
    expect(injector.restVerdict(newOrder).kind).toBe('hang');
    expect(injector.restVerdict(account).kind).toBe('pass');
  });

  it('two matching faults → the first injected wins', () => {
    injector.inject({ type: 'rest-error', status: 429, paths: ['/fapi/v1/order'] });
    injector.inject({ type: 'rest-error', status: 503 });
    expect(respond(injector.restVerdict(newOrder)).status).toBe(429);
    expect(respond(injector.restVerdict(account)).status).toBe(503);
  });

  it('rest-hang with count → hangs N requests, then answers again', () => {
    injector.inject({ type: 'rest-hang', count: 1 });
    expect(injector.restVerdict(newOrder)).toEqual({ kind: 'hang' });
    expect(injector.restVerdict(newOrder)).toEqual({ kind: 'pass' });
  });

  it('rest latency → fixed plus jitter until the duration ends', () => {
    injector.inject({ type: 'latency', target: 'rest', fixedMs: '2.5s', durationMs: 10_000 });
    expect(injector.restLatencyMs()).toBe(2_500);
    expect(injector.wsLatencyMs()).toBe(0);
    clock.advance(10_000);
    expect(injector.restLatencyMs()).toBe(0);
  });
});

describe('exchange and market faults', () => {
  it('stuck-orders → enabled on start, disabled when it expires', () => {
    injector.inject({ type: 'stuck-orders', symbol: 'btcusdt', durationMs: '5m' });
    expect(targets.stuck).toEqual([{ symbol: 'BTCUSDT', enabled: true }]);
    clock.advance(300_000);
    expect(targets.stuck).toEqual([
      { symbol: 'BTCUSDT', enabled: true },
      { symbol: 'BTCUSDT', enabled: false },
    ]);
  });

  it('two stuck-orders faults → ending one re-asserts the other', () => {
    const first = injector.inject({ type: 'stuck-orders' });
    injector.inject({ type: 'stuck-orders', symbol: 'ETHUSDT' });
    injector.clear(first.id);
    expect(targets.stuck.at(-1)).toEqual({ symbol: 'ETHUSDT', enabled: true });
  });

  it('flash-crash without revert → stays active after the move; clearing it cancels the shock', () => {
    const crash = injector.inject({ type: 'flash-crash', symbol: 'BTCUSDT', movePct: -6, overMs: '3m' });
    clock.advance(600_000);
    expect(injector.active()).toEqual([crash]);
    expect(targets.cancelledShocks).toEqual([]);
    injector.clear(crash.id);
    expect(targets.cancelledShocks).toEqual([targets.shocks[0]]);
  });

  it('flash-crash → shock as an exact fraction; expiry does not cancel, an early clear does', () => {
    injector.inject({ type: 'flash-crash', symbol: 'BTCUSDT', movePct: -12.5, overMs: '30s', revertAfterMs: '2m' });
    expect(targets.shocks).toEqual([
      { symbol: 'BTCUSDT', move: -12_500_000n, overMs: 30_000, scope: 'market', revertAfterMs: 120_000 },
    ]);
    clock.advance(120_000);
    expect(injector.active()).toEqual([]);
    expect(targets.cancelledShocks).toEqual([]);
    const dataError = injector.inject({
      type: 'flash-crash',
      symbol: 'ETHUSDT',
      movePct: 15,
      overMs: 1_000,
      scope: 'mark-price-only',
    });
    expect(targets.shocks[1]).toEqual({
      symbol: 'ETHUSDT',
      move: 15_000_000n,
      overMs: 1_000,
      scope: 'mark-price-only',
    });
    injector.clear(dataError.id);
    expect(targets.cancelledShocks).toHaveLength(1);
  });

  it('external-fill → exact qty and price, events off, logged as an immediate fault', () => {
    injector.inject({
      type: 'external-fill',
      symbol: 'BTCUSDT',
      side: 'SELL',
      qty: '0.010',
      price: '43000.1',
      emitEvents: false,
    });
    expect(targets.fills).toEqual([
      { symbol: 'BTCUSDT', side: 'SELL', qty: 1_000_000n, price: 4_300_010_000_000n, emitEvents: false },
    ]);
    expect(injector.log()[0]).toMatchObject({ type: 'external-fill', effects: 1, endReason: 'immediate' });
  });

  it('external-fill the exchange rejects → the error propagates and nothing is logged', () => {
    targets.fillError = new Error('Invalid symbol.');
    expect(() => injector.inject({ type: 'external-fill', symbol: 'XXXUSDT', side: 'BUY', qty: '1' })).toThrow(
      'Invalid symbol.',
    );
    expect(injector.log()).toEqual([]);
  });

  it('maintenance → every REST call 503 "Service Unavailable.", sockets dropped and refused, until it ends', () => {
    injector.inject({ type: 'maintenance', durationMs: '10m' });
    expect(targets.closes).toEqual([{}]);
    for (const request of [account, newOrder, reduceOnlyOrder]) {
      expect(respond(injector.restVerdict(request)).json).toEqual({ code: -1000, msg: 'Service Unavailable.' });
    }
    expect(injector.acceptWsConnection('public')).toBe(false);
    expect(injector.acceptWsConnection('private')).toBe(false);
    clock.advance(600_000);
    expect(injector.restVerdict(account).kind).toBe('pass');
    expect(injector.acceptWsConnection('public')).toBe(true);
  });

  it('clock-skew → offsets add up while active', () => {
    injector.inject({ type: 'clock-skew', offsetMs: '-1.5s', durationMs: 1_000 });
    injector.inject({ type: 'clock-skew', offsetMs: 200 });
    expect(injector.clockSkewMs()).toBe(-1_300);
    clock.advance(1_000);
    expect(injector.clockSkewMs()).toBe(200);
  });
});

describe('fault log and lifecycle', () => {
  it('a fault → logged with startedAt, the first request it failed, and its end', () => {
    const startedAt = clock.now();
    const fault = injector.inject({ type: 'rest-error', status: 503, durationMs: '1m' });
    expect(fault).toEqual({ id: fault.id, type: 'rest-error', startedAt, endsAt: startedAt + 60_000 });
    clock.advance(4_000);
    injector.restVerdict(account);
    clock.advance(1_000);
    injector.restVerdict(account);
    clock.advance(55_000);
    expect(injector.log()).toEqual([
      {
        id: fault.id,
        type: 'rest-error',
        params: { type: 'rest-error', status: 503, durationMs: 60_000 },
        startedAt,
        firstEffectAt: startedAt + 4_000,
        endedAt: startedAt + 60_000,
        endReason: 'expired',
        effects: 2,
      },
    ]);
  });

  it('clear(id) → ends that fault only; unknown id → false', () => {
    const first = injector.inject({ type: 'rest-hang' });
    const second = injector.inject({ type: 'clock-skew', offsetMs: 5 });
    expect(injector.clear(first.id)).toBe(true);
    expect(injector.clear(first.id)).toBe(false);
    expect(injector.active()).toEqual([second]);
    expect(injector.log()[0]).toMatchObject({ endReason: 'cleared', endedAt: clock.now() });
  });

  it('clearAll → ends every fault, cancels their timers', () => {
    injector.inject({ type: 'ws-freeze', durationMs: 1_000 });
    injector.inject({ type: 'maintenance', durationMs: 1_000 });
    expect(injector.clearAll()).toBe(2);
    expect(injector.active()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    expect(injector.isStreamFrozen('userData')).toBe(false);
  });

  it('an invalid spec → FaultSpecError naming the field', () => {
    const bad = { type: 'ws-freeze', durationMs: 'soon' } as unknown as Parameters<FaultInjector['inject']>[0];
    expect(() => injector.inject(bad)).toThrow(FaultSpecError);
    expect(() => injector.inject(bad)).toThrow(/durationMs: expected a duration/);
  });
});
