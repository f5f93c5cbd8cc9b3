import { describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { ReconnectsToday } from './reconnects-today.ts';

describe('ReconnectsToday', () => {
  it('first day → the counters as they are; after 00:00 UTC → only reconnects since midnight', () => {
    const clock = new TestClock(Date.UTC(2026, 0, 1, 23, 59, 0));
    const today = new ReconnectsToday();
    expect(today.observe(clock.now(), [{ stream: 'a', reconnects: 3 }]).get('a')).toBe(3);
    clock.advance(120_000); // 00:01 UTC next day
    expect(today.observe(clock.now(), [{ stream: 'a', reconnects: 4 }]).get('a')).toBe(0);
    expect(today.observe(clock.now(), [{ stream: 'a', reconnects: 6 }]).get('a')).toBe(2);
  });
});
