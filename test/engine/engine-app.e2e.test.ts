import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite-store/sqlite-store.ts';
import { parseConfig } from '../../src/app/config/load-config.ts';
import { type RunningEngine, startEngineApp } from '../../src/app/engine-app.ts';
import { SystemClock } from '../../src/lib/system-clock.ts';
import { type RunningSimulator, startSimulator } from '../../src/sim/simulator.ts';
import { signedRequest } from '../support/binance-request.ts';

function config(dir: string, yaml: string, env: Record<string, string> = {}) {
  return parseConfig(
    `state_dir: ${join(dir, 'state')}\nlogs_dir: ${join(dir, 'logs')}\nhealth: { port: 0 }\nsync_interval_s: 1\nrisk_manager: { initial_capital: 10000 }\nexecutor: { max_position_pct: 0.05 }\n${yaml}`,
    env,
    'test.yaml',
  );
}

async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const TRADING = 'trading_engine:\n  decision_interval_s: 0.5\n  strategy: { name: churn }\n';

describe('the engine app, end to end on loopback', () => {
  let dir: string;
  let running: RunningEngine | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'yunmin-app-'));
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('embedded default, LIVE → trades on the simulator; /health and /ws_health answer; trading.log has the playbook format', async () => {
    running = await startEngineApp({ config: config(dir, `mode: LIVE\n${TRADING}`) });
    const store = running.store;
    await waitFor(() => store.fills('BTCUSDT').length > 0, 15_000, 'a fill');
    const health = (await (await fetch(`${running.healthUrl}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      mode: 'LIVE',
      running: true,
      trading_state: 'ACTIVE',
      kill_switch: 'ARMED',
      ws_connected: true,
    });
    expect(typeof health.last_update_age_s).toBe('number');
    const ws = (await (await fetch(`${running.healthUrl}/ws_health`)).json()) as {
      streams: { stream: string; receive_age_s: number | null }[];
    };
    expect(ws.streams.map((s) => s.stream)).toEqual(expect.arrayContaining(['btcusdt@bookTicker', 'userData']));
    const metrics = await (await fetch(`${running.healthUrl}/metrics`)).text();
    expect(metrics).toContain('yunmin_trading_state{state="ACTIVE"} 1');
    expect(metrics).toMatch(/yunmin_ws_receive_age_seconds\{stream="btcusdt@bookTicker"\} [\d.]+/);
    expect(metrics).toContain('yunmin_kill_switch_tripped 0');
    const log = readFileSync(join(dir, 'logs', 'trading.log'), 'utf8');
    expect(log).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \| INFO \| Engine starting: mode LIVE/m);
    expect(log).toMatch(/\| INFO \| Fill: BTCUSDT (BUY|SELL) /);
  });

  it('DRY_RUN → the same pipeline fills on paper; the exchange never sees an order', async () => {
    running = await startEngineApp({ config: config(dir, `mode: DRY_RUN\n${TRADING}`) });
    const store = running.store;
    await waitFor(() => store.fills('BTCUSDT').length > 0, 15_000, 'a paper fill');
    const sim = running.simulator as RunningSimulator;
    const orders = (await signedRequest(sim, 'GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT' })).body as unknown[];
    expect(orders).toEqual([]);
  });

  it('control endpoints → 403 without a configured token, 401 with a wrong one, 200 with the right one', async () => {
    running = await startEngineApp({ config: config(dir, 'mode: LIVE\n', { YUNMIN_CONTROL_TOKEN: 'tok-123456' }) });
    const url = `${running.healthUrl}/control/orders`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer tok-123456' } })).status).toBe(200);
    await running.stop();
    running = await startEngineApp({ config: config(dir, 'mode: LIVE\n') });
    expect(
      (await fetch(`${running.healthUrl}/control/orders`, { headers: { authorization: 'Bearer x' } })).status,
    ).toBe(403);
  });
});

describe('engine start refusals against a persistent exchange', () => {
  let dir: string;
  let sim: RunningSimulator;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yunmin-refuse-'));
    sim = await startSimulator({ port: 0, seed: 3 });
  });
  afterEach(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const live = () =>
    config(
      dir,
      `mode: LIVE\nexchange: { embedded_simulator: false, rest_endpoints: [${sim.urls.rest}], ws_endpoint: ${sim.urls.ws} }\n`,
      { BINANCE_API_KEY: sim.apiKey, BINANCE_API_SECRET: sim.apiSecret },
    );

  it('kill switch TRIPPED in the store → starting LIVE is refused with ENGINE_KILL_SWITCH_TRIPPED', async () => {
    const cfg = live();
    const store = SqliteStore.open({ path: join(dir, 'state', 'yunmin.sqlite'), clock: new SystemClock() });
    store.setKillSwitch({ state: 'TRIPPED', reason: 'test drawdown', at: Date.now(), by: 'automation:test' });
    store.close();
    await expect(startEngineApp({ config: cfg })).rejects.toMatchObject({ code: 'ENGINE_KILL_SWITCH_TRIPPED' });
  });

  it('--reset-state while the exchange shows a position → refused; confirmed → cleared and reported', async () => {
    await signedRequest(sim, 'POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.002',
    });
    await expect(startEngineApp({ config: live(), resetState: true })).rejects.toMatchObject({
      code: 'ENGINE_RESET_REFUSED',
    });
    const running = await startEngineApp({ config: live(), resetState: true, confirmReset: true });
    try {
      expect(running.resetSummary).toBeDefined();
      // Recovery then adopts the exchange's position (nothing local is left to explain it).
      expect(running.engine.tracker.position('BTCUSDT').amount).toBe(200_000n);
    } finally {
      await running.stop();
    }
  });
});
