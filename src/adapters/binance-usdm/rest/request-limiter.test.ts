import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../lib/test-clock.ts';
import { RequestLimiter } from './request-limiter.ts';

const LIMITS = { requestWeightPerMinute: 100, ordersPer10Seconds: 10, ordersPerMinute: 50 };
const weight = (amount: number) => ({ weight: amount, orders10s: 0, orders1m: 0 });
const order = { weight: 0, orders10s: 1, orders1m: 1 };
const none = { usedWeight1m: undefined, orderCount10s: undefined, orderCount1m: undefined };

function limiter(clock: TestClock, share = 0.8) {
  return new RequestLimiter({ clock, share, limits: LIMITS });
}

describe('RequestLimiter', () => {
  it('under 80 % of the weight limit → no delay; the request that would pass 80 → waits for the oldest to leave the minute', () => {
    const clock = new TestClock(1_000_000_000);
    const subject = limiter(clock);
    for (let index = 0; index < 8; index += 1) {
      expect(subject.delayFor(weight(10))).toBe(0);
      subject.record(weight(10));
      clock.advance(1000);
    }
    // 80 used, sent at t0 … t0+7 s; the next 10 fit once the first leaves the sliding minute.
    expect(subject.delayFor(weight(10))).toBe(60_000 - 8000 + 1);
    expect(subject.delayFor(weight(0))).toBe(0);
  });

  it('acquire waits on the clock, then counts the request', async () => {
    const clock = new TestClock(1_000_000_000);
    const subject = limiter(clock);
    for (let index = 0; index < 8; index += 1) subject.record(order);
    let acquired = false;
    const pending = subject.acquire(order).then(() => {
      acquired = true;
    });
    clock.advance(10_000);
    await Promise.resolve();
    expect(acquired).toBe(false);
    clock.advance(1);
    await pending;
    expect(acquired).toBe(true);
    // The acquired order counts: 7 more fill the 10 s cap of 8.
    for (let index = 0; index < 7; index += 1) subject.record(order);
    expect(subject.delayFor(order)).toBeGreaterThan(0);
  });

  it('orders are capped per 10 s and per minute independently', () => {
    const clock = new TestClock(1_000_000_000);
    const subject = limiter(clock);
    for (let round = 0; round < 5; round += 1) {
      for (let index = 0; index < 8; index += 1) {
        expect(subject.delayFor(order)).toBe(0);
        subject.record(order);
      }
      clock.advance(10_001);
    }
    // 40 orders in the last minute = 80 % of 50: the 10 s window is free but the minute is not.
    expect(subject.delayFor(order)).toBeGreaterThan(0);
  });

  it('a venue report (another process on the IP) is honoured until its window ends', () => {
    const clock = new TestClock(1_000_040_000); // 20 s into a venue minute
    const subject = limiter(clock);
    subject.observe({ ...none, usedWeight1m: 79 }, clock.now());
    expect(subject.usage().usedWeight1m).toBe(79);
    expect(subject.delayFor(weight(2))).toBe(40_000 + 1);
    expect(subject.delayFor(weight(1))).toBe(0);
    clock.advance(40_000);
    expect(subject.usage().usedWeight1m).toBe(0);
    expect(subject.delayFor(weight(2))).toBe(0);
  });

  it('a report for a request that straddled a window boundary → ignored', () => {
    const clock = new TestClock(1_000_019_990);
    const subject = limiter(clock);
    const sentAt = clock.now();
    clock.advance(20);
    subject.observe({ ...none, usedWeight1m: 90 }, sentAt);
    expect(subject.usage().usedWeight1m).toBe(0);
  });

  it('limits from exchangeInfo replace the defaults; a cost above the cap passes only an empty window', () => {
    const clock = new TestClock(1_000_000_000);
    const subject = limiter(clock);
    subject.setLimits({ ...LIMITS, requestWeightPerMinute: 20 });
    expect(subject.delayFor(weight(40))).toBe(0);
    subject.record(weight(1));
    expect(subject.delayFor(weight(40))).toBe(60_001);
  });

  it('share outside (0, 1] → RangeError', () => {
    expect(() => new RequestLimiter({ clock: new TestClock(), share: 0 })).toThrow(RangeError);
    expect(() => new RequestLimiter({ clock: new TestClock(), share: 1.5 })).toThrow(RangeError);
  });
});
