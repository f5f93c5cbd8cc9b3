import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../src/app/config/load-config.ts';
import { type RunningEngine, startEngineApp } from '../src/app/engine-app.ts';

/**
 * What the engine benchmarks share: a simulator in its OWN process (so that the engine process's
 * event loop, CPU and RSS are the engine's alone: the simulator keeps every order it ever saw and
 * would otherwise dominate the memory figure), and the real engine from the composition root
 * (`startEngineApp`: SQLite file, file logs, BinanceRestClient, BinanceStreams) talking to it over
 * loopback. The decision timer is set to an hour: the benchmarks call `engine.decide()` themselves.
 */

export interface SimulatorProcess {
  readonly rest: string;
  readonly ws: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  stop(): Promise<void>;
}

const simulatorModule = pathToFileURL(join(import.meta.dirname, '..', 'src', 'sim', 'simulator.ts')).href;

/** Rate limits raised out of the way (the benchmarks send thousands of orders a minute) and a $1M account. */
export async function startSimulatorProcess(seed: number): Promise<SimulatorProcess> {
  const script = `
    import { startSimulator } from ${JSON.stringify(simulatorModule)};
    const sim = await startSimulator({
      port: 0,
      seed: ${seed},
      rateLimits: { requestWeightPerMinute: 100000000, ordersPer10Seconds: 100000000, ordersPerMinute: 100000000 },
      exchange: { initialBalance: 1000000n * 100000000n },
    });
    process.stdout.write(JSON.stringify({ rest: sim.urls.rest, ws: sim.urls.ws, apiKey: sim.apiKey, apiSecret: sim.apiSecret }) + '\\n');
    process.once('SIGTERM', () => sim.stop().then(() => process.exit(0)));
    // The parent holds our stdin: if it dies without stopping us, the pipe closes and we go too.
    process.stdin.on('end', () => process.exit(0)).resume();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await firstLine(child);
  const urls = JSON.parse(first) as Omit<SimulatorProcess, 'stop'>;
  return {
    ...urls,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`simulator process exited with ${String(code)} before it was ready`);
  });
  const line = new Promise<string>((resolve) => lines.once('line', resolve));
  return Promise.race([line, exited]);
}

export interface BenchEngine {
  readonly running: RunningEngine;
  stop(): Promise<void>;
}

/** The engine, LIVE against the simulator process, churn strategy, decisions driven by the caller. */
export async function startBenchEngine(
  sim: SimulatorProcess,
  options: {
    symbols: readonly string[];
    maxPositionPct: number;
    stateRoot?: string;
    /** Every log line (not printed): the benchmarks count denials and failures from it. */
    onLog?: (line: string) => void;
  },
): Promise<BenchEngine> {
  const dir = mkdtempSync(join(options.stateRoot ?? tmpdir(), 'yunmin-engine-bench-'));
  const yaml = `mode: LIVE
exchange:
  embedded_simulator: false
  rest_endpoints: [${sim.rest}]
  ws_endpoint: ${sim.ws}
state_dir: ${join(dir, 'state')}
logs_dir: ${join(dir, 'logs')}
health: { port: 0 }
sync_interval_s: 3600
risk_manager: { initial_capital: 1000000 }
executor: { max_position_pct: ${options.maxPositionPct}, max_open_orders: 10 }
trading_engine:
  decision_interval_s: 3600
  symbols: [${options.symbols.join(', ')}]
  strategy: { name: churn }
latency: { mitigation: { raised_decision_interval_s: 3600 } }
`;
  const config = parseConfig(yaml, { BINANCE_API_KEY: sim.apiKey, BINANCE_API_SECRET: sim.apiSecret }, 'bench.yaml');
  let running: RunningEngine;
  try {
    running = await startEngineApp({ config, ...(options.onLog !== undefined && { echoLog: options.onLog }) });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // The reconciliation detector's first round runs at the first incident evaluation (250 ms after
  // start; with sync_interval_s 3600 the only one). Let it finish before the first order: a round
  // that reads the exchange's position while a fill's user-stream event is still in transit, for an
  // order its REST reply already made FILLED, sees "one side flat" and halts trading (a detector
  // race reported to the lead), which would leave the benchmark measuring denials.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  return {
    running,
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits (without sleeping a fixed time) until the engine's book shows `expected` on every symbol and
 * no order in flight: the user stream has delivered every fill of the last decision.
 */
export async function settled(
  engine: RunningEngine['engine'],
  expected: ReadonlyMap<string, bigint>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const done = () =>
    engine.tracker.active().length === 0 &&
    [...expected].every(([symbol, amount]) => engine.tracker.position(symbol).amount === amount);
  while (!done()) {
    if (performance.now() > deadline) {
      const positions = [...expected.keys()].map((s) => `${s} ${engine.tracker.position(s).amount}`).join(', ');
      throw new Error(
        `engine did not settle within ${timeoutMs} ms: ${engine.tracker.active().length} active, positions ${positions}`,
      );
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Waits until the market streams have given the engine a book for every symbol. */
export async function bookReady(engine: RunningEngine['engine'], symbols: readonly string[]): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (symbols.some((symbol) => engine.market.get(symbol).bid === undefined)) {
    if (performance.now() > deadline) throw new Error(`no book within 10 s for ${symbols.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Counts the engine's WARN and CRIT log lines, so a figure taken while the engine was degraded says so. */
export function logCounter(): { onLog: (line: string) => void; summary: () => string } {
  let warn = 0;
  let crit = 0;
  let firstCrit: string | undefined;
  return {
    onLog(line) {
      if (line.includes(' | WARN | ')) warn += 1;
      else if (line.includes(' | CRIT | ')) {
        crit += 1;
        firstCrit ??= line.split(' | CRIT | ')[1]?.trim();
      }
    },
    summary: () => `engine log: ${crit} CRIT${firstCrit === undefined ? '' : ` (first: ${firstCrit})`}, ${warn} WARN`,
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}
