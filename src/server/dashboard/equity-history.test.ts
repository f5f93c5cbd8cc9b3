import { describe, expect, it } from 'vitest';
import { type Fixed, parseFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { EquityHistory } from './equity-history.ts';

function history(clock: TestClock, capacity: number) {
  let equity: Fixed | undefined = parseFixed('100');
  const sampler = new EquityHistory({
    clock,
    sampleMs: 1000,
    capacity,
    read: () => ({ equity, drawdown: equity === undefined ? undefined : parseFixed('0.01') }),
  });
  return {
    sampler,
    setEquity: (value: string | undefined) => {
      equity = value === undefined ? undefined : parseFixed(value);
    },
  };
}

describe('EquityHistory', () => {
  it('start → a sample now and one per sampleMs on the clock, oldest first', () => {
    const clock = new TestClock();
    const { sampler, setEquity } = history(clock, 10);
    const t0 = clock.now();
    sampler.start();
    setEquity('101');
    clock.advance(1000);
    setEquity('99.5');
    clock.advance(1000);
    expect(sampler.points().map((p) => [p.at - t0, p.equity])).toEqual([
      [0, parseFixed('100')],
      [1000, parseFixed('101')],
      [2000, parseFixed('99.5')],
    ]);
    expect(sampler.points()[0]?.drawdown).toBe(parseFixed('0.01'));
  });

  it('more samples than capacity → the oldest dropped first, order kept', () => {
    const clock = new TestClock();
    const { sampler, setEquity } = history(clock, 3);
    sampler.start();
    for (let i = 1; i <= 4; i += 1) {
      setEquity(String(100 + i));
      clock.advance(1000);
    }
    expect(sampler.points().map((p) => p.equity)).toEqual([parseFixed('102'), parseFixed('103'), parseFixed('104')]);
  });

  it('equity not yet known → no sample', () => {
    const clock = new TestClock();
    const { sampler, setEquity } = history(clock, 5);
    setEquity(undefined);
    sampler.start();
    clock.advance(3000);
    expect(sampler.points()).toEqual([]);
  });

  it('stop → the timer is cleared and nothing more is sampled', () => {
    const clock = new TestClock();
    const { sampler } = history(clock, 5);
    sampler.start();
    sampler.start();
    expect(clock.pendingTimers).toBe(1);
    sampler.stop();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(5000);
    expect(sampler.points()).toHaveLength(1);
  });

  it('capacity below 1 or a non-positive interval → RangeError', () => {
    const clock = new TestClock();
    const read = () => ({ equity: undefined, drawdown: undefined });
    expect(() => new EquityHistory({ clock, sampleMs: 1000, capacity: 0, read })).toThrow(RangeError);
    expect(() => new EquityHistory({ clock, sampleMs: 0, capacity: 5, read })).toThrow(RangeError);
  });
});
