import { describe, expect, it } from 'vitest';
import { IncidentResponse } from '../../engine/incident-response.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { MemoryLogger } from '../logging/memory-logger.ts';
import { SqliteStore } from '../sqlite-store/sqlite-store.ts';
import { DetectorHeartbeat } from './detector-heartbeat.ts';

function loop(clock: TestClock) {
  const store = SqliteStore.open({ path: ':memory:', clock });
  return new IncidentResponse({
    clock,
    store,
    logger: new MemoryLogger(clock),
    streams: { reconnect: async () => undefined },
    resync: async () => undefined,
  });
}

/** Lets the evaluation passes the clock started run to completion. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DetectorHeartbeat', () => {
  it('passes every 250 ms → healthy for as long as the loop runs', async () => {
    const clock = new TestClock();
    const response = loop(clock);
    const heartbeat = new DetectorHeartbeat({ clock, maxSilenceMs: 60_000 });
    response.addDetector(heartbeat);
    response.start(250);
    for (let second = 0; second < 120; second += 1) {
      clock.advance(1_000);
      await settle();
    }
    expect(heartbeat.problem()).toBeUndefined();
    response.stop();
  });

  it('a detector before it never settles → silent past 60 s is a problem, not at 60 s', async () => {
    const clock = new TestClock();
    const response = loop(clock);
    response.addDetector({ name: 'hung', evaluate: () => new Promise<void>(() => undefined) });
    const heartbeat = new DetectorHeartbeat({ clock, maxSilenceMs: 60_000 });
    response.addDetector(heartbeat);
    response.start(250);
    clock.advance(60_000);
    await settle();
    expect(heartbeat.problem()).toBeUndefined();
    clock.advance(1_000);
    await settle();
    expect(heartbeat.problem()).toBe('incident detectors have not completed a pass for 61 s (limit 60 s)');
    response.stop();
  });

  it('a beat after a silence → healthy again', () => {
    const clock = new TestClock();
    const heartbeat = new DetectorHeartbeat({ clock, maxSilenceMs: 5_000 });
    clock.advance(9_000);
    expect(heartbeat.problem()).toContain('9 s');
    heartbeat.evaluate();
    expect(heartbeat.problem()).toBeUndefined();
  });
});
