import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import { parseFixed } from '../lib/fixed.ts';
import { TestClock } from '../lib/test-clock.ts';
import { DailyDrawdown, utcDay } from './daily-drawdown.ts';

const f = parseFixed;
const DAY_MS = 86_400_000;
/** 2026-03-10 09:30 UTC: mid-morning, so "later the same day" and "the next day" are both easy to reach. */
const START = Date.UTC(2026, 2, 10, 9, 30);

describe('daily drawdown (playbook §5, issue 4 point 7)', () => {
  let dir: string;
  let path: string;
  let clock: TestClock;
  let store: SqliteStore;
  const open = (limit = '0.02') => {
    store = SqliteStore.open({ path, clock });
    return new DailyDrawdown({ clock, store, maxDailyDrawdown: f(limit) });
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'yunmin-drawdown-'));
    path = join(dir, 'state.sqlite');
    clock = new TestClock(START);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('first reading of a UTC day → becomes the baseline; later readings that day measure against it', () => {
    const drawdown = open();
    const first = drawdown.update(f('10000'));
    expect(first).toEqual({
      day: '2026-03-10',
      baseline: f('10000'),
      equity: f('10000'),
      drawdown: 0n,
      breached: false,
    });
    clock.advance(3_600_000);
    // Equity above the baseline does not move it up: the day's reference is its first reading.
    expect(drawdown.update(f('10500')).baseline).toBe(f('10000'));
    expect(drawdown.update(f('9900'))).toMatchObject({ baseline: f('10000'), drawdown: f('0.01') });
    expect(drawdown.baseline()).toEqual({ day: '2026-03-10', equity: f('10000'), capturedAt: START });
    expect(store.events({ types: ['EquityBaselineSet'] })).toHaveLength(1);
  });

  it('store closed and reopened on the same file the same day → the baseline survives, no new one is taken', () => {
    open().update(f('10000'));
    store.close();
    clock.advance(5 * 3_600_000); // the engine was down for five hours
    const restarted = open();
    const reading = restarted.update(f('9850'));
    expect(reading).toMatchObject({ day: '2026-03-10', baseline: f('10000'), drawdown: f('0.015'), breached: false });
    expect(store.events({ types: ['EquityBaselineSet'] })).toHaveLength(1);
  });

  it('a new UTC day → a new baseline from its first reading; the last millisecond of the old day still uses the old one', () => {
    const drawdown = open();
    drawdown.update(f('10000'));
    const midnight = Date.UTC(2026, 2, 11);
    clock.advanceTo(midnight - 1);
    expect(drawdown.update(f('9700'))).toMatchObject({ day: '2026-03-10', baseline: f('10000'), breached: true });
    clock.advanceTo(midnight);
    expect(drawdown.update(f('9700'))).toEqual({
      day: '2026-03-11',
      baseline: f('9700'),
      equity: f('9700'),
      drawdown: 0n,
      breached: false,
    });
    expect(drawdown.baseline()).toEqual({ day: '2026-03-11', equity: f('9700'), capturedAt: midnight });
    expect(store.events({ types: ['EquityBaselineSet'] }).map((event) => event.payload)).toEqual([
      { day: '2026-03-10', equity: f('10000') },
      { day: '2026-03-11', equity: f('9700') },
    ]);
  });

  it('restart on a later day → the stale baseline is replaced, not measured against', () => {
    open().update(f('10000'));
    store.close();
    clock.advance(2 * DAY_MS);
    const reading = open().update(f('8000'));
    expect(reading).toMatchObject({ day: '2026-03-12', baseline: f('8000'), drawdown: 0n, breached: false });
  });

  it('drawdown → exact to the unit (1e-8), rounded half-up', () => {
    const drawdown = open();
    drawdown.update(f('300'));
    // 6.01 / 300 = 0.0200333…; 2 / 300 = 0.0066666… → …67; 0.00000003 / 300 = 1e-10 → 0.
    expect(drawdown.update(f('293.99')).drawdown).toBe(f('0.02003333'));
    expect(drawdown.update(f('298')).drawdown).toBe(f('0.00666667'));
    expect(drawdown.update(f('299.99999997')).drawdown).toBe(0n);
    expect(drawdown.update(f('299.99999')).drawdown).toBe(f('0.00000003'));
  });

  it('drawdown exactly at the limit → not breached; one unit of drawdown above → breached', () => {
    const drawdown = open('0.02');
    drawdown.update(f('10000'));
    expect(drawdown.update(f('9800'))).toMatchObject({ drawdown: f('0.02'), breached: false });
    expect(drawdown.update(f('9799.9999'))).toMatchObject({ drawdown: f('0.02000001'), breached: true });
  });

  it('a baseline of zero (empty account) → drawdown 0, never a division by zero', () => {
    const drawdown = open();
    drawdown.update(0n);
    expect(drawdown.update(f('-5'))).toMatchObject({ baseline: 0n, drawdown: 0n, breached: false });
  });

  it('utcDay → the UTC calendar day whatever the local time zone', () => {
    expect(utcDay(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe('2026-12-31');
    expect(utcDay(Date.UTC(2027, 0, 1))).toBe('2027-01-01');
  });
});

describe('daily drawdown, exactness at the limit', () => {
  it('equity a fraction of a unit beyond the limit → breached (no rounding hides it)', () => {
    const clock = new TestClock(Date.UTC(2026, 10, 24, 1));
    const store = SqliteStore.open({ path: ':memory:', clock });
    const drawdown = new DailyDrawdown({ clock, store, maxDailyDrawdown: parseFixed('0.02') });
    drawdown.update(parseFixed('10000'));
    expect(drawdown.update(parseFixed('9800')).breached).toBe(false);
    // 2.0000000001 %: rounds to 0.02000000 at 8 decimals, but it is past the limit.
    expect(drawdown.update(parseFixed('9799.99999999')).breached).toBe(true);
  });
});
