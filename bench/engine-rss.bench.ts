import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { OrderRequest } from '../src/domain/order.ts';
import { type Benchmark, result } from './bench-result.ts';
import { bookReady, logCounter, settled, startBenchEngine, startSimulatorProcess } from './engine-bench-setup.ts';

/**
 * Issue 4 point 12: RSS over a long accelerated run (goal: flat). The real engine (startEngineApp:
 * SQLite file, file logs, REST client, WebSocket streams) trades LIVE against a simulator in its own
 * process, with the churn strategy on BTCUSDT and ETHUSDT: every decision sends a batch of orders
 * that flips each symbol between a full-size long and flat. Decisions are driven back to back (each
 * waits for the user stream to deliver its fills, so the book is settled as after a real decision
 * interval): thousands of decisions, i.e. hours of trading at `decision_interval_s: 5`, in under a
 * minute. RSS is sampled every SAMPLE_EVERY decisions, twice: as the OS sees it, then after a full
 * garbage collection (forced, so that a sample measures what is retained rather than where V8's lazy
 * collector happens to be: without it a 40 s run shows garbage not yet collected as growth). The
 * slope is a least-squares fit of the post-GC RSS after the warm-up, which is long enough for V8 to
 * size its heap. Baseline: the post-GC RSS of the same process once warmed up (JIT, heap sizing,
 * connection pools, SQLite page cache), so the ratio is the growth over the run.
 */

const WARM_UP = 1_500;
const MAX_DECISIONS = 20_000;
const TIME_LIMIT_MS = 35_000;
const SAMPLE_EVERY = 250;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const MB = 1024 * 1024;

interface Sample {
  readonly decision: number;
  /** Before the forced GC: what the OS sees at a random moment. */
  readonly rawRss: number;
  /** After a full GC. */
  readonly rss: number;
  readonly heapUsed: number;
  /** What V8 has reserved for its heap (part of RSS; grows in steps when V8 enlarges a space). */
  readonly heapTotal: number;
}

