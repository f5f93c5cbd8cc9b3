import { describe, expect, it } from 'vitest';
import { divFixed, type Fixed, parseFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { type DrawdownReading, utcDay } from '../daily-drawdown.ts';
import { DrawdownDetector, formatDrawdownPercent } from './drawdown-detector.ts';
import { incidentHarness } from './trading-detector-test-kit.ts';

const f = parseFixed;
const BASELINE = f('10000');
const DAY_MS = 86_400_000;

function setup(start?: number) {
  const clock = new TestClock(start);
  const harness = incidentHarness(clock);
  let equity: Fixed | undefined = BASELINE;
  const reading = (): DrawdownReading | undefined => {
    if (equity === undefined) return undefined;
    const drawdown = equity < BASELINE ? divFixed(BASELINE - equity, BASELINE) : 0n;
    return { day: utcDay(clock.now()), baseline: BASELINE, equity, drawdown, breached: drawdown > f('0.02') };
  };
  const make = () =>
    new DrawdownDetector({
      reading,
      thresholds: { maxDailyDd: 0.02 },
      clock,
      incidents: harness.incidents,
      control: harness.control,
    });
  const detector = make();
  const tick = async (ms = 250, on = detector) => {
    clock.advance(ms);
    on.evaluate();
    await on.whenIdle();
  };
  return {
    clock,
    ...harness,
    detector,
    make,
    tick,
    setEquity: (value: string | undefined) => {
      equity = value === undefined ? undefined : f(value);
    },
  };
}

describe('daily drawdown detector (§5)', () => {
  it('drawdown exactly at max_daily_dd → nothing; just past it → CRIT "Daily DD: 2.0%", kill switch tripped, contained', async () => {
    const ctx = setup();
    ctx.setEquity('9800'); // exactly 2 %
    await ctx.tick();
    expect(ctx.store.ofType('DAILY_DRAWDOWN')).toHaveLength(0);
    expect(ctx.control.count('tripKillSwitch')).toBe(0);

    ctx.setEquity('9799.99');
    await ctx.tick();
    const [incident] = ctx.store.ofType('DAILY_DRAWDOWN');
    expect(incident).toMatchObject({ severity: 'CRIT', summary: 'Daily DD: 2.0%', status: 'CONTAINED' });
    expect(incident?.firstEvidenceAt).toBe(ctx.clock.now());
    expect(ctx.control.calls).toContainEqual({
      kind: 'tripKillSwitch',
      reason: 'Daily DD: 2.0%',
      by: 'daily-drawdown',
    });
    expect(incident?.containedAt).toBe(ctx.clock.now());
    expect(ctx.logger.lines).toContain(`CRIT | Daily DD: 2.0% [${incident?.id}]`);
  });

  it('the playbook example: 2.1 % → "Daily DD: 2.1%", one decimal', () => {
    expect(formatDrawdownPercent(f('0.021'))).toBe('2.1');
    expect(formatDrawdownPercent(f('0.02049'))).toBe('2.0');
    expect(formatDrawdownPercent(f('0.0205'))).toBe('2.1');
    expect(formatDrawdownPercent(f('0.045'))).toBe('4.5');
  });

  it('no reading yet → nothing', async () => {
    const ctx = setup();
    ctx.setEquity(undefined);
    await ctx.tick();
    expect(ctx.control.calls).toEqual([]);
  });

  it('breach lasting, kill switch released the same day → tripped once, no loop', async () => {
    const ctx = setup();
    ctx.setEquity('9790');
    for (let i = 0; i < 20; i += 1) await ctx.tick();
    ctx.control.killSwitch = 'ARMED'; // an operator released it; the loss is still there
    ctx.control.state = 'ACTIVE';
    for (let i = 0; i < 20; i += 1) await ctx.tick();
    expect(ctx.control.count('tripKillSwitch')).toBe(1);
    expect(ctx.store.ofType('DAILY_DRAWDOWN')).toHaveLength(1);
  });

  it('back within the limit, then a new breach the same day → first resolved, a new incident and a second trip', async () => {
    const ctx = setup();
    ctx.setEquity('9790');
    await ctx.tick();
    ctx.setEquity('9850');
    await ctx.tick();
    expect(ctx.store.ofType('DAILY_DRAWDOWN')[0]?.status).toBe('RESOLVED');
    ctx.setEquity('9700');
    await ctx.tick();
    const incidents = ctx.store.ofType('DAILY_DRAWDOWN');
    expect(incidents).toHaveLength(2);
    expect(incidents[1]?.summary).toBe('Daily DD: 3.0%');
    expect(ctx.control.count('tripKillSwitch')).toBe(2);
  });

  it('a new UTC day → the old incident resolved; a breach on the new day trips again', async () => {
    const ctx = setup();
    ctx.setEquity('9790');
    await ctx.tick();
    await ctx.tick(DAY_MS);
    expect(ctx.store.ofType('DAILY_DRAWDOWN')[0]?.status).toBe('RESOLVED');
    expect(ctx.store.ofType('DAILY_DRAWDOWN')).toHaveLength(2);
    expect(ctx.control.count('tripKillSwitch')).toBe(2);
  });

  it('restart the same day with the incident still open → no second trip', async () => {
    const ctx = setup();
    ctx.setEquity('9790');
    await ctx.tick();
    const restarted = ctx.make();
    await ctx.tick(250, restarted);
    await ctx.tick(250, restarted);
    expect(ctx.control.count('tripKillSwitch')).toBe(1);
  });

  it('kill switch trip fails → recorded failed, trading HALTED instead, no retry loop', async () => {
    const ctx = setup();
    ctx.control.tripFails = true;
    ctx.setEquity('9790');
    await ctx.tick();
    await ctx.tick();
    const [incident] = ctx.store.ofType('DAILY_DRAWDOWN');
    expect(incident?.actions.map((a) => `${a.action}:${a.result}`)).toEqual([
      'trip kill switch:started',
      'trip kill switch:failed',
    ]);
    expect(ctx.control.state).toBe('HALTED');
    expect(ctx.control.count('tripKillSwitch')).toBe(1);
  });
});
