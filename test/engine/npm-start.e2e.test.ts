import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { SqliteStore } from '../../src/adapters/sqlite-store/sqlite-store.ts';
import { parseConfig } from '../../src/app/config/load-config.ts';
import { type RunningEngine, startEngineApp, storePath } from '../../src/app/engine-app.ts';
import { SystemClock } from '../../src/lib/system-clock.ts';

// Issue 4 point 11: `npm start` is the embedded default, and "a new user sees it trade within a
// minute, with no keys". These tests run config.sim.yaml itself, changing only where state and logs
// go and the health port (8000 may be taken on a test machine), with no Binance keys in the environment.

const root = join(import.meta.dirname, '..', '..');
const FIRST_FILL_WITHIN_MS = 60_000;
const NO_KEYS: Record<string, string | undefined> = {};

/** config.sim.yaml with only state_dir, logs_dir and health.port changed. */
function simConfigText(dir: string): string {
  const document = parseDocument(readFileSync(join(root, 'config.sim.yaml'), 'utf8'));
  document.setIn(['state_dir'], join(dir, 'state'));
  document.setIn(['logs_dir'], join(dir, 'logs'));
  document.setIn(['health', 'port'], 0);
  return document.toString();
}

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (predicate()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('npm start: the embedded default (config.sim.yaml), no keys', () => {
  let dir: string;
  let running: RunningEngine | undefined;
  let child: ChildProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'yunmin-npm-start-'));
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    child = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'startEngineApp on config.sim.yaml → LIVE on the embedded simulator, a fill within 60 s, /health ok, clean stop',
    async () => {
      const config = parseConfig(simConfigText(dir), NO_KEYS, 'config.sim.yaml');
      expect(config.exchange.embeddedSimulator).toBe(true);
      expect(config.mode).toBe('LIVE');
      expect(config.secrets.binanceApiKey).toBeUndefined();

      running = await startEngineApp({ config });
      const { store } = running;
      const fills = () => config.tradingEngine.symbols.some((symbol) => store.fills(symbol).length > 0);
      await waitFor(fills, FIRST_FILL_WITHIN_MS, 'the first fill of the embedded default');

      const health = (await (await fetch(`${running.healthUrl}/health`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({
        status: 'ok',
        mode: 'LIVE',
        running: true,
        trading_state: 'ACTIVE',
        kill_switch: 'ARMED',
        ws_connected: true,
      });
      expect(health.positions).not.toEqual([]);

      const path = storePath(config);
      await running.stop();
      running = undefined;
      // Stopped: the last event is the stop, and the file reopens consistent.
      const reopened = SqliteStore.open({ path, clock: new SystemClock() });
      try {
        expect(reopened.check().ok).toBe(true);
        expect(reopened.events().at(-1)?.type).toBe('EngineStopped');
        expect(reopened.activeOrders().filter((order) => order.state === 'PENDING_SUBMIT')).toEqual([]);
      } finally {
        reopened.close();
      }
    },
    FIRST_FILL_WITHIN_MS + 30_000,
  );

  it(
    '`yunmin engine --config` as a process → running line, trades, SIGINT → exit 0, state file consistent',
    async () => {
      const configPath = join(dir, 'config.sim.yaml');
      writeFileSync(configPath, simConfigText(dir));
      const env = { ...process.env };
      delete env.BINANCE_API_KEY;
      delete env.BINANCE_API_SECRET;
      delete env.YUNMIN_CONTROL_TOKEN;
      const started = spawn(process.execPath, [join(root, 'bin', 'yunmin.js'), 'engine', '--config', configPath], {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      const output: string[] = [];
      createInterface({ input: started.stdout }).on('line', (line) => output.push(line));
      createInterface({ input: started.stderr }).on('line', (line) => output.push(`stderr: ${line}`));
      const exited = once(started, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const alive = () => {
        if (started.exitCode !== null) throw new Error(`engine exited with ${started.exitCode}:\n${output.join('\n')}`);
      };

      await waitFor(
        () => {
          alive();
          return output.some((line) =>
            /^yunmin engine LIVE running; health http:\/\/127\.0\.0\.1:\d+\/health/.test(line),
          );
        },
        20_000,
        'the running line',
      );
      // Trading, as the user sees it in the echoed log.
      await waitFor(
        () => {
          alive();
          return output.some((line) => / \| INFO \| Fill: (BTCUSDT|ETHUSDT) (BUY|SELL) /.test(line));
        },
        FIRST_FILL_WITHIN_MS,
        'a Fill line on stdout',
      );
      const runtimeFile = join(dir, 'state', 'runtime.json');
      expect(existsSync(runtimeFile)).toBe(true);

      started.kill('SIGINT');
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(output).toContain('yunmin engine: SIGINT, shutting down');
      expect(existsSync(runtimeFile)).toBe(false);

      const store = SqliteStore.open({
        path: join(dir, 'state', 'embedded-simulator.sqlite'),
        clock: new SystemClock(),
      });
      try {
        const check = store.check();
        expect(check, check.detail).toMatchObject({ ok: true });
        expect(store.events().at(-1)?.type).toBe('EngineStopped');
        expect(store.fills('BTCUSDT').length + store.fills('ETHUSDT').length).toBeGreaterThan(0);
      } finally {
        store.close();
      }
      const log = readFileSync(join(dir, 'logs', 'trading.log'), 'utf8');
      expect(log).toMatch(/\| INFO \| Engine shutting down$/m);
    },
    FIRST_FILL_WITHIN_MS + 40_000,
  );
});
