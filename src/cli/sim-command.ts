import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseFixed } from '../lib/fixed.ts';
import { DEFAULT_API_KEY, DEFAULT_API_SECRET, type SimulatorOptions, startSimulator } from '../sim/simulator.ts';
import { decimalOption, integerOption, nonEmptyOption } from './option-parsers.ts';

interface SimCommandOptions {
  host: string;
  port: number;
  seed: number;
  apiKey: string;
  apiSecret: string;
  scenario?: string;
  tickMs?: number;
  initialBalance?: string;
  replay?: string;
  replaySymbol: string;
  replayCandleMs: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  maxConnectionMs?: number;
  listenKeyValidityMs?: number;
}

/** `yunmin sim`: the Binance USDⓈ-M compatible simulator as a process (drills, manual tests, `npm start`). */
export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('run the Binance USD-M compatible exchange simulator on loopback')
    .option('--host <address>', 'address to bind (loopback only by design)', '127.0.0.1')
    .option(
      '--port <n>',
      'port for REST, WebSocket and the /_sim control API; 0 picks a free one',
      integerOption(0, 65535),
      0,
    )
    .option('--seed <n>', 'seed of the price paths (same seed, same path)', integerOption(0, 2 ** 32 - 1), 1)
    .option('--api-key <key>', 'the API key the simulator accepts', nonEmptyOption('an API key'), DEFAULT_API_KEY)
    .option(
      '--api-secret <secret>',
      'the API secret the simulator accepts',
      nonEmptyOption('a secret'),
      DEFAULT_API_SECRET,
    )
    .option('--scenario <file>', 'a fault scenario (YAML) to run from start-up; see scenarios/')
    .option('--tick-ms <n>', 'milliseconds between market ticks (default 100)', integerOption(1, 60_000))
    .option('--initial-balance <usdt>', 'opening USDT wallet balance (default 10000)', decimalOption)
    .option('--replay <csv>', 'replay a price history CSV instead of the random walk')
    .option('--replay-symbol <symbol>', 'symbol the replay drives', 'BTCUSDT')
    .option('--replay-candle-ms <n>', 'simulated milliseconds per replayed candle', integerOption(1, 86_400_000), 5_000)
    .option('--ping-interval-ms <n>', 'server ping interval (Binance: 180000)', integerOption(1, 86_400_000))
    .option('--pong-timeout-ms <n>', 'pong deadline before disconnect (Binance: 600000)', integerOption(1, 86_400_000))
    .option('--max-connection-ms <n>', 'hard connection lifetime (Binance: 86400000)', integerOption(1, 7 * 86_400_000))
    .option('--listen-key-validity-ms <n>', 'listenKey validity without keepalive (Binance: 3600000)', integerOption(1))
    .action(async (raw: SimCommandOptions) => {
      const options = buildOptions(raw);
      const simulator = await startSimulator(options);
      // Exactly one line on stdout, so scripts and drills can read the URLs.
      process.stdout.write(`${JSON.stringify(simulator.urls)}\n`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`yunmin sim: ${signal} received, stopping\n`);
        simulator.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`yunmin sim: error while stopping: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}

function buildOptions(raw: SimCommandOptions): SimulatorOptions {
  const readText = (path: string, what: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`--${what}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  };
  const streams = {
    ...(raw.pingIntervalMs !== undefined && { pingIntervalMs: raw.pingIntervalMs }),
    ...(raw.pongTimeoutMs !== undefined && { pongTimeoutMs: raw.pongTimeoutMs }),
    ...(raw.maxConnectionMs !== undefined && { maxConnectionMs: raw.maxConnectionMs }),
  };
  const market = {
    ...(raw.tickMs !== undefined && { tickMs: raw.tickMs }),
    ...(raw.replay !== undefined && {
      replay: { symbol: raw.replaySymbol, csv: readText(raw.replay, 'replay'), replayCandleMs: raw.replayCandleMs },
    }),
  };
  return {
    host: raw.host,
    port: raw.port,
    seed: raw.seed,
    apiKey: raw.apiKey,
    apiSecret: raw.apiSecret,
    market,
    streams,
    ...(raw.initialBalance !== undefined && { exchange: { initialBalance: parseFixed(raw.initialBalance) } }),
    ...(raw.listenKeyValidityMs !== undefined && { listenKeyValidityMs: raw.listenKeyValidityMs }),
    ...(raw.scenario !== undefined && { scenario: readText(raw.scenario, 'scenario') }),
  };
}
