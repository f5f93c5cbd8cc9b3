import { describe, expect, it } from 'vitest';
import { FakeStreams, LineLogger } from '../engine/detectors/network-detector-test-kit.ts';
import { TestClock } from '../lib/test-clock.ts';
import type { WsReconnectResult } from './ws-reconnect-command.ts';
import { wsReconnectCommand } from './ws-reconnect-command.ts';

async function settle(clock: TestClock, until: () => boolean, stepMs = 100, maxSteps = 500): Promise<void> {
  for (let step = 0; step < maxSteps && !until(); step += 1) {
    for (let round = 0; round < 10; round += 1) await Promise.resolve();
    clock.advance(stepMs);
  }
}

function setup(options: { comesBack: boolean; resyncFails?: boolean }) {
  const clock = new TestClock(0);
  const streams = new FakeStreams(clock).add('btcusdt@bookTicker', 'public').add('userData', 'user');
  const logger = new LineLogger();
  const resyncs: string[] = [];
  const forced: boolean[] = [];
  const fake = {
    health: () => streams.health(),
    reconnect: async (request: { force: boolean }) => {
      forced.push(request.force);
      streams.setState('btcusdt@bookTicker', 'reconnecting');
      streams.setState('userData', 'reconnecting');
      if (!options.comesBack) return;
      clock.setTimeout(() => {
        streams.setState('btcusdt@bookTicker', 'open');
        streams.setState('userData', 'open');
        streams.reconnected('public');
        streams.reconnected('user');
      }, 700);
    },
  };
  const command = wsReconnectCommand({
    clock,
    streams: fake,
    logger,
    reopenTimeoutMs: 5000,
    resync: async (reason) => {
      resyncs.push(reason);
      if (options.resyncFails === true) throw new Error('REST down');
    },
  }).get('ws.reconnect');
  if (command === undefined) throw new Error('ws.reconnect not registered');
  return { clock, command, resyncs, forced, logger };
}

describe('ws.reconnect control command', () => {
  it('streams come back → reopened after the wait, then one REST resync; before/after states reported', async () => {
    const { clock, command, resyncs, forced, logger } = setup({ comesBack: true });
    let result: WsReconnectResult | undefined;
    void command({ by: 'ana' }).then((value) => {
      result = value as WsReconnectResult;
    });
    await settle(clock, () => result !== undefined);
    expect(forced).toEqual([true]);
    expect(result).toMatchObject({ reopened: true, resynced: true });
    expect(result?.waitedMs).toBeGreaterThanOrEqual(700);
    expect(result?.waitedMs).toBeLessThan(1000);
    expect(result?.before.map((s) => [s.state, s.reconnects])).toEqual([
      ['open', 0],
      ['open', 0],
    ]);
    expect(result?.after.map((s) => [s.state, s.reconnects])).toEqual([
      ['open', 1],
      ['open', 1],
    ]);
    expect(resyncs).toEqual(['operator: yunmin ws reconnect --force']);
    expect(logger.lines[0]).toBe('WARN | WebSocket: forced reconnect of 2 streams requested by ana');
  });

  it('a stream never comes back → reopened false after the timeout, resync still attempted, WARN logged', async () => {
    const { clock, command, resyncs, logger } = setup({ comesBack: false });
    let result: WsReconnectResult | undefined;
    void command({}).then((value) => {
      result = value as WsReconnectResult;
    });
    await settle(clock, () => result !== undefined);
    expect(result?.reopened).toBe(false);
    expect(result?.waitedMs).toBeGreaterThanOrEqual(5000);
    expect(resyncs).toHaveLength(1);
    expect(logger.lines.at(-1)).toContain('forced reconnect incomplete, 0/2 streams open');
  });

  it('the resync fails → resynced false with the error', async () => {
    const { clock, command } = setup({ comesBack: true, resyncFails: true });
    let result: WsReconnectResult | undefined;
    void command({}).then((value) => {
      result = value as WsReconnectResult;
    });
    await settle(clock, () => result !== undefined);
    expect(result).toMatchObject({ reopened: true, resynced: false, resyncError: 'REST down' });
  });
});
