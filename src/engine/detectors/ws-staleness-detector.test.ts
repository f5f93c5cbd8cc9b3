import { describe, expect, it } from 'vitest';
import { timeToContain, timeToDetect } from '../../domain/incident.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { FakeStreams, incidentHarness, runLoop, settle } from './network-detector-test-kit.ts';
import { WsStalenessDetector } from './ws-staleness-detector.ts';

const THRESHOLDS = { staleWarnMs: 10_000, staleKillMs: 60_000 };

function setup() {
  const clock = new TestClock();
  const harness = incidentHarness(clock);
  const streams = new FakeStreams(clock).add('btcusdt@bookTicker').add('ethusdt@bookTicker').add('userData', 'user');
  const detector = new WsStalenessDetector({
    streams,
    thresholds: THRESHOLDS,
    clock,
    incidents: harness.incidents,
    control: harness.control,
  });
  return { clock, streams, detector, ...harness };
}

describe('WsStalenessDetector (playbook §1, §1b)', () => {
  it('stream connected → clock.advance(61_000) with no message → WS_STALE opened, kill switch tripped', async () => {
    const { clock, streams, detector, store, control, logger } = setup();
    streams.message('btcusdt@bookTicker');
    streams.message('ethusdt@bookTicker');
    const lastMessageAt = clock.now();
    runLoop(clock, detector);

    clock.advance(61_000);
    await settle();

    const [stale] = store.ofType('WS_STALE');
    expect(stale).toMatchObject({ severity: 'CRIT', summary: 'WebSocket stale: 61s', firstEvidenceAt: lastMessageAt });
    expect(control.of('tripKillSwitch')).toEqual([
      { kind: 'tripKillSwitch', reason: 'WebSocket stale: 61s', by: 'automation:ws-staleness' },
    ]);
    expect(stale?.status).toBe('CONTAINED');
    // Detected on the first 250 ms tick past the limit: within threshold + 1 s of the last message.
    expect(stale && timeToDetect(stale)).toBeGreaterThan(60_000);
    expect(stale && timeToDetect(stale)).toBeLessThanOrEqual(60_250);
    expect(logger.lines).toContain(`CRIT | WebSocket stale: 61s [${stale?.id}]`);
  });

  it('receive age exactly 10 s → nothing; 1 ms more → WARN WS_DISCONNECTED and one forced reconnect', async () => {
    const { clock, streams, detector, store, control } = setup();
    streams.message('btcusdt@bookTicker');
    streams.message('ethusdt@bookTicker');
    const lastMessageAt = clock.now();

    clock.advance(10_000);
    detector.evaluate();
    expect(store.listIncidents()).toEqual([]);
    expect(control.calls).toEqual([]);

    clock.advance(1);
    detector.evaluate();
    await settle();
    const [warn] = store.ofType('WS_DISCONNECTED');
    expect(warn).toMatchObject({ severity: 'WARN', summary: 'WebSocket stale: 11s', firstEvidenceAt: lastMessageAt });
    expect(warn?.firstEvidence).toContain('btcusdt@bookTicker');
    expect(control.of('reconnectStreams')).toHaveLength(1);
    expect(warn?.status).toBe('CONTAINED');
    expect(warn?.actions.map((action) => `${action.action}: ${action.result}`)).toEqual([
      'force reconnect of every stream: started',
      'force reconnect of every stream: ok',
    ]);
  });

  it('receive age exactly 60 s → WARN only; 1 ms more → CRIT and the kill switch, contained when the trip resolves', async () => {
    const { clock, streams, detector, store, control } = setup();
    streams.message('btcusdt@bookTicker');

    clock.advance(60_000);
    detector.evaluate();
    expect(store.ofType('WS_STALE')).toEqual([]);
    expect(control.of('tripKillSwitch')).toEqual([]);
    expect(store.ofType('WS_DISCONNECTED')).toHaveLength(1);

    let finishTrip: () => void = () => {};
    control.tripResult = () => new Promise((resolve) => (finishTrip = resolve));
    clock.advance(1);
    detector.evaluate();
    await settle();
    expect(store.ofType('WS_STALE')).toHaveLength(1);
    expect(store.ofType('WS_STALE')[0]?.status).toBe('OPEN');
    expect(control.of('tripKillSwitch')).toHaveLength(1);

    clock.advance(40);
    finishTrip();
    await settle();
    const [stale] = store.ofType('WS_STALE');
    expect(stale?.status).toBe('CONTAINED');
    expect(stale && timeToContain(stale)).toBe(40);
  });

  it('silence through 10–90 s → one incident of each kind, one reconnect, one trip (no reconnect storm)', async () => {
    const { clock, streams, detector, store, control } = setup();
    streams.message('btcusdt@bookTicker');
    runLoop(clock, detector);
    clock.advance(90_000);
    await settle();
    expect(store.ofType('WS_DISCONNECTED')).toHaveLength(1);
    expect(store.ofType('WS_STALE')).toHaveLength(1);
    expect(control.of('reconnectStreams')).toHaveLength(1);
    expect(control.of('tripKillSwitch')).toHaveLength(1);
  });

  it('data flowing again → both incidents resolved; a new silence is a new episode with its own reconnect', async () => {
    const { clock, streams, detector, store, control } = setup();
    streams.message('btcusdt@bookTicker');
    runLoop(clock, detector);
    clock.advance(65_000);
    streams.message('btcusdt@bookTicker');
    clock.advance(250);
    await settle();
    expect(store.ofType('WS_DISCONNECTED').map((incident) => incident.status)).toEqual(['RESOLVED']);
    expect(store.ofType('WS_STALE').map((incident) => incident.status)).toEqual(['RESOLVED']);
    expect(store.ofType('WS_STALE')[0]?.resolvedAt).toBe(clock.now());

    clock.advance(11_000);
    await settle();
    expect(store.ofType('WS_DISCONNECTED').map((incident) => incident.status)).toEqual(['RESOLVED', 'CONTAINED']);
    expect(control.of('reconnectStreams')).toHaveLength(2);
  });

  it('two streams → the stalest one is the evidence, and a fresh one does not hide it', () => {
    const { clock, streams, detector, store } = setup();
    streams.message('btcusdt@bookTicker');
    const frozenAt = clock.now();
    runLoop(clock, detector);
    for (let second = 0; second < 12; second += 1) {
      clock.advance(1000);
      streams.message('ethusdt@bookTicker');
    }
    const [warn] = store.ofType('WS_DISCONNECTED');
    expect(warn?.firstEvidenceAt).toBe(frozenAt);
    expect(warn?.firstEvidence).toContain('btcusdt@bookTicker');
  });

  it('stream down and reconnects refused → counts from its last message, reaches the kill switch at 60 s', async () => {
    const { clock, streams, detector, store, control } = setup();
    streams.message('btcusdt@bookTicker');
    const lastMessageAt = clock.now();
    clock.advance(3000);
    streams.setState('btcusdt@bookTicker', 'reconnecting');
    runLoop(clock, detector);
    clock.advance(7250);
    expect(store.ofType('WS_DISCONNECTED')).toHaveLength(1);
    clock.advance(51_000);
    await settle();
    expect(store.ofType('WS_STALE')[0]?.firstEvidenceAt).toBe(lastMessageAt);
    expect(store.ofType('WS_STALE')[0]?.firstEvidence).toContain('now reconnecting');
    expect(control.of('tripKillSwitch')).toHaveLength(1);
  });

  it('streams never heard from (start-up) → no incident however long', () => {
    const { clock, detector, store, control, streams } = setup();
    streams.setState('ethusdt@bookTicker', 'connecting');
    runLoop(clock, detector);
    clock.advance(120_000);
    expect(store.listIncidents()).toEqual([]);
    expect(control.calls).toEqual([]);
  });

  it('streams closed on purpose (engine stopping) → no incident', () => {
    const { clock, detector, store, streams } = setup();
    streams.message('btcusdt@bookTicker');
    streams.setState('btcusdt@bookTicker', 'closed');
    runLoop(clock, detector);
    clock.advance(120_000);
    expect(store.listIncidents()).toEqual([]);
  });

  it('user-data stream open and quiet for hours → nothing; down for > 10 s → WARN from the tick it was seen down', () => {
    const { clock, detector, store, streams } = setup();
    streams.message('userData');
    runLoop(clock, detector);
    clock.advance(2 * 3_600_000);
    expect(store.listIncidents()).toEqual([]);

    streams.setState('userData', 'reconnecting');
    const downAt = clock.now();
    clock.advance(10_000);
    expect(store.listIncidents()).toEqual([]);
    clock.advance(500);
    const [warn] = store.ofType('WS_DISCONNECTED');
    expect(warn?.firstEvidence).toContain('userData');
    expect(warn?.firstEvidenceAt).toBeGreaterThanOrEqual(downAt);
    expect(warn?.firstEvidenceAt).toBeLessThanOrEqual(downAt + 250);
  });

  it('kill switch trip fails → the failure is recorded and the incident is not contained', async () => {
    const { clock, streams, detector, store, control } = setup();
    control.tripResult = () => Promise.reject(new Error('store unavailable'));
    streams.message('btcusdt@bookTicker');
    clock.advance(61_000);
    detector.evaluate();
    await settle();
    const [stale] = store.ofType('WS_STALE');
    expect(stale?.status).toBe('OPEN');
    expect(stale?.actions.at(-1)).toMatchObject({
      action: 'Triggering kill-switch',
      result: 'failed',
      detail: 'store unavailable',
    });
  });
});
