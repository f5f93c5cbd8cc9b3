import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';
import { TestClock } from './test-clock.ts';

describe('TestClock', () => {
  it('advance → fires due timers in deadline order, each at its own time', () => {
    const clock = new TestClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100);
    clock.setTimeout(() => fired.push(`late@${clock.now()}`), 5_000);
    clock.advance(300);
    expect(fired).toEqual(['a@1100', 'b@1200']);
    expect(clock.now()).toBe(1_300);
  });

  it('interval → fires once per period until cleared', () => {
    const clock = new TestClock(0);
    let count = 0;
    const handle = clock.setInterval(() => {
      count += 1;
    }, 10);
    clock.advance(35);
    expect(count).toBe(3);
    clock.clearTimer(handle);
    clock.advance(100);
    expect(count).toBe(3);
  });

  it('a timer scheduled by a firing timer inside the window → also fires', () => {
    const clock = new TestClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 10), 10);
    clock.advance(25);
    expect(fired).toEqual([20]);
  });

  it('going back in time → refused', () => {
    const clock = new TestClock(100);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advanceTo(50)).toThrow(RangeError);
  });
});

describe('seeded random', () => {
  it('same seed → same sequence; other seed → other sequence', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const value of seqA) expect(value >= 0 && value < 1).toBe(true);
  });

  it('integer → stays within inclusive bounds', () => {
    const random = createRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1_000; i += 1) seen.add(random.integer(1, 3));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });
});
