import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { MemoryLogger } from '../logging/memory-logger.ts';
import {
  type NotifySpawner,
  type SystemdEnvironment,
  SystemdNotifier,
  systemdNotifySpawner,
} from './systemd-notifier.ts';

const PID = 4242;
const SYSTEMD: SystemdEnvironment = { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000' };

/** Lets the notifier's awaited spawns settle (they resolve on the microtask queue). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function kit(env: SystemdEnvironment, spawn?: NotifySpawner) {
  const clock = new TestClock();
  const logger = new MemoryLogger(clock);
  const calls: string[][] = [];
  let problem: string | undefined;
  const notifier = new SystemdNotifier({
    clock,
    env,
    pid: PID,
    health: () => problem,
    logger,
    spawn:
      spawn ??
      (async (args) => {
        calls.push([...args]);
      }),
  });
  return {
    clock,
    logger,
    calls,
    notifier,
    setProblem: (value: string | undefined) => {
      problem = value;
    },
    /** Advances the clock and lets the pings it started finish. */
    advance: async (ms: number) => {
      clock.advance(ms);
      await settle();
    },
  };
}

describe('SystemdNotifier', () => {
  it('no NOTIFY_SOCKET → disabled: ready and the watchdog send nothing', async () => {
    const k = kit({ WATCHDOG_USEC: '30000000' });
    expect(k.notifier.enabled).toBe(false);
    expect(k.notifier.watchdogIntervalMs).toBeUndefined();
    await k.notifier.ready('up');
    await k.advance(120_000);
    await k.notifier.stop();
    expect(k.calls).toEqual([]);
  });

  it('WATCHDOG_USEC 30 s → READY=1 with --pid, then WATCHDOG=1 every 15 s and not before', async () => {
    const k = kit(SYSTEMD);
    expect(k.notifier.watchdogIntervalMs).toBe(15_000);
    await k.notifier.ready('LIVE trading');
    expect(k.calls).toEqual([['--pid=4242', '--ready', 'STATUS=LIVE trading']]);
    await k.advance(14_999);
    expect(k.calls).toHaveLength(1);
    await k.advance(1);
    expect(k.calls[1]).toEqual(['--pid=4242', 'WATCHDOG=1']);
    await k.advance(15_000);
    await k.advance(15_000);
    expect(k.calls.filter((args) => args.includes('WATCHDOG=1'))).toHaveLength(3);
  });

  it('unhealthy → no WATCHDOG=1 while it lasts (one STATUS line, one warning); healthy again → pings resume', async () => {
    const k = kit(SYSTEMD);
    await k.notifier.ready('up');
    k.setProblem('incident detectors have not completed a pass for 61 s');
    for (let tick = 0; tick < 3; tick += 1) await k.advance(15_000);
    const pings = () => k.calls.filter((args) => args.includes('WATCHDOG=1')).length;
    expect(pings()).toBe(0);
    expect(k.calls.slice(1)).toEqual([
      ['--pid=4242', 'STATUS=unhealthy: incident detectors have not completed a pass for 61 s'],
    ]);
    expect(k.logger.messages('WARN').filter((message) => message.includes('ping withheld'))).toHaveLength(1);
    k.setProblem(undefined);
    await k.advance(15_000);
    expect(k.calls.at(-1)).toEqual(['--pid=4242', 'WATCHDOG=1', 'STATUS=running']);
    await k.advance(15_000);
    expect(k.calls.at(-1)).toEqual(['--pid=4242', 'WATCHDOG=1']);
  });

  it('no WATCHDOG_USEC, an invalid one, or WATCHDOG_PID of another process → READY=1 only, no pings', async () => {
    for (const env of [
      { NOTIFY_SOCKET: '/run/n' },
      { NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: 'soon' },
      { NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' },
    ]) {
      const k = kit(env);
      expect(k.notifier.watchdogIntervalMs, JSON.stringify(env)).toBeUndefined();
      await k.notifier.ready('up');
      await k.advance(120_000);
      expect(k.calls, JSON.stringify(env)).toEqual([['--pid=4242', '--ready', 'STATUS=up']]);
    }
    expect(kit({ ...SYSTEMD, WATCHDOG_PID: String(PID) }).notifier.watchdogIntervalMs).toBe(15_000);
  });

  it('stop → STOPPING=1 and no more pings', async () => {
    const k = kit(SYSTEMD);
    await k.notifier.ready('up');
    await k.notifier.stop();
    await k.advance(60_000);
    expect(k.calls).toEqual([
      ['--pid=4242', '--ready', 'STATUS=up'],
      ['--pid=4242', 'STOPPING=1'],
    ]);
  });

  it('systemd-notify failing → never throws, one warning per failing streak', async () => {
    const k = kit(SYSTEMD, async () => {
      throw new Error('exit 1: No such file or directory');
    });
    await expect(k.notifier.ready('up')).resolves.toBeUndefined();
    await k.advance(60_000);
    const warnings = k.logger.messages('WARN').filter((message) => message.startsWith('systemd notification failed'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('No such file or directory');
  });

  it('a ping still in flight → the next tick does not start another', async () => {
    let started = 0;
    const k = kit(SYSTEMD, (args) => {
      if (!args.includes('WATCHDOG=1')) return Promise.resolve();
      started += 1;
      return new Promise<void>(() => undefined);
    });
    await k.notifier.ready('up');
    await k.advance(60_000);
    expect(started).toBe(1);
  });
});

describe('systemdNotifySpawner', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function script(body: string): string {
    dir = mkdtempSync(join(tmpdir(), 'yunmin-notify-'));
    const path = join(dir, 'fake-systemd-notify');
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('a real child process → receives the arguments as given and NOTIFY_SOCKET in its environment', async () => {
    const command = script(`printf '%s\\n' "$NOTIFY_SOCKET" "$@" > "$(dirname "$0")/args"`);
    await systemdNotifySpawner({ command })(['--pid=7', 'WATCHDOG=1', 'STATUS=two words'], '/run/test.sock');
    expect(readFileSync(join(dir as string, 'args'), 'utf8')).toBe(
      '/run/test.sock\n--pid=7\nWATCHDOG=1\nSTATUS=two words\n',
    );
  });

  it('exit status 1 → rejects with its stderr; a hung child → killed at the timeout', async () => {
    const failing = script('echo "No notification socket" >&2; exit 1');
    await expect(systemdNotifySpawner({ command: failing })(['WATCHDOG=1'], '/run/n')).rejects.toThrow(
      'No notification socket',
    );
    const hung = script('sleep 10');
    await expect(systemdNotifySpawner({ command: hung, timeoutMs: 200 })(['WATCHDOG=1'], '/run/n')).rejects.toThrow(
      /WATCHDOG=1 failed/,
    );
  });
});
