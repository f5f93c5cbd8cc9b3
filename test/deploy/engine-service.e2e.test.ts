import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/app/config/load-config.ts';
import { type RunningEngine, startEngineApp } from '../../src/app/engine-app.ts';
import { type NotifySocketStandIn, notifyToolsAvailable, startNotifySocket } from './notify-socket-stand-in.ts';

/**
 * The engine as systemd runs it (issue 7 points 3 and 6): the embedded simulator over loopback, a
 * NOTIFY_SOCKET and WATCHDOG_USEC in the environment, the real systemd-notify. READY=1 once it is
 * up, WATCHDOG=1 while it runs, STOPPING=1 on stop; /metrics carries the latency histograms and the
 * orders per state.
 */
describe('the engine under systemd (stand-in notification socket)', () => {
  let dir: string | undefined;
  let socket: NotifySocketStandIn | undefined;
  let running: RunningEngine | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    socket?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(notifyToolsAvailable)(
    'LIVE on the simulator → READY=1 with its pid, WATCHDOG=1 pings, histograms in /metrics, STOPPING=1',
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'yunmin-service-'));
      const stand = await startNotifySocket(dir);
      socket = stand;
      const config = parseConfig(
        `mode: LIVE\nstate_dir: ${join(dir, 'state')}\nlogs_dir: ${join(dir, 'logs')}\nhealth: { port: 0 }\n` +
          'sync_interval_s: 1\nrisk_manager: { initial_capital: 10000 }\nexecutor: { max_position_pct: 0.05 }\n' +
          'trading_engine:\n  decision_interval_s: 0.5\n  strategy: { name: churn }\n',
        {},
        'test.yaml',
      );
      running = await startEngineApp({
        config,
        // 1 s watchdog: a ping every 500 ms.
        environment: { NOTIFY_SOCKET: stand.path, WATCHDOG_USEC: '1000000' },
      });
      const pid = `MAINPID=${process.pid}`;
      await stand.waitUntil(
        (messages) => messages.filter((message) => message.includes('WATCHDOG=1')).length >= 2,
        10_000,
        'two watchdog pings',
      );
      const [ready] = stand.messages();
      expect(ready).toEqual([pid, 'READY=1', `STATUS=LIVE; health ${running.healthUrl}/health`]);
      expect(stand.messages().filter((message) => message.includes('WATCHDOG=1'))[0]).toEqual([pid, 'WATCHDOG=1']);

      const metrics = await (await fetch(`${running.healthUrl}/metrics`)).text();
      expect(metrics).toContain('# TYPE yunmin_rest_latency_seconds histogram');
      const restCount = /^yunmin_rest_latency_seconds_count\{endpoint="[^"]+"\} (\d+)$/m.exec(metrics);
      expect(Number(restCount?.[1] ?? 0)).toBeGreaterThan(0);
      expect(metrics).toMatch(/^yunmin_ws_latency_seconds_bucket\{le="0\.5",stream="[^"]+"\} \d+$/m);
      expect(metrics).toMatch(/^yunmin_orders\{state="OPEN"\} \d+$/m);
      expect(metrics).toContain('yunmin_daily_drawdown_limit_ratio 0.02\n');

      await running.stop();
      running = undefined;
      await stand.waitUntil(
        (messages) => messages.some((message) => message.includes('STOPPING=1')),
        10_000,
        'STOPPING=1',
      );
    },
  );
});
