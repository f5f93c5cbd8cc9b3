import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../src/adapters/logging/memory-logger.ts';
import {
  type NotifySpawner,
  SystemdNotifier,
  systemdNotifySpawner,
} from '../../src/adapters/systemd/systemd-notifier.ts';
import { TestClock } from '../../src/lib/test-clock.ts';
import { type NotifySocketStandIn, notifyToolsAvailable, startNotifySocket } from './notify-socket-stand-in.ts';

if (!notifyToolsAvailable) {
  console.warn('test/deploy/systemd-notify.e2e.test.ts: systemd-notify or python3 not found, SKIPPING');
}

describe('SystemdNotifier with the real systemd-notify', () => {
  let socket: NotifySocketStandIn | undefined;
  let dir: string | undefined;
  afterEach(() => {
    socket?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(notifyToolsAvailable)(
    'READY=1, then WATCHDOG=1 only while healthy, then STOPPING=1 — each datagram with MAINPID',
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'yunmin-notify-'));
      const stand = await startNotifySocket(dir);
      socket = stand;
      const clock = new TestClock();
      let problem: string | undefined;
      // The real spawner, with its runs tracked: each clock step waits until systemd-notify has exited.
      const real = systemdNotifySpawner();
      const running: Promise<void>[] = [];
      const spawn: NotifySpawner = (args, target) => {
        const run = real(args, target);
        running.push(run);
        return run;
      };
      const step = async (ms: number) => {
        clock.advance(ms);
        await Promise.all(running.splice(0));
      };
      const notifier = new SystemdNotifier({
        clock,
        env: { NOTIFY_SOCKET: stand.path, WATCHDOG_USEC: '2000000' },
        pid: 31337,
        health: () => problem,
        logger: new MemoryLogger(clock),
        spawn,
      });
      await notifier.ready('DRY_RUN; health http://127.0.0.1:8000/health');
      await step(1_000);
      problem = 'incident detectors have not completed a pass for 61 s';
      await step(1_000);
      await step(1_000); // withheld again: nothing sent
      await notifier.stop();
      await stand.waitUntil((messages) => messages.length >= 4, 10_000, 'four notifications');
      expect(stand.messages()).toEqual([
        ['MAINPID=31337', 'READY=1', 'STATUS=DRY_RUN; health http://127.0.0.1:8000/health'],
        ['MAINPID=31337', 'WATCHDOG=1'],
        ['MAINPID=31337', 'STATUS=unhealthy: incident detectors have not completed a pass for 61 s'],
        ['MAINPID=31337', 'STOPPING=1'],
      ]);
    },
  );
});
