import { describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { RateLimiter, type RateLimitOptions } from './rate-limiter.ts';

const SMALL: RateLimitOptions = {
  requestWeightPerMinute: 10,
  ordersPer10Seconds: 3,
  ordersPerMinute: 5,
  banBaseMs: 120_000,
  banMaxMs: 600_000,
};
const ONE = { weight: 1, orders10s: 0, orders1m: 0 };
const ORDER = { weight: 0, orders10s: 1, orders1m: 1 };

function startOfMinute(): TestClock {
  return new TestClock(Date.UTC(2026, 0, 1, 0, 0, 0));
}

describe('RateLimiter', () => {
  it('weight within the limit → admitted, and the header counts it', () => {
    const limiter = new RateLimiter(startOfMinute(), SMALL);
    for (let i = 0; i < 10; i += 1) expect(limiter.admit(ONE).admitted).toBe(true);
    expect(limiter.usageHeaders(false)['X-MBX-USED-WEIGHT-1M']).toBe('10');
  });

  it('weight over the limit → 429 -1003 with Retry-After to the end of the minute', () => {
    const clock = startOfMinute();
    const limiter = new RateLimiter(clock, SMALL);
    clock.advance(15_000);
    for (let i = 0; i < 10; i += 1) limiter.admit(ONE);
    const result = limiter.admit(ONE);
    if (result.admitted) throw new Error('expected refusal');
    expect(result.error.httpStatus).toBe(429);
    expect(result.error.code).toBe(-1003);
    expect(result.error.headers['retry-after']).toBe('45');
  });

  it('new minute window → counter resets', () => {
    const clock = startOfMinute();
    const limiter = new RateLimiter(clock, SMALL);
    for (let i = 0; i < 10; i += 1) limiter.admit(ONE);
    clock.advance(60_000);
    expect(limiter.admit(ONE).admitted).toBe(true);
    expect(limiter.usageHeaders(false)['X-MBX-USED-WEIGHT-1M']).toBe('1');
  });

  it('request while limited → 418 ban of banBaseMs; requests during the ban → 418 with the remaining seconds', () => {
    const clock = startOfMinute();
    const limiter = new RateLimiter(clock, SMALL);
    for (let i = 0; i < 11; i += 1) limiter.admit(ONE);
    const ban = limiter.admit(ONE);
    if (ban.admitted) throw new Error('expected ban');
    expect(ban.error.httpStatus).toBe(418);
    expect(ban.error.headers['retry-after']).toBe('120');
    expect(ban.error.msg).toContain(String(clock.now() + 120_000));
    clock.advance(100_000);
    const during = limiter.admit(ONE);
    if (during.admitted) throw new Error('expected ban');
    expect(during.error.httpStatus).toBe(418);
    expect(during.error.headers['retry-after']).toBe('20');
    clock.advance(20_000);
    expect(limiter.admit(ONE).admitted).toBe(true);
  });

  it('repeated bans → duration doubles up to banMaxMs', () => {
    const clock = startOfMinute();
    const limiter = new RateLimiter(clock, SMALL);
    const durations: string[] = [];
    for (let round = 0; round < 4; round += 1) {
      clock.advanceTo(Math.ceil((clock.now() + 1) / 60_000) * 60_000); // a fresh minute window
      for (let i = 0; i < 11; i += 1) limiter.admit(ONE);
      const ban = limiter.admit(ONE);
      if (ban.admitted) throw new Error('expected ban');
      durations.push(ban.error.headers['retry-after'] ?? '');
      clock.advance(Number(ban.error.headers['retry-after']) * 1000);
    }
    expect(durations).toEqual(['120', '240', '480', '600']);
  });

  it('orders over the 10-second window → 429 -1015, no ban, and the window reopens after 10 s', () => {
    const clock = startOfMinute();
    const limiter = new RateLimiter(clock, SMALL);
    for (let i = 0; i < 3; i += 1) expect(limiter.admit(ORDER).admitted).toBe(true);
    const refused = limiter.admit(ORDER);
    if (refused.admitted) throw new Error('expected refusal');
    expect(refused.error.code).toBe(-1015);
    expect(limiter.admit(ONE).admitted).toBe(true);
    clock.advance(10_000);
    expect(limiter.admit(ORDER).admitted).toBe(true);
    expect(limiter.usageHeaders(true)).toMatchObject({ 'X-MBX-ORDER-COUNT-10S': '1', 'X-MBX-ORDER-COUNT-1M': '5' });
  });
});
