import { runBacktest } from '../src/app/backtest/backtest-runner.ts';
import { AggTradeTape, type MarketTape, type TapeItem } from '../src/app/backtest/market-tape.ts';
import { parseConfig } from '../src/app/config/load-config.ts';
import { createRandom } from '../src/lib/random.ts';
import { type Benchmark, result } from './bench-result.ts';

const TRADES = 2_000_000;
/** 50 aggregate trades a second: the order of BTCUSDT's busy hours. */
const SPACING_MS = 20;
const START = Date.UTC(2025, 9, 1);

/** A deterministic Binance aggTrades CSV: a seeded random walk on the 0.1 tick around 114 000. */
function synthesizeAggTrades(count: number): string {
  const random = createRandom(42);
  let ticks = 1_140_000;
  const lines = ['agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker'];
  for (let id = 1; id <= count; id += 1) {
    ticks += random.integer(-3, 3);
    const qty = random.integer(1, 2000);
    lines.push(
      `${id},${Math.floor(ticks / 10)}.${ticks % 10},${Math.floor(qty / 1000)}.${String(qty % 1000).padStart(3, '0')},${id * 3},${id * 3 + 2},${START + id * SPACING_MS},${random.next() < 0.5}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Counts the items a tape hands out. */
function counting(tape: MarketTape): { tape: MarketTape; count: () => number } {
  let items = 0;
  return {
    tape: {
      next(): TapeItem | undefined {
        const item = tape.next();
        if (item !== undefined) items += 1;
        return item;
      },
    },
    count: () => items,
  };
}

/**
 * Issue 8 point 4: market events per second through the engine (strategy, risk gate, simulated
 * matching, detectors) on the virtual clock, against a bare loop that only parses the same file
 * into the same events (trades and 1m candles), in the same run.
 */
export const benchmark: Benchmark = {
  name: 'backtest replay throughput',
  async run() {
    const csv = synthesizeAggTrades(TRADES);
    const bareStarted = performance.now();
    const bare = counting(new AggTradeTape(csv));
    while (bare.tape.next() !== undefined) {}
    const bareRate = bare.count() / ((performance.now() - bareStarted) / 1000);

    const config = parseConfig(
      'trading_engine:\n  symbols: [BTCUSDT]\n  strategy: { name: momentum, params: { lookback: 5, threshold_pct: 0.05 } }\nrisk_manager: { initial_capital: 10000 }\nexecutor: { max_position_pct: 0.1 }\n',
      {},
      'bench.yaml',
    );
    const replay = counting(new AggTradeTape(csv));
    const started = performance.now();
    const outcome = await runBacktest({ config, symbol: 'BTCUSDT', tape: replay.tape });
    const seconds = (performance.now() - started) / 1000;
    const rate = replay.count() / seconds;
    const hours = ((outcome.to - outcome.from) / 3_600_000).toFixed(1);
    return [
      result({
        name: 'backtest replay: aggTrades through strategy, risk gate, simulated matching, detectors (1 core)',
        unit: 'events/s',
        value: rate,
        baselineName: 'bare parse loop over the same CSV',
        baselineValue: bareRate,
        notes: `${replay.count().toLocaleString('en-US')} events (${TRADES.toLocaleString('en-US')} trades + 1m candles, ${hours} h of market), ${outcome.orders.length} orders, ${outcome.events.toLocaleString('en-US')} engine events incl. marks, ${seconds.toFixed(1)} s`,
      }),
    ];
  },
};
