import { describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import type { LatencySource, LatencySummary } from '../../ports/latency-source.ts';
import { LatencyDetector, type LatencyMitigation } from './latency-detector.ts';
import { incidentHarness } from './network-detector-test-kit.ts';

const QUIET: LatencySummary = { count: 100, p50Ms: 40, p95Ms: 120, p99Ms: 200, maxMs: 300 };

class FakeLatency implements LatencySource {
  restSummary: LatencySummary = QUIET;
  wsSummary: LatencySummary = QUIET;

  rest(): LatencySummary {
    return this.restSummary;
  }

  ws(): LatencySummary {
    return this.wsSummary;
  }
}

const summary = (p95Ms: number, count = 20): LatencySummary => ({
  count,
  p50Ms: p95Ms / 2,
  p95Ms,
  p99Ms: p95Ms,
  maxMs: p95Ms,
});

const MITIGATION: LatencyMitigation = {
  enabled: true,
  normalTimeoutMs: 5000,
  raisedTimeoutMs: 7000,
  normalDecisionIntervalMs: 5000,
  raisedDecisionIntervalMs: 10_000,
  failover: true,
};

function setup(mitigation: Partial<LatencyMitigation> = {}, failback?: () => void) {
  const clock = new TestClock();
  const harness = incidentHarness(clock);
  const latency = new FakeLatency();
  const applied: string[] = [];
  const detector = new LatencyDetector({
    latency,
    thresholds: { restP95WarnMs: 2000, wsP95WarnMs: 500, windowMs: 60_000 },
    mitigation: { ...MITIGATION, ...mitigation },
    setRestTimeoutMs: (ms) => applied.push(`timeout ${ms}`),
    setDecisionIntervalMs: (ms) => applied.push(`interval ${ms}`),
    failover: () => applied.push('failover'),
    ...(failback !== undefined && { failback }),
    clock,
    incidents: harness.incidents,
  });
  return { clock, latency, detector, applied, ...harness };
}

describe('LatencyDetector (playbook §3)', () => {
  it('REST p95 exactly 2000 ms and WS p95 exactly 500 ms → nothing', () => {
    const { latency, detector, store, applied } = setup();
    latency.restSummary = summary(2000);
    latency.wsSummary = summary(500);
    detector.evaluate();
    expect(store.listIncidents()).toEqual([]);
    expect(applied).toEqual([]);
  });

  it('REST p95 2350 ms → WARN HIGH_LATENCY, timeout 5000→7000, decision interval 5→10 s, failover, each once', () => {
    const { clock, latency, detector, store, applied } = setup();
    latency.restSummary = summary(2350);
    detector.evaluate();
    const [incident] = store.ofType('HIGH_LATENCY');
    expect(incident).toMatchObject({
      severity: 'WARN',
      summary: 'High latency: REST p95 2350ms',
      status: 'CONTAINED',
      firstEvidenceAt: clock.now(),
    });
    expect(applied).toEqual(['timeout 7000', 'interval 10000', 'failover']);
    expect(incident?.actions.map((action) => action.action)).toEqual([
      'raise executor.timeout_ms 5000→7000',
      'raise decision interval 5s→10s',
      'fail over to the next REST endpoint',
    ]);
    for (let tick = 0; tick < 40; tick += 1) {
      clock.advance(250);
      detector.evaluate();
    }
    expect(applied).toEqual(['timeout 7000', 'interval 10000', 'failover']);
    expect(store.ofType('HIGH_LATENCY')).toHaveLength(1);
  });

  it('WS p95 501 ms → WARN; no endpoint failover (it cannot help a slow stream)', () => {
    const { latency, detector, store, applied } = setup();
    latency.wsSummary = summary(501);
    detector.evaluate();
    expect(store.ofType('HIGH_LATENCY')[0]?.summary).toBe('High latency: WS p95 501ms');
    expect(applied).toEqual(['timeout 7000', 'interval 10000']);
  });

  it('REST slows down later in a WS episode → failover then, once', () => {
    const { latency, detector, applied } = setup();
    latency.wsSummary = summary(800);
    detector.evaluate();
    latency.restSummary = summary(3000);
    detector.evaluate();
    detector.evaluate();
    expect(applied).toEqual(['timeout 7000', 'interval 10000', 'failover']);
  });

  it('fewer than 5 samples → no p95 to judge, nothing', () => {
    const { latency, detector, store } = setup();
    latency.restSummary = summary(9000, 4);
    detector.evaluate();
    expect(store.listIncidents()).toEqual([]);
    latency.restSummary = summary(9000, 5);
    detector.evaluate();
    expect(store.ofType('HIGH_LATENCY')).toHaveLength(1);
  });

  it('mitigation disabled → WARN only, nothing changed', () => {
    const { latency, detector, store, applied } = setup({ enabled: false });
    latency.restSummary = summary(2500);
    detector.evaluate();
    expect(store.ofType('HIGH_LATENCY')[0]?.status).toBe('CONTAINED');
    expect(applied).toEqual([]);
  });

  it('back under thresholds for a full window → mitigations reversed, recovery reported, resolved', () => {
    const failbacks: number[] = [];
    const { clock, latency, detector, store, applied } = setup({}, () => failbacks.push(clock.now()));
    latency.restSummary = summary(2500);
    detector.evaluate();
    latency.restSummary = summary(300);
    clock.advance(1000);
    detector.evaluate();
    clock.advance(59_999);
    detector.evaluate();
    expect(store.ofType('HIGH_LATENCY')[0]?.status).toBe('CONTAINED');
    expect(applied).toEqual(['timeout 7000', 'interval 10000', 'failover']);

    clock.advance(1);
    detector.evaluate();
    expect(applied).toEqual(['timeout 7000', 'interval 10000', 'failover', 'timeout 5000', 'interval 5000']);
    expect(failbacks).toEqual([clock.now()]);
    const [incident] = store.ofType('HIGH_LATENCY');
    expect(incident?.status).toBe('RESOLVED');
    expect(incident?.actions.at(-1)?.action).toBe('recovery: REST p95 300ms, WS p95 120ms, under thresholds for 60s');
  });

  it('latency flaps back up during the recovery window → the window starts again', () => {
    const { clock, latency, detector, store } = setup();
    latency.restSummary = summary(2500);
    detector.evaluate();
    latency.restSummary = summary(300);
    detector.evaluate();
    clock.advance(50_000);
    latency.restSummary = summary(2100);
    detector.evaluate();
    latency.restSummary = summary(300);
    clock.advance(1000);
    detector.evaluate();
    clock.advance(59_999);
    detector.evaluate();
    expect(store.ofType('HIGH_LATENCY')[0]?.status).toBe('CONTAINED');
    clock.advance(1);
    detector.evaluate();
    expect(store.ofType('HIGH_LATENCY')[0]?.status).toBe('RESOLVED');
  });

  it('a mitigation that throws → recorded as failed, the others still applied', () => {
    const clock = new TestClock();
    const harness = incidentHarness(clock);
    const latency = new FakeLatency();
    latency.restSummary = summary(2500);
    const applied: string[] = [];
    const detector = new LatencyDetector({
      latency,
      thresholds: { restP95WarnMs: 2000, wsP95WarnMs: 500, windowMs: 60_000 },
      mitigation: MITIGATION,
      setRestTimeoutMs: () => {
        throw new Error('no such client');
      },
      setDecisionIntervalMs: (ms) => applied.push(`interval ${ms}`),
      failover: () => applied.push('failover'),
      clock,
      incidents: harness.incidents,
    });
    detector.evaluate();
    expect(applied).toEqual(['interval 10000', 'failover']);
    expect(harness.store.ofType('HIGH_LATENCY')[0]?.actions[0]).toMatchObject({
      result: 'failed',
      detail: 'no such client',
    });
  });
});
