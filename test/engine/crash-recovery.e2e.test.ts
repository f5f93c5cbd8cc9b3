import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite-store/sqlite-store.ts';
import { formatFixedTrimmed, parseFixed } from '../../src/lib/fixed.ts';
import { createRandom } from '../../src/lib/random.ts';
import { SystemClock } from '../../src/lib/system-clock.ts';
import { type RunningSimulator, startSimulator } from '../../src/sim/simulator.ts';
import { signedRequest } from '../support/binance-request.ts';
import { killHard, spawnEngine, writeEngineConfig } from './engine-process.ts';

const KILLS = 20;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

// Issue 4 point 6 / DESIGN principle 3: kill -9 at random points of live order flow, restart, and
// nothing is lost or duplicated. The churn strategy keeps orders in flight all the time.
describe('crash-only engine: kill -9 during live order flow', () => {
  let sim: RunningSimulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 21,
      rateLimits: { requestWeightPerMinute: 1_000_000, ordersPer10Seconds: 1_000_000, ordersPerMinute: 1_000_000 },
    });
    dir = mkdtempSync(join(tmpdir(), 'yunmin-crash-'));
    // On loopback an order is in flight for a millisecond; real networks take tens to hundreds.
    // Latency on both paths makes a random kill land between send, reply and fill event most of the time.
    sim.faults.inject({ type: 'latency', target: 'rest', fixedMs: 120, jitterMs: 60 });
    sim.faults.inject({ type: 'latency', target: 'ws', fixedMs: 80, jitterMs: 40 });
  });
  afterAll(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${KILLS} SIGKILLs at random moments → no duplicate order, no lost or doubled fill, positions equal the exchange's`, async () => {
    const churn = writeEngineConfig(dir, 'churn', sim, '  strategy:\n    name: churn');
    const random = createRandom(1234);
    for (let i = 0; i < KILLS; i += 1) {
      const engine = spawnEngine(churn, sim);
      await engine.ready;
      await new Promise((resolve) => setTimeout(resolve, 100 + random.integer(0, 1200)));
      await killHard(engine);
    }

    // A last start with a strategy that cannot trade (its slow average never warms up): only recovery runs.
    const quiet = writeEngineConfig(
      dir,
      'quiet',
      sim,
      '  strategy:\n    name: ema_crossover\n    params: { fast: 2, slow: 5000 }',
    );
    const last = spawnEngine(quiet, sim);
    await last.ready;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const exited = once(last.child, 'exit');
    last.child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);

    const store = SqliteStore.open({ path: join(dir, 'state', 'yunmin.sqlite'), clock: new SystemClock() });
    try {
      let exchangeOrders = 0;
      for (const symbol of SYMBOLS) {
        const orders = (await signedRequest(sim, 'GET', '/fapi/v1/allOrders', { symbol, limit: 1000 })).body as {
          clientOrderId: string;
        }[];
        exchangeOrders += orders.length;
        const ids = orders.map((order) => order.clientOrderId);
        expect(new Set(ids).size, `${symbol}: duplicate client order ids on the exchange`).toBe(ids.length);
        for (const id of ids)
          expect(store.getOrder(id), `${symbol}: exchange order ${id} was never persisted locally`).toBeDefined();

        const trades = (await signedRequest(sim, 'GET', '/fapi/v1/userTrades', { symbol, limit: 1000 })).body as {
          id: number;
        }[];
        const local = store
          .fills(symbol, { limit: 100_000 })
          .map((fill) => fill.tradeId)
          .sort((a, b) => a - b);
        expect(local, `${symbol}: local fills differ from the exchange's trades`).toEqual(
          trades.map((trade) => trade.id).sort((a, b) => a - b),
        );

        const position = (
          (await signedRequest(sim, 'GET', '/fapi/v3/positionRisk', { symbol })).body as { positionAmt: string }[]
        )[0];
        const localAmount = store.positions().find((p) => p.symbol === symbol)?.amount ?? 0n;
        expect(formatFixedTrimmed(localAmount), `${symbol}: position`).toBe(
          formatFixedTrimmed(parseFixed(position?.positionAmt ?? '0')),
        );
      }
      // Positions matched because every fill was recovered, not because recovery copied the exchange.
      expect(store.events({ types: ['PositionAdopted'] })).toEqual([]);
      // The test is only worth something if orders really were in flight.
      expect(exchangeOrders).toBeGreaterThan(KILLS);
      expect(store.events({ types: ['RecoveryCompleted'] }).length).toBe(KILLS + 1);
    } finally {
      store.close();
    }
  }, 240_000);
});
