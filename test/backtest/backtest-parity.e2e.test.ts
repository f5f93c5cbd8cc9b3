import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BacktestOrder, runBacktest } from '../../src/app/backtest/backtest-runner.ts';
import { openTape } from '../../src/app/backtest/market-tape.ts';
import { parseConfig } from '../../src/app/config/load-config.ts';
import { type RunningEngine, startEngineApp } from '../../src/app/engine-app.ts';
import { formatFixedTrimmed } from '../../src/lib/fixed.ts';
import { TestClock } from '../../src/lib/test-clock.ts';
import { replaySamplePath } from '../../src/sim/market/replay-sample.ts';
import { type RunningSimulator, startSimulator } from '../../src/sim/simulator.ts';

/**
 * Issue 8 point 6, parity: the same strategy over the same data decides the same orders in a
 * backtest and in a live engine trading the simulator over loopback while the simulator replays the
 * file. Both run on virtual time: the live run shares one TestClock between engine and simulator and
 * steps it a second at a time, letting the real sockets settle between steps; its 1m candles are
 * the simulator's, built from its own trades around the replayed path (within a tick of the file's
 * candles), so orders are compared by the candle they were decided on, side, type, size and
 * reduce-only, not by fill price.
 */

const SYMBOL = 'BTCUSDT';
const CANDLES = 90;
const MINUTE = 60_000;
const TICK_MS = 1000;

/** The bundled sample's real prices, re-stamped one minute apart: a 1m file the simulator replays 1:1. */
function oneMinuteCsv(): { csv: string; start: number } {
  const rows = readFileSync(replaySamplePath(), 'utf8')
    .trim()
    .split('\n')
    .slice(1, CANDLES + 1);
  const start = Date.UTC(2025, 9, 1);
  const lines = rows.map((row, index) => {
    const [, ...rest] = row.split(',');
    return [start + index * MINUTE, ...rest].join(',');
  });
  return { csv: `timestamp,open,high,low,close,volume\n${lines.join('\n')}\n`, start };
}

const TRADING = `trading_engine:
  symbols: [${SYMBOL}]
  decision_interval_s: 60
  strategy: { name: ema_crossover, params: { fast: 3, slow: 8 } }
sync_interval_s: 60
latency: { mitigation: { raised_decision_interval_s: 60 } }
risk_manager: { initial_capital: 10000 }
executor: { max_position_pct: 0.05 }
`;

type Decided = Pick<BacktestOrder, 'at' | 'side' | 'type' | 'reduceOnly' | 'candleOpenTime'> & { quantity: string };

const decided = (order: Omit<Decided, 'quantity'> & { quantity: bigint }): Decided => ({
  at: order.at,
  side: order.side,
  type: order.type,
  quantity: formatFixedTrimmed(order.quantity),
  reduceOnly: order.reduceOnly,
  candleOpenTime: order.candleOpenTime,
});

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('backtest ↔ live parity', () => {
  let dir: string | undefined;
  let engine: RunningEngine | undefined;
  let sim: RunningSimulator | undefined;
  afterEach(async () => {
    await engine?.stop();
    await sim?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    engine = undefined;
    sim = undefined;
  });

  it('same strategy, same data → the same orders, decided on the same candles', async () => {
    const { csv, start } = oneMinuteCsv();
    dir = mkdtempSync(join(tmpdir(), 'yunmin-parity-'));

    // Backtest.
    const backtestConfig = parseConfig(`state_dir: ${join(dir, 'bt')}\n${TRADING}`, {}, 'backtest.yaml');
    const backtest = await runBacktest({ config: backtestConfig, symbol: SYMBOL, tape: openTape(csv, 10_000_000n) });

    // Live: the engine trades the simulator over loopback; both on one stepped clock.
    const clock = new TestClock(start);
    sim = await startSimulator({
      port: 0,
      seed: 7,
      clock,
      market: { tickMs: TICK_MS, historyMinutes: 0, replay: { symbol: SYMBOL, csv, replayCandleMs: MINUTE } },
      // The test ticks the market itself, 1 ms before each second: replay step n (at start + n s − 1 ms)
      // then falls into the same minute as the file's candle it plays, so the simulator's 1m candles
      // close on the file's closes.
      manualTicks: true,
    });
    const running = sim;
    const liveOrders: Decided[] = [];
    // What the strategy saw at the last decision: the clock's time and the newest candle it had.
    let decision: { at: number; candleOpenTime: number | undefined } = { at: start, candleOpenTime: undefined };
    const liveConfig = parseConfig(
      `mode: LIVE\nstate_dir: ${join(dir, 'live')}\nlogs_dir: ${join(dir, 'logs')}\nhealth: { port: 0 }\n` +
        `exchange: { embedded_simulator: false, rest_endpoints: ['${sim.urls.rest}'], ws_endpoint: '${sim.urls.ws}' }\n${TRADING}`,
      { BINANCE_API_KEY: sim.apiKey, BINANCE_API_SECRET: sim.apiSecret },
      'live.yaml',
    );
    engine = await startEngineApp({ config: liveConfig, clock, healthPort: 0 });
    const live = engine;
    sim.exchange.subscribeUserEvents((event) => {
      if (event.kind !== 'orderUpdate' || event.executionType !== 'NEW') return;
      const order = event.order;
      liveOrders.push(
        decided({
          ...decision,
          side: order.side,
          type: order.type,
          quantity: order.origQty,
          reduceOnly: order.reduceOnly,
        }),
      );
    });
    const settled = () =>
      live.engine.tracker
        .active()
        .every((order) => order.state !== 'PENDING_SUBMIT' && order.state !== 'SUBMITTED' && order.state !== 'UNKNOWN');
    const end = start + CANDLES * MINUTE;
    for (let step = 1; start + step * TICK_MS < end; step += 1) {
      clock.advanceTo(start + step * TICK_MS - 1);
      running.market.tick();
      await new Promise((resolve) => setTimeout(resolve, 1));
      const boundary = start + step * TICK_MS;
      if (boundary % MINUTE !== 0) continue;
      if (boundary - start >= 2 * MINUTE) {
        // Before a decision: the simulator's previous candle has reached the engine, orders are answered.
        const expected = boundary - 2 * MINUTE;
        await waitFor(
          () => (live.engine.market.get(SYMBOL).candles.at(-1)?.openTime ?? 0) >= expected && settled(),
          10_000,
          `candle ${new Date(expected).toISOString()} and settled orders`,
        );
      }
      clock.advanceTo(boundary);
      // The decision ran inside advanceTo(), before any socket could deliver a newer candle.
      decision = { at: boundary, candleOpenTime: live.engine.market.get(SYMBOL).candles.at(-1)?.openTime };
    }
    await waitFor(settled, 10_000, 'the last orders');
    await engine.stop();

    const expected = backtest.orders.filter((order) => order.at < end).map(decided);
    expect(expected.length).toBeGreaterThanOrEqual(10);
    expect(liveOrders).toEqual(expected);
  }, 60_000);
});