/** `global.gc` without `--expose-gc` on the command line (npm run bench starts node plainly). */
function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export const benchmark: Benchmark = {
  name: 'engine RSS over a long accelerated run',
  async run() {
    const sim = await startSimulatorProcess(11);
    const log = logCounter();
    const bench = await startBenchEngine(sim, { symbols: SYMBOLS, maxPositionPct: 0.001, onLog: log.onLog }).catch(
      async (error: unknown) => {
        await sim.stop();
        throw error;
      },
    );
    const { engine, rest } = bench.running;
    const gc = exposeGc();
    let sent: readonly OrderRequest[] = [];
    const placeOrders = rest.placeOrders.bind(rest);
    rest.placeOrders = (requests) => {
      sent = [...sent, ...requests];
      return placeOrders(requests);
    };

    const samples: Sample[] = [];
    const sample = (decision: number) => {
      const rawRss = process.memoryUsage.rss();
      gc?.();
      const { rss, heapUsed, heapTotal } = process.memoryUsage();
      samples.push({
        decision,
        rawRss: rawRss / MB,
        rss: rss / MB,
        heapUsed: heapUsed / MB,
        heapTotal: heapTotal / MB,
      });
    };
    let decisions = 0;
    let orders = 0;
    let withoutOrder = 0;
    let started = 0;
    try {
      await bookReady(engine, SYMBOLS);
      for (let i = 0; i < WARM_UP; i += 1) {
        // The first full GC makes V8 resize its heap once (a one-off step of ~20 MB of RSS): let that
        // happen inside the warm-up, not between the first two samples.
        if (i === WARM_UP - 250) gc?.();
        await decideAndSettle();
      }
      orders = 0;
      withoutOrder = 0;
      started = performance.now();
      sample(0);
      while (decisions < MAX_DECISIONS && performance.now() - started < TIME_LIMIT_MS) {
        await decideAndSettle();
        decisions += 1;
        if (decisions % SAMPLE_EVERY === 0) sample(decisions);
      }
      if (decisions % SAMPLE_EVERY !== 0) sample(decisions);
    } finally {
      await bench.stop();
      await sim.stop();
    }
    const seconds = (performance.now() - started) / 1000;

    async function decideAndSettle(): Promise<void> {
      const expected = new Map(SYMBOLS.map((symbol) => [symbol, engine.tracker.position(symbol).amount]));
      sent = [];
      await engine.decide();
      for (const request of sent) {
        const signed = request.side === 'BUY' ? request.quantity : -request.quantity;
        expected.set(request.symbol, (expected.get(request.symbol) ?? 0n) + signed);
      }
      orders += sent.length;
      if (sent.length === 0) withoutOrder += 1;
      await settled(engine, expected);
    }

    const first = samples[0] as Sample;
    const last = samples.at(-1) as Sample;
    const peak = Math.max(...samples.map((s) => s.rawRss));
    const slope = leastSquaresSlope(samples.map((s) => [s.decision / 1000, s.rss]));
    const rawSlope = leastSquaresSlope(samples.map((s) => [s.decision / 1000, s.rawRss]));
    const heapSlope = leastSquaresSlope(samples.map((s) => [s.decision / 1000, s.heapUsed]));
    const outside = (s: Sample) => s.rss - s.heapTotal;
    const outsideSlope = leastSquaresSlope(samples.map((s) => [s.decision / 1000, outside(s)]));
    const mb = (value: number) => value.toFixed(1);
    const run = `${decisions} decisions (${orders} orders, ${withoutOrder} decisions without an order, ${Math.round(decisions / seconds)} decisions/s, ${seconds.toFixed(1)} s) after ${WARM_UP} warm-up; ${samples.length} samples; ${log.summary()}`;
    const gcNote =
      gc === undefined ? 'GC NOT forced (unavailable): figures include uncollected garbage' : 'after a forced GC';
    const figures = `${gcNote}: start ${mb(first.rss)} MB, end ${mb(last.rss)} MB, slope ${slope.toFixed(3)} MB per 1000 decisions, heap used ${mb(first.heapUsed)} → ${mb(last.heapUsed)} MB (slope ${heapSlope.toFixed(3)} MB/1000), heap reserved ${mb(first.heapTotal)} → ${mb(last.heapTotal)} MB; as the OS sees it (no GC): ${mb(first.rawRss)} → ${mb(last.rawRss)} MB, peak ${mb(peak)} MB, slope ${rawSlope.toFixed(3)} MB/1000`;
    return [
      result({
        name: 'engine RSS at the end of the run (after GC)',
        unit: 'MB',
        value: last.rss,
        baselineName: 'RSS after warm-up and GC (start of the run)',
        baselineValue: first.rss,
        notes: `goal: flat (ratio ≈ 1); ${figures}; ${run}`,
      }),
      result({
        name: 'engine RSS peak during the run (as the OS sees it, no forced GC)',
        unit: 'MB',
        value: peak,
        baselineName: 'RSS after warm-up and GC (start of the run)',
        baselineValue: first.rss,
        notes:
          'highest sample taken before the forced GC: V8 grows and collects its heap in steps, so the peak sits above the trend',
      }),
      result({
        name: 'engine JS heap used at the end of the run (after GC)',
        unit: 'MB',
        value: last.heapUsed,
        baselineName: 'heap used after warm-up and GC (start of the run)',
        baselineValue: first.heapUsed,
        notes: `what the engine retains in JavaScript; the RSS steps above are V8 reserving heap (${mb(first.heapTotal)} → ${mb(last.heapTotal)} MB), not retained objects`,
      }),
      result({
        name: 'engine RSS outside the V8 heap (RSS − heap reserved) at the end of the run',
        unit: 'MB',
        value: outside(last),
        baselineName: 'the same after warm-up (start of the run)',
        baselineValue: outside(first),
        notes: `native memory: SQLite, sockets, buffers, code; slope ${outsideSlope.toFixed(3)} MB per 1000 decisions`,
      }),
      result({
        name: 'engine RSS growth per 1000 decisions (least-squares slope, after GC)',
        unit: 'MB',
        value: slope,
        baselineName: 'RSS after warm-up and GC (start of the run)',
        baselineValue: first.rss,
        notes: `ratio = growth per 1000 decisions as a fraction of the start; at decision_interval_s 5, 1000 decisions ≈ 83 min; ${run}`,
      }),
    ];
  },
};

function leastSquaresSlope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of points) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}
