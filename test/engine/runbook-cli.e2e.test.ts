import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/sim/simulator.ts';
import { signedRequest } from '../support/binance-request.ts';
import { writeEngineConfig } from './engine-process.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'yunmin.js');

// Issue 4 point 10: the verification steps work with the engine down (they ask the exchange).
describe('runbook commands with the engine down', () => {
  let sim: RunningSimulator;
  let dir: string;
  let configPath: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 9 });
    dir = mkdtempSync(join(tmpdir(), 'yunmin-cli-'));
    configPath = writeEngineConfig(dir, 'cli', sim, '  strategy:\n    name: churn');
    env = { ...process.env, BINANCE_API_KEY: sim.apiKey, BINANCE_API_SECRET: sim.apiSecret };
    await signedRequest(sim, 'POST', '/fapi/v1/order', {
      symbol: 'ETHUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.050',
    });
  });
  afterAll(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const yunmin = async (...args: string[]) =>
    (await run(process.execPath, [bin, ...args, '--config', configPath], { env })).stdout;

  it('positions --json → the exchange position, and that the engine has not recorded it', async () => {
    const rows = JSON.parse(await yunmin('positions', '--json')) as {
      symbol: string;
      amount: string;
      local: string;
      match: boolean;
    }[];
    expect(rows).toEqual([expect.objectContaining({ symbol: 'ETHUSDT', amount: '-0.05', local: '0', match: false })]);
  });

  it('account → wallet below 10000 after the fee; trades ETHUSDT --last 1 → the fill', async () => {
    expect(await yunmin('account')).toMatch(/totalWalletBalance\s+99\d\d\.\d+/);
    const fills = JSON.parse(await yunmin('trades', 'ETHUSDT', '--last', '1', '--json')) as { side: string }[];
    expect(fills).toHaveLength(1);
    expect(fills[0]?.side).toBe('SELL');
  });

  it('status → engine not running, trading state and kill switch from the store', async () => {
    const out = await yunmin('status');
    expect(out).toMatch(/engine\s+not running/);
    expect(out).toMatch(/kill switch\s+ARMED/);
  });

  it('orders, cancel and close → a resting order is cancelled, the position is closed reduce-only', async () => {
    const placed = (
      await signedRequest(sim, 'POST', '/fapi/v1/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.002',
        price: '100000.0',
      })
    ).body as { orderId: number };
    expect(await yunmin('orders')).toContain(String(placed.orderId));
    expect(await yunmin('cancel', 'BTCUSDT', String(placed.orderId))).toContain('CANCELED');
    expect(await yunmin('close', 'ETHUSDT')).toMatch(/reduce-only MARKET BUY 0\.05/);
    // v3 positionRisk lists only symbols with a position or open orders (§2.3): flat means no non-zero row.
    const rows = (await signedRequest(sim, 'GET', '/fapi/v3/positionRisk', { symbol: 'ETHUSDT' })).body as {
      positionAmt: string;
    }[];
    expect(rows.filter((row) => Number(row.positionAmt) !== 0)).toEqual([]);
    expect(await yunmin('close', 'ETHUSDT')).toContain('already flat');
  });

  it('a bad symbol → a clear error naming the argument, non-zero exit', async () => {
    await expect(yunmin('trades', 'btc-usdt')).rejects.toMatchObject({
      stderr: expect.stringContaining('expected a symbol'),
    });
  });
});
