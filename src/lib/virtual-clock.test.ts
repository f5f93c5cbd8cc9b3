import { describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.ts';

describe('VirtualClock', () => {
  it('fireNext → earliest timer first (ties in scheduling order), now() at its deadline, intervals re-armed', () => {
    const clock = new VirtualClock(1000);
    const fired: string[] = [];
    clock.setInterval(() => fired.push(`i@${clock.now()}`), 100);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100);
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 50);
    while (clock.fireNext(1200) !== undefined) {}
    expect(fired).toEqual(['b@1050', 'i@1100', 'a@1100', 'i@1200']);
    expect(clock.nextDue).toBe(1300);
    expect(clock.now()).toBe(1200);
  });

  it('nothing due before the limit → fireNext returns undefined and time stays', () => {
    const clock = new VirtualClock(0);
    clock.setTimeout(() => {}, 500);
    expect(clock.fireNext(499)).toBeUndefined();
    expect(clock.now()).toBe(0);
  });

  it('clearTimer of the earliest → the next one becomes due; setTime past a due timer or backwards throws', () => {
    const clock = new VirtualClock(0);
    const first = clock.setTimeout(() => {}, 10);
    clock.setTimeout(() => {}, 20);
    clock.clearTimer(first);
    expect(clock.nextDue).toBe(20);
    expect(() => clock.setTime(25)).toThrow(RangeError);
    clock.setTime(20);
    expect(() => clock.setTime(19)).toThrow(RangeError);
    expect(clock.pendingTimers).toBe(1);
  });
});
