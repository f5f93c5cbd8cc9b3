import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../lib/test-clock.ts';
import { parseBannedUntil, parseRetryAfterMs, RequestHold } from './request-hold.ts';

describe('RequestHold', () => {
  it('active until the exact end, then gone', () => {
    const clock = new TestClock(1000);
    const hold = new RequestHold(clock);
    expect(hold.extend('rate-limited', 31_000)).toBe(true);
    clock.advance(29_999);
    expect(hold.active()).toEqual({ until: 31_000, reason: 'rate-limited' });
    clock.advance(1);
    expect(hold.active()).toBeUndefined();
  });

  it('a shorter hold never shortens a longer one; a ban upgrades the reason', () => {
    const clock = new TestClock(0);
    const hold = new RequestHold(clock);
    hold.extend('rate-limited', 60_000);
    expect(hold.extend('ip-banned', 30_000)).toBe(false);
    expect(hold.active()).toEqual({ until: 60_000, reason: 'ip-banned' });
    expect(hold.extend('rate-limited', 120_000)).toBe(true);
  });
});

describe('Retry-After and ban parsing', () => {
  it('Retry-After seconds → ms; absent or malformed → undefined', () => {
    expect(parseRetryAfterMs('30')).toBe(30_000);
    expect(parseRetryAfterMs(' 7 ')).toBe(7000);
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined();
    expect(parseRetryAfterMs('-5')).toBeUndefined();
  });

  it('418 message → the quoted epoch ms', () => {
    const message =
      'Way too many requests; IP banned until 1767225720000. Please use the websocket for live updates to avoid bans.';
    expect(parseBannedUntil(message)).toBe(1_767_225_720_000);
    expect(parseBannedUntil('Too many requests')).toBeUndefined();
  });
});
