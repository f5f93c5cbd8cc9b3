import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeEngineConfig } from '../../test/engine/engine-process.ts';
import { signedRequest } from '../../test/support/binance-request.ts';
import { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import { loadConfig } from '../app/config/load-config.ts';
import { storePath } from '../app/engine-app.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { type RunningSimulator, startSimulator } from '../sim/simulator.ts';
import { registerIncidentCommands } from './incident-commands.ts';
import { registerKillSwitchCommands } from './kill-switch-commands.ts';

// The commands run in-process on a fresh commander program (main.ts registers them for `yunmin`),
// against the simulator with no engine running: they act on the store and the exchange directly.

let sim: RunningSimulator;
let dir: string;
let configPath: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 21 });
  dir = mkdtempSync(join(tmpdir(), 'yunmin-ks-cli-'));
  configPath = writeEngineConfig(dir, 'cli', sim, '  strategy:\n    name: churn', 'killswitch:\n  verify_s: 2\n');
  vi.stubEnv('BINANCE_API_KEY', sim.apiKey);
  vi.stubEnv('BINANCE_API_SECRET', sim.apiSecret);
  vi.stubEnv('YUNMIN_CONTROL_TOKEN', '');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `yunmin <args> --config <test config>` in-process; returns stdout, or the error it threw. */
async function yunmin(...args: string[]): Promise<{ out: string; error?: { code?: string; message: string } }> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  registerKillSwitchCommands(program);
  registerIncidentCommands(program);
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync([...args, '--config', configPath], { from: 'user' });
    return { out: chunks.join('') };
  } catch (error) {
    return { out: chunks.join(''), error: error as { code?: string; message: string } };
  } finally {
    spy.mockRestore();
  }
}

async function order(params: Record<string, string>): Promise<void> {
  const reply = await signedRequest(sim, 'POST', '/fapi/v1/order', params);
  expect(reply.status).toBe(200);
}

async function exchangeState(): Promise<{ positions: number; orders: number }> {
  const positions = (await signedRequest(sim, 'GET', '/fapi/v3/positionRisk')).body as { positionAmt: string }[];
  const orders = (await signedRequest(sim, 'GET', '/fapi/v1/openOrders')).body as unknown[];
  return { positions: positions.filter((p) => Number(p.positionAmt) !== 0).length, orders: orders.length };
}

