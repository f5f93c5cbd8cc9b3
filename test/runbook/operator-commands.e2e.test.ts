import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config/load-config.ts';
import { type RunningEngine, startEngineApp } from '../../src/app/engine-app.ts';
import type { AdoptResult, ReconcileResult } from '../../src/app/reconcile-commands.ts';
import type { WsReconnectResult } from '../../src/app/ws-reconnect-command.ts';
import type { LatencyReading } from '../../src/cli/latency-command.ts';
import type { StuckOrder } from '../../src/cli/stuck-orders.ts';
import { parseFixed } from '../../src/lib/fixed.ts';
import { type RunningSimulator, startSimulator } from '../../src/sim/simulator.ts';
import { signedRequest } from '../support/binance-request.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'yunmin.js');
const TOKEN = 'operator-token-0123456789';

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Issue 7 point 4: the runbook steps as commands, against a running engine (in this process, over its
// real health server) and with the engine down, on a simulator over loopback.
describe('operator commands: orders --stuck, latency, ws reconnect, reconcile, logs', () => {
  let sim: RunningSimulator;
  let dir: string;
  let configPath: string;
  let env: NodeJS.ProcessEnv;
  let running: RunningEngine | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 21 });
    dir = mkdtempSync(join(tmpdir(), 'yunmin-operator-'));
    configPath = join(dir, 'operator.yaml');
    // A strategy that only holds: ema_crossover keeps the current position until `slow` candles exist.
    writeFileSync(
      configPath,
      `mode: LIVE
exchange:
  embedded_simulator: false
  rest_endpoints: [${sim.urls.rest}]
  ws_endpoint: ${sim.urls.ws}
state_dir: ${join(dir, 'state')}
logs_dir: ${join(dir, 'logs')}
health: { port: 0 }
sync_interval_s: 1
risk_manager: { initial_capital: 10000 }
executor: { max_position_pct: 0.05, max_order_age_s: 1 }
trading_engine:
  decision_interval_s: 0.5
  symbols: [BTCUSDT, ETHUSDT]
  strategy: { name: ema_crossover, params: { fast: 2, slow: 5000 } }
`,
    );
    env = {
      ...process.env,
      BINANCE_API_KEY: sim.apiKey,
      BINANCE_API_SECRET: sim.apiSecret,
      YUNMIN_CONTROL_TOKEN: TOKEN,
    };
  });
  afterAll(async () => {
    await running?.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const yunmin = async (...args: string[]) =>
    (await run(process.execPath, [bin, ...args, '--config', configPath], { env })).stdout;
  const failing = async (...args: string[]) => {
    const error = (await yunmin(...args).then(
      () => undefined,
      (failed: unknown) => failed,
    )) as { code: number; stderr: string } | undefined;
    if (error === undefined) throw new Error(`yunmin ${args.join(' ')} succeeded`);
    return error;
  };
  const tradingLog = () => readFileSync(join(dir, 'logs', 'trading.log'), 'utf8');

  it('engine down: orders --stuck → only open orders older than max_order_age_s, marked STUCK', async () => {
    const placed = (
      await signedRequest(sim, 'POST', '/fapi/v1/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.002',
        price: '10000.0',
      })
    ).body as { orderId: number };
    await new Promise((resolve) => setTimeout(resolve, 2100));
    // max_order_age_s 1: the 2 s old order is stuck.
    const stuck = JSON.parse(await yunmin('orders', '--stuck', '--json')) as StuckOrder[];
    expect(stuck.map((order) => order.orderId)).toEqual([placed.orderId]);
    expect(stuck[0]).toMatchObject({ source: 'exchange', symbol: 'BTCUSDT', state: 'NEW' });
    expect(stuck[0]?.ageS).toBeGreaterThanOrEqual(2);
    expect(await yunmin('orders', '--stuck')).toMatch(new RegExp(`STUCK\\s+exchange\\s+BTCUSDT\\s+${placed.orderId}`));
    // The same order under max_order_age_s 300 is not stuck (no timing race: it is seconds old).
    const patient = join(dir, 'patient.yaml');
    writeFileSync(patient, readFileSync(configPath, 'utf8').replace('max_order_age_s: 1', 'max_order_age_s: 300'));
    const none = await run(process.execPath, [bin, 'orders', '--stuck', '--config', patient], { env });
    expect(none.stdout).toContain('no open order older than executor.max_order_age_s (300 s)');
    await signedRequest(sim, 'DELETE', '/fapi/v1/allOpenOrders', { symbol: 'BTCUSDT' });
  });

  it('engine down: latency, ws reconnect and reconcile --adopt-exchange → refused with a clear error', async () => {
    expect((await failing('latency')).stderr).toContain('no engine is running');
    expect((await failing('ws', 'reconnect', '--force')).stderr).toContain('no engine is running');
    expect((await failing('reconcile', '--adopt-exchange', '--by', 'ana')).stderr).toContain(
      'needs the running engine',
    );
  });

  it('engine running: latency --watch --count 2 → two readings of REST and WS percentiles against the thresholds', async () => {
    running = await startEngineApp({ config: loadConfig(configPath, env) });
    const lines = (await yunmin('latency', '--watch', '--interval', '1', '--count', '2')).trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/REST p50 \d+ p95 \d+ p99 \d+ ms \(n=\d+\) ok\s+\|\s+WS /);
    const reading = JSON.parse(await yunmin('latency', '--json')) as LatencyReading;
    expect(reading.rest.count).toBeGreaterThan(0);
    expect(reading).toMatchObject({ restP95WarnMs: 2000, wsP95WarnMs: 500, restStatus: 'ok' });
  });

  it('ws reconnect --force → every stream dropped and open again with one more reconnect, resynced over REST', async () => {
    expect((await failing('ws', 'reconnect')).stderr).toContain('--force is required');
    const result = JSON.parse(await yunmin('ws', 'reconnect', '--force', '--by', 'ana', '--json')) as WsReconnectResult;
    expect(result.reopened).toBe(true);
    expect(result.resynced).toBe(true);
    expect(result.before.length).toBeGreaterThan(0);
    for (const stream of result.after) {
      expect(stream.state).toBe('open');
      const before = result.before.find((b) => b.stream === stream.stream);
      expect(stream.reconnects).toBeGreaterThan(before?.reconnects ?? -1);
    }
    expect(tradingLog()).toMatch(/WARN \| WebSocket: forced reconnect of \d+ streams requested by ana/);
  });

  it('local ahead of the exchange → reconcile shows the halt band; the engine halts; --adopt-exchange --by ana adopts, records it, keeps the halt', async () => {
    const engine = running as RunningEngine;
    engine.engine.tracker.adoptPosition(
      { symbol: 'BTCUSDT', amount: parseFixed('0.010'), entryPrice: 0n, realizedPnl: 0n },
      'test: a fill the exchange never had',
    );
    const report = JSON.parse(await yunmin('reconcile', '--json')) as ReconcileResult & { source: string };
    expect(report.source).toBe('engine');
    expect(report.symbols).toContainEqual(
      expect.objectContaining({ symbol: 'BTCUSDT', local: '0.01', exchange: '0', band: 'halt', why: 'one side flat' }),
    );
    await waitFor(() => engine.response.tradingState() === 'HALTED', 10_000, 'the mismatch halt');
    const incident = engine.store.listIncidents({ openOnly: true }).find((i) => i.type === 'POSITION_MISMATCH');
    expect(incident?.severity).toBe('CRIT');

    expect((await failing('reconcile', '--adopt-exchange')).stderr).toContain('--by NAME');
    const adopted = JSON.parse(await yunmin('reconcile', '--adopt-exchange', '--by', 'ana', '--json')) as AdoptResult;
    expect(adopted).toMatchObject({ by: 'ana', adopted: 1, skipped: 0, incidents: [incident?.id] });
    expect(adopted.symbols).toContainEqual(expect.objectContaining({ symbol: 'BTCUSDT', outcome: 'adopted' }));
    expect(engine.engine.tracker.position('BTCUSDT').amount).toBe(0n);
    const record = engine.store.getIncident(incident?.id ?? '');
    expect(record?.status).toBe('RESOLVED');
    expect(record?.actions.map((a) => a.action)).toContain('adopt exchange position (operator ana)');
    expect(engine.response.tradingState()).toBe('HALTED');
    expect(tradingLog()).toContain('CRIT | Position adopted from the exchange by ana: BTCUSDT local 0.01 → 0');
  });

  it('logs --grep/--level/--since/--tail/--count → the playbook greps as one command; a bad pattern → a clear error', async () => {
    const crit = (await yunmin('logs', '--grep', 'adopted from the exchange', '--level', 'CRIT')).trim().split('\n');
    expect(crit).toHaveLength(1);
    expect(crit[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| CRIT \| Position adopted/);
    expect(Number(await yunmin('logs', '--grep', 'ws|websocket', '--since', '1h', '--count'))).toBeGreaterThan(0);
    expect((await yunmin('logs', '--tail', '3')).trim().split('\n')).toHaveLength(3);
    const bad = await failing('logs', '--grep', 'ws(');
    expect(bad.stderr).toContain('expected a regular expression');
    expect((await failing('logs', '--since', 'yesterday')).stderr).toContain('expected a duration');
  });

  it('engine down again: reconcile → the store against the exchange, read-only, with the bands', async () => {
    await running?.stop();
    running = undefined;
    await signedRequest(sim, 'POST', '/fapi/v1/order', {
      symbol: 'ETHUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.050',
    });
    const out = await yunmin('reconcile');
    expect(out).toContain('engine not running');
    expect(out).toMatch(/ETHUSDT\s+0\s+-0\.05\s+100\s+HALT \(CRIT\)\s+one side flat/);
  });
});
