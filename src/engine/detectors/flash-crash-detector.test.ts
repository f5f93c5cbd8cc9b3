import { describe, expect, it } from 'vitest';
import { absFixed, parseFixed } from '../../lib/fixed.ts';
import { createRandom } from '../../lib/random.ts';
import { type PriceSample, SampleWindow, windowMove } from './flash-crash-detector.ts';
import { flashCrashBench } from './flash-crash-test-bench.ts';

const f = parseFixed;
const STEP = 250;
const steady = (price: string) => () => ({ mark: f(price), mid: f(price), trade: f(price) });

describe('flash crash detector (§7)', () => {
  it('every source −12 % in 30 s → CRIT FLASH_CRASH when the move passes 10 %, HALTED, first evidence when the move began', async () => {
    const bench = flashCrashBench();
    const start = bench.clock.now();
    await bench.run(20, STEP, steady('100000'));
    const crash = bench.path('100000', '88000', 120);
    await bench.run(100, STEP, (step) => bench.everywhere(crash(step))); // 90000: exactly −10 %
    expect(bench.store.ofType('FLASH_CRASH')).toHaveLength(0);
    await bench.run(1, STEP, () => bench.everywhere(crash(101))); // 89900: −10.1 %
    const [incident] = bench.store.ofType('FLASH_CRASH');
    expect(incident).toMatchObject({
      severity: 'CRIT',
      symbol: 'BTCUSDT',
      summary: 'Flash crash: BTCUSDT mark -10.1% in 60s',
      status: 'CONTAINED',
    });
    expect(incident?.firstEvidenceAt).toBe(start + 21 * STEP);
    expect(incident?.detectedAt).toBe(start + 121 * STEP);
    expect(incident?.firstEvidence).toContain('trade -10.1%, mid -10.1%; ETHUSDT mark 0.0%');
    expect(bench.control.calls).toEqual([
      { kind: 'escalate', state: 'HALTED', detector: 'flash-crash', reason: 'Flash crash: BTCUSDT mark -10.1% in 60s' },
    ]);

    await bench.run(19, STEP, (step) => bench.everywhere(crash(101 + step)));
    expect(bench.control.calls).toHaveLength(1);
    expect(bench.store.ofType('FLASH_CRASH')).toHaveLength(1);
  });

  it('the same 11 % spread over 90 s (never 10 % within 60 s) → nothing', async () => {
    const bench = flashCrashBench();
    await bench.run(20, STEP, steady('100000'));
    const slide = bench.path('100000', '89000', 360);
    await bench.run(400, STEP, (step) => bench.everywhere(slide(step)));
    expect(bench.store.listIncidents()).toEqual([]);
    expect(bench.control.calls).toEqual([]);
  });

  it('a rise counts too: +10.01 % in 20 s → FLASH_CRASH', async () => {
    const bench = flashCrashBench();
    await bench.run(4, STEP, steady('100000'));
    await bench.run(80, STEP, (step) => bench.everywhere(bench.path('100000', '110010', 80)(step)));
    expect(bench.store.ofType('FLASH_CRASH')[0]?.summary).toBe('Flash crash: BTCUSDT mark +10.0% in 60s');
  });

  it('mark alone −15 % while trades and the book stay → WARN DATA_ERROR, streams resubscribed once, no halt; resolved when the mark agrees again, and its return is no new move', async () => {
    const bench = flashCrashBench();
    await bench.run(20, STEP, steady('100000'));
    const bad = bench.path('100000', '85000', 120);
    await bench.run(120, STEP, (step) => ({ mark: bad(step), mid: f('100000'), trade: f('100000') }));
    await bench.run(100, STEP, () => ({ mark: f('85000'), mid: f('100000'), trade: f('100000') }));
    const [incident] = bench.store.ofType('DATA_ERROR');
    expect(incident).toMatchObject({ severity: 'WARN', symbol: 'BTCUSDT', status: 'CONTAINED' });
    expect(incident?.summary).toBe('Data error: BTCUSDT mark -10.1% while trades and book did not move');
    expect(incident?.firstEvidence).toContain('trade 0.0%, mid 0.0%');
    expect(bench.control.calls).toEqual([{ kind: 'reconnectStreams' }]);
    expect(bench.store.ofType('FLASH_CRASH')).toHaveLength(0);

    await bench.run(1, STEP, steady('100000'));
    expect(bench.store.ofType('DATA_ERROR')[0]?.status).toBe('RESOLVED');
    await bench.run(300, STEP, steady('100000'));
    expect(bench.store.listIncidents()).toHaveLength(1);
    expect(bench.control.calls).toHaveLength(1);
  });

  it('trades confirm the move and there is no book → real: FLASH_CRASH', async () => {
    const bench = flashCrashBench();
    const crash = bench.path('100000', '88000', 40);
    await bench.run(4, STEP, () => ({ mark: f('100000'), trade: f('100000') }));
    await bench.run(40, STEP, (step) => ({ mark: crash(step), trade: crash(step) }));
    expect(bench.store.ofType('FLASH_CRASH')).toHaveLength(1);
    expect(bench.store.ofType('DATA_ERROR')).toHaveLength(0);
  });

  it('mark moved with neither trades nor book to refute it → treated as real (halt), never waved through', async () => {
    const bench = flashCrashBench();
    const crash = bench.path('100000', '88000', 40);
    await bench.run(4, STEP, () => ({ mark: f('100000') }));
    await bench.run(40, STEP, (step) => ({ mark: crash(step) }));
    expect(bench.store.ofType('FLASH_CRASH')).toHaveLength(1);
  });

  it.each([
    { case: 'drawdown breached', drawdown: true, exposure: false, onExposure: false, trips: 1 },
    {
      case: 'open exposure with kill_switch_on_open_exposure',
      drawdown: false,
      exposure: true,
      onExposure: true,
      trips: 1,
    },
    {
      case: 'open exposure, kill_switch_on_open_exposure off',
      drawdown: false,
      exposure: true,
      onExposure: false,
      trips: 0,
    },
    { case: 'no breach, no exposure', drawdown: false, exposure: false, onExposure: true, trips: 0 },
  ])('real crash, $case → kill switch tripped $trips time(s)', async ({ drawdown, exposure, onExposure, trips }) => {
    const bench = flashCrashBench({ killSwitchOnOpenExposure: onExposure });
    bench.state.drawdownBreached = drawdown;
    bench.state.openExposure = exposure;
    const crash = bench.path('100000', '88000', 40);
    await bench.run(4, STEP, steady('100000'));
    await bench.run(60, STEP, (step) => bench.everywhere(crash(step)));
    expect(bench.control.count('tripKillSwitch')).toBe(trips);
    expect(bench.control.count('escalate')).toBe(1);
    expect(bench.store.ofType('FLASH_CRASH')[0]?.status).toBe('CONTAINED');
  });

  it('windowMove: signed from the earlier extreme to the later one; undefined without data', () => {
    const samples = [
      { at: 1, mark: f('100') },
      { at: 2, mark: f('100') },
      { at: 3, mark: f('95') },
      { at: 4, mark: f('90') },
    ];
    expect(windowMove(samples, 'mark')).toMatchObject({ pct: f('-10'), fromAt: 1, toAt: 4, startedAt: 3 });
    expect(windowMove(samples, 'mid')).toBeUndefined();
  });

  it("SampleWindow: the running mark extremes give windowMove's move after every push, expiry, reset and compaction", () => {
    const random = createRandom(7);
    const window = new SampleWindow();
    let mark = 1000;
    let compared = 0;
    for (let at = 0; at < 5000; at += 1) {
      mark = Math.max(1, mark + random.integer(-3, 3));
      // Gaps, zero marks and plateaus: the cases windowMove skips or breaks ties on.
      const kind = random.integer(0, 9);
      const sample: PriceSample = kind === 0 ? { at } : { at, mark: kind === 1 ? 0n : f(String(mark)) };
      window.push(sample);
      window.expire(at - random.integer(20, 80));
      if (at % 1500 === 1499 && sample.mark !== undefined) window.reset(sample);
      const full = windowMove(window.samples, 'mark');
      expect(window.markMovePct()).toBe(full === undefined ? undefined : absFixed(full.pct));
      if (full !== undefined) compared += 1;
    }
    expect(compared).toBeGreaterThan(4000);
  });
});