async function openExposure(): Promise<void> {
  await order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' });
  await order({ symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', quantity: '0.100' });
  await order({
    symbol: 'ETHUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.050',
    price: '4000.00',
  });
}

function openStore(): SqliteStore {
  return SqliteStore.open({ path: storePath(loadConfig(configPath, process.env)), clock: new SystemClock() });
}

describe('yunmin kill-switch and incidents, engine down', () => {
  it('trigger without --by → refused by the parser, nothing persisted', async () => {
    const result = await yunmin('kill-switch', 'trigger', '--reason', 'drill');
    expect(result.error?.code).toBe('commander.missingMandatoryOptionValue');
    const store = openStore();
    expect(store.getKillSwitch().state).toBe('ARMED');
    store.close();
  });

  it('status → ARMED and the exchange not flat; trigger → TRIPPED by operator:ana, exchange flat, HALTED, CRIT logged', async () => {
    await openExposure();
    const before = await yunmin('kill-switch', 'status');
    expect(before.out).toMatch(/kill switch\s+ARMED/);
    expect(before.out).toMatch(/exchange\s+position\(s\) BTCUSDT 0\.01, ETHUSDT -0\.1; 1 open order\(s\)/);

    const result = await yunmin('kill-switch', 'trigger', '--reason', 'drill: manual trip', '--by', 'ana', '--json');
    expect(result.error).toBeUndefined();
    const status = JSON.parse(result.out) as { record: Record<string, unknown>; lastVerification: { flat: boolean } };
    expect(status.record).toMatchObject({ state: 'TRIPPED', reason: 'drill: manual trip', by: 'operator:ana' });
    expect(status.lastVerification.flat).toBe(true);
    expect(await exchangeState()).toEqual({ positions: 0, orders: 0 });

    const store = openStore();
    expect(store.getTradingState()).toMatchObject({ state: 'HALTED' });
    expect(store.listIncidents()[0]).toMatchObject({ type: 'KILL_SWITCH', status: 'CONTAINED' });
    store.close();
    expect(readFileSync(join(dir, 'logs', 'trading.log'), 'utf8')).toMatch(
      /\| CRIT \| KILL_SWITCH activated: drill: manual trip/,
    );
  });

  it('incidents → the kill switch row with TTD and TTC; show ID → fields, timeline from detection; --json computes TTD/TTC', async () => {
    const list = await yunmin('incidents', '--open');
    expect(list.out).toMatch(/^ID\s+TYPE\s+SEVERITY\s+STATUS\s+DETECTED\s+TTD\s+TTC\s+SUMMARY/);
    expect(list.out).toMatch(
      /KILL_SWITCH\s+CRIT\s+CONTAINED\s+\S+ \S+\s+\d+ ms\s+\d+ ms\s+Kill switch tripped by operator:ana/,
    );
    const [incident] = JSON.parse((await yunmin('incidents', '--json', '--limit', '1')).out) as {
      id: string;
      timeToDetectMs: number;
      timeToContainMs: number;
      actions: unknown[];
    }[];
    expect(incident?.timeToDetectMs).toBeGreaterThanOrEqual(0);
    expect(incident?.timeToContainMs).toBeGreaterThan(0);
    const shown = await yunmin('incidents', 'show', incident?.id ?? '');
    expect(shown.out).toMatch(/time to contain\s+\d+ ms/);
    expect(shown.out).toMatch(/\+\d+ ms\s+OK\s+persist TRIPPED/);
    expect(shown.out).toMatch(/OK\s+verify flat \(attempt 1, batch\)\s+flat/);
    expect(shown.out).toMatch(/acknowledgements \(0\):\n {2}none/);
    expect((await yunmin('incidents', 'show', 'INC-NOPE')).error?.code).toBe('CLI_NOT_FOUND');
  });

  it('release while not flat → refused and still TRIPPED; --force → ARMED, forced, recorded', async () => {
    await order({ symbol: 'BNBUSDT', side: 'BUY', type: 'MARKET', quantity: '1.00' });
    const refused = await yunmin('kill-switch', 'release', '--by', 'bo');
    expect(refused.error?.code).toBe('KILL_SWITCH_NOT_FLAT');
    let store = openStore();
    expect(store.getKillSwitch().state).toBe('TRIPPED');
    store.close();

    const forced = await yunmin('kill-switch', 'release', '--by', 'bo', '--force', '--json');
    expect(JSON.parse(forced.out)).toMatchObject({
      record: { state: 'ARMED', releasedBy: 'operator:bo', forced: true },
      verification: { flat: false, summary: 'position(s) BNBUSDT 1' },
    });
    store = openStore();
    expect(store.getKillSwitch()).toMatchObject({ state: 'ARMED', forced: true });
    expect(store.listIncidents({ openOnly: true })).toEqual([]);
    store.close();
  });

  it('flatten --by ana → every order cancelled and every position closed, recorded in the event log', async () => {
    await openExposure();
    const result = await yunmin('flatten', '--by', 'ana');
    expect(result.error).toBeUndefined();
    expect(result.out).toMatch(/\[1\] cancel all ETHUSDT: ok/);
    expect(result.out).toMatch(/exchange: flat/);
    expect(await exchangeState()).toEqual({ positions: 0, orders: 0 });
    const store = openStore();
    expect(store.events({ types: ['ExchangeFlattened'] }).at(-1)?.payload).toMatchObject({
      by: 'operator:ana',
      flat: true,
    });
    store.close();
  });

  it('release when ARMED → KILL_SWITCH_NOT_TRIPPED', async () => {
    expect((await yunmin('kill-switch', 'release', '--by', 'bo')).error?.code).toBe('KILL_SWITCH_NOT_TRIPPED');
  });
});
