import { describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { FakeStreams, incidentHarness } from './network-detector-test-kit.ts';
import { ReconnectRateDetector } from './reconnect-rate-detector.ts';

function setup() {
  const clock = new TestClock();
  const harness = incidentHarness(clock);
  const streams = new FakeStreams(clock)
    .add('btcusdt@bookTicker', 'public')
    .add('ethusdt@bookTicker', 'public')
    .add('userData', 'user');
  const detector = new ReconnectRateDetector({
    streams,
    thresholds: { reconnectRateWarnPerHour: 6 },
    clock,
    incidents: harness.incidents,
  });
  detector.evaluate(); // baseline
  return { clock, streams, detector, ...harness };
}

describe('ReconnectRateDetector (DESIGN matrix row 1: reconnect-rate WARN)', () => {
  it('6 reconnects in an hour → nothing; the 7th → WARN WS_RECONNECT_RATE, alert only', () => {
    const { clock, streams, detector, store, control } = setup();
    const firstAt = clock.now() + 60_000;
    for (let index = 0; index < 6; index += 1) {
      clock.advance(60_000);
      streams.reconnected(index % 2 === 0 ? 'public' : 'user');
      detector.evaluate();
    }
    expect(store.listIncidents()).toEqual([]);

    clock.advance(60_000);
    streams.reconnected('public');
    detector.evaluate();
    const [incident] = store.ofType('WS_RECONNECT_RATE');
    expect(incident).toMatchObject({
      severity: 'WARN',
      summary: 'WebSocket reconnects: 7 in 1h (limit 6)',
      firstEvidenceAt: firstAt,
      status: 'CONTAINED',
    });
    expect(control.calls).toEqual([]);
  });

  it('a connection with several streams counts each reconnect once', () => {
    const { clock, streams, detector, store } = setup();
    clock.advance(1000);
    streams.reconnected('public', 6);
    detector.evaluate();
    expect(store.listIncidents()).toEqual([]);
  });

  it('reconnects older than an hour drop out of the window → resolved', () => {
    const { clock, streams, detector, store } = setup();
    streams.reconnected('public', 7);
    detector.evaluate();
    expect(store.ofType('WS_RECONNECT_RATE')[0]?.status).toBe('CONTAINED');
    clock.advance(3_600_000 - 1);
    detector.evaluate();
    expect(store.ofType('WS_RECONNECT_RATE')[0]?.status).toBe('CONTAINED');
    clock.advance(1);
    detector.evaluate();
    expect(store.ofType('WS_RECONNECT_RATE')[0]?.status).toBe('RESOLVED');
  });

  it('counters present before the detector started are a baseline, not reconnects', () => {
    const clock = new TestClock();
    const harness = incidentHarness(clock);
    const streams = new FakeStreams(clock).add('btcusdt@bookTicker', 'public');
    streams.reconnected('public', 20);
    const detector = new ReconnectRateDetector({
      streams,
      thresholds: { reconnectRateWarnPerHour: 6 },
      clock,
      incidents: harness.incidents,
    });
    detector.evaluate();
    detector.evaluate();
    expect(harness.store.listIncidents()).toEqual([]);
  });

  it('a replaced connection (counter back to 0, then up) still counts its reconnects', () => {
    const { streams, detector, store } = setup();
    streams.reconnected('public', 3);
    detector.evaluate();
    streams.resetCounter('public');
    streams.reconnected('public', 1);
    detector.evaluate();
    expect(store.listIncidents()).toEqual([]);
    streams.reconnected('public', 3);
    detector.evaluate();
    expect(store.ofType('WS_RECONNECT_RATE')[0]?.summary).toBe('WebSocket reconnects: 7 in 1h (limit 6)');
  });
});
