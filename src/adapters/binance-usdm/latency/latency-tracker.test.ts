import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../lib/test-clock.ts';
import { LatencyTracker } from './latency-tracker.ts';

/** HdrHistogram with 2 significant digits reports percentiles within 1 %; max is exact. */
function near(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.01 + 0.001);
}

describe('LatencyTracker', () => {
  it('no samples → count 0 and zeros, overall and for an unknown class', () => {
    const tracker = new LatencyTracker({ clock: new TestClock() });
    expect(tracker.rest()).toEqual({ count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });
    expect(tracker.ws('btcusdt@bookTicker')).toEqual({ count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });
  });

  it('REST samples 1..100 ms → p50 ≈ 50, p95 ≈ 95, p99 ≈ 99, max 100, per class and overall', () => {
    const tracker = new LatencyTracker({ clock: new TestClock() });
    for (let ms = 1; ms <= 100; ms += 1) tracker.recordRest('order', ms);
    tracker.recordRest('account', 400.5);
    const order = tracker.rest('order');
    expect(order.count).toBe(100);
    near(order.p50Ms, 50);
    near(order.p95Ms, 95);
    near(order.p99Ms, 99);
    expect(order.maxMs).toBe(100);
    expect(tracker.rest('account')).toMatchObject({ count: 1, maxMs: 400.5 });
    const overall = tracker.rest();
    expect(overall.count).toBe(101);
    expect(overall.maxMs).toBe(400.5);
  });

  it('sub-millisecond round trips → kept to the microsecond', () => {
    const tracker = new LatencyTracker({ clock: new TestClock() });
    tracker.recordRest('market', 0.25);
    expect(tracker.rest('market').maxMs).toBe(0.25);
  });

  it('WS delay → receivedAt − eventTime corrected by the offset (local − server)', () => {
    const tracker = new LatencyTracker({ clock: new TestClock() });
    // Local clock 200 ms ahead of the server: E=1000 was sent at local 1200, received at 1250.
    tracker.recordWs('btcusdt@depth@100ms', 1_000, 1_250, 200);
    expect(tracker.ws('btcusdt@depth@100ms')).toMatchObject({ count: 1, maxMs: 50 });
    // Local clock 300 ms behind: E=1000 was sent at local 700, received at 710.
    tracker.recordWs('btcusdt@bookTicker', 1_000, 710, -300);
    expect(tracker.ws('btcusdt@bookTicker')).toMatchObject({ count: 1, maxMs: 10 });
    expect(tracker.ws()).toMatchObject({ count: 2, maxMs: 50 });
  });

  it('a negative corrected delay (offset slightly off) → counted as 0, not dropped', () => {
    const tracker = new LatencyTracker({ clock: new TestClock() });
    tracker.recordWs('s', 1_000, 990, 0);
    expect(tracker.ws('s')).toMatchObject({ count: 1, maxMs: 0 });
  });

  it('samples older than the window → fall out; newer ones stay', () => {
    const clock = new TestClock();
    const tracker = new LatencyTracker({ clock, windowMs: 60_000 });
    tracker.recordRest('order', 900);
    clock.advance(30_000);
    tracker.recordRest('order', 10);
    expect(tracker.rest('order')).toMatchObject({ count: 2, maxMs: 900 });
    clock.advance(31_000); // the 900 ms sample is now 61 s old
    expect(tracker.rest('order')).toMatchObject({ count: 1, maxMs: 10 });
    expect(tracker.rest()).toMatchObject({ count: 1, maxMs: 10 });
    clock.advance(60_000);
    expect(tracker.rest('order').count).toBe(0);
  });

  it('a slice reused after a full turn of the ring → starts empty', () => {
    const clock = new TestClock(0);
    const tracker = new LatencyTracker({ clock, windowMs: 6_000 });
    tracker.ws('x');
    tracker.recordWs('x', 0, 500, 0);
    clock.advance(6_000); // same ring slot, next turn
    tracker.recordWs('x', 0, 20, 0);
    expect(tracker.ws('x')).toMatchObject({ count: 1, maxMs: 20 });
  });
});

describe('LatencyTracker sample listeners', () => {
  it('a REST and a WS sample → each listener sees it as stored (negative WS delay as 0), until unsubscribed', () => {
    const tracker = new LatencyTracker({ clock: new TestClock(1_000_000) });
    const seen: unknown[] = [];
    const unsubscribe = tracker.onSample((sample) => seen.push(sample));
    tracker.recordRest('order', 12.3456);
    tracker.recordWs('btcusdt@bookTicker', 1_000, 1_250, 50);
    tracker.recordWs('btcusdt@bookTicker', 1_000, 990, 0);
    unsubscribe();
    tracker.recordRest('order', 99);
    expect(seen).toEqual([
      { kind: 'rest', key: 'order', ms: 12.346 },
      { kind: 'ws', key: 'btcusdt@bookTicker', ms: 200 },
      { kind: 'ws', key: 'btcusdt@bookTicker', ms: 0 },
    ]);
    expect(tracker.rest().count).toBe(2);
  });

  it('a listener that throws → the sample is still recorded and later listeners still run', () => {
    const tracker = new LatencyTracker({ clock: new TestClock() });
    const seen: number[] = [];
    tracker.onSample(() => {
      throw new Error('metrics fault');
    });
    tracker.onSample((sample) => seen.push(sample.ms));
    expect(() => tracker.recordRest('market', 5)).not.toThrow();
    expect(seen).toEqual([5]);
    expect(tracker.rest('market').count).toBe(1);
  });
});
