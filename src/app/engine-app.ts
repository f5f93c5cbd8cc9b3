import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { LatencyTracker } from '../adapters/binance-usdm/latency/latency-tracker.ts';
import { BinanceRestClient } from '../adapters/binance-usdm/rest/binance-rest-client.ts';
import { generateClientOrderId } from '../adapters/binance-usdm/rest/client-order-id.ts';
import { BinanceStreams } from '../adapters/binance-usdm/ws/binance-streams.ts';
import { createLogger, type FileLogger } from '../adapters/logging/file-logger.ts';
import { PaperExecutionClient } from '../adapters/paper/paper-execution-client.ts';
import { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import type { EngineSettings } from '../engine/engine-settings.ts';
import { MarketState } from '../engine/market-state.ts';
import { TradingEngine } from '../engine/trading-engine.ts';
import type { Clock } from '../lib/clock.ts';
import { type Fixed, formatFixedTrimmed, parseFixed } from '../lib/fixed.ts';
import { createRandom } from '../lib/random.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import type { ResetSummary } from '../ports/store.ts';
import { createHealthServer } from '../server/health-server.ts';
import { type RunningSimulator, startSimulator } from '../sim/simulator.ts';
import { type EngineConfig, secretValues } from './config/engine-config.ts';
import { removeRuntimeInfo, writeRuntimeInfo } from './runtime-info.ts';
import { createStrategy } from './strategy-factory.ts';

export interface EngineAppOptions {
  readonly config: EngineConfig;
  readonly clock?: Clock;
  /** `--reset-state`: clear persisted state first (refused while the exchange shows positions unless confirmed). */
  readonly resetState?: boolean;
  readonly confirmReset?: boolean;
  /** Embedded simulator settings (seed, opening balance). */
  readonly simulator?: { readonly seed?: number; readonly initialBalance?: Fixed; readonly tickMs?: number };
  /** Also print each log line (npm start). */
  readonly echoLog?: (line: string) => void;
  /** Health port override (tests pass 0). */
  readonly healthPort?: number;
}

export interface RunningEngine {
  readonly engine: TradingEngine;
  readonly logger: FileLogger;
  readonly store: SqliteStore;
  readonly rest: BinanceRestClient;
  readonly healthUrl: string;
  readonly simulator: RunningSimulator | undefined;
  readonly resetSummary: ResetSummary | undefined;
  stop(): Promise<void>;
}

/** The state file of a configuration: one per mode, and a throw-away one for the embedded simulator. */
export function storePath(config: EngineConfig): string {
  if (config.exchange.embeddedSimulator) return join(config.stateDir, 'embedded-simulator.sqlite');
  return join(config.stateDir, config.mode === 'LIVE' ? 'yunmin.sqlite' : 'yunmin-dry-run.sqlite');
}

/** Config numbers (fractions) as exact decimals. */
export function fixedFromConfig(value: number): Fixed {
  return parseFixed(value.toFixed(8).replace(/\.?0+$/, ''));
}

/**
 * The composition root: the one place that chooses real parts and wires them (STYLE habit 2).
 * With `exchange.embedded_simulator` (the default), the simulator runs in-process and the engine
 * talks to it over loopback exactly as it would to Binance (DESIGN principle 2).
 */
export async function startEngineApp(options: EngineAppOptions): Promise<RunningEngine> {
  const { config } = options;
  const clock = options.clock ?? new SystemClock();
  const logger = createLogger({
    clock,
    logsDir: config.logsDir,
    level: config.logging.level,
    redact: secretValues(config.secrets),
    rotateMaxBytes: config.logging.rotateMaxMb * 1024 * 1024,
    rotateKeep: config.logging.rotateKeep,
    ...(options.echoLog !== undefined && { echo: options.echoLog }),
  });
  const cleanups: (() => Promise<void> | void)[] = [() => logger.close()];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step();
  };
  try {
    let simulator: RunningSimulator | undefined;
    let endpoints = config.exchange.restEndpoints;
    let wsBaseUrl = config.exchange.wsEndpoint;
    let credentials: { apiKey: string; apiSecret: string };
    if (config.exchange.embeddedSimulator) {
      simulator = await startSimulator({
        port: 0,
        seed: options.simulator?.seed ?? 1,
        ...(options.simulator?.initialBalance !== undefined && {
          exchange: { initialBalance: options.simulator.initialBalance },
        }),
        ...(options.simulator?.tickMs !== undefined && { market: { tickMs: options.simulator.tickMs } }),
      });
      const running = simulator;
      cleanups.push(() => running.stop());
      endpoints = [simulator.urls.rest];
      wsBaseUrl = simulator.urls.ws;
      credentials = { apiKey: simulator.apiKey, apiSecret: simulator.apiSecret };
      logger.info(`Embedded simulator at ${simulator.urls.rest} (control ${simulator.urls.control})`);
    } else {
      const key = config.secrets.binanceApiKey;
      const secret = config.secrets.binanceApiSecret;
      if (key === undefined || secret === undefined) {
        throw new YunminError(
          'CONFIG_INVALID',
          'BINANCE_API_KEY and BINANCE_API_SECRET must be set in the environment when exchange.embedded_simulator is false',
        );
      }
      credentials = { apiKey: key.reveal(), apiSecret: secret.reveal() };
    }

    const store = SqliteStore.open({ path: storePath(config), clock });
    cleanups.push(() => store.close());
    if (simulator !== undefined) {
      // The embedded simulator is a new, empty exchange on every start: state kept from an earlier
      // one would describe orders and positions that no longer exist anywhere.
      const cleared = store.reset();
      if (cleared.orders + cleared.fills + cleared.positions > 0) {
        logger.info(
          `Embedded simulator: previous embedded state cleared (${cleared.orders} orders, ${cleared.fills} fills, ${cleared.positions} positions)`,
        );
      }
    }
    const latency = new LatencyTracker({ clock, windowMs: config.latency.windowS * 1000 });
    const rest = new BinanceRestClient({
      clock,
      endpoints,
      credentials,
      timeoutMs: config.executor.timeoutMs,
      recvWindowMs: config.exchange.recvWindowMs,
      latency,
      // A time re-sync is routine; holds, failovers and unknown outcomes are what an operator watches.
      onEvent: (event) =>
        event.kind === 'timeSynced'
          ? logger.info(`REST: time synced, offset ${event.offsetMs} ms (${event.reason})`)
          : logger.warn(`REST: ${JSON.stringify(event)}`),
    });
    cleanups.push(() => rest.close());
    await rest.syncTime();

    let resetSummary: ResetSummary | undefined;
    if (options.resetState === true) {
      const positions = await rest.getPositions();
      if (positions.length > 0 && options.confirmReset !== true && config.mode === 'LIVE') {
        throw new YunminError(
          'ENGINE_RESET_REFUSED',
          `--reset-state refused: the exchange still shows positions (${positions.map((p) => `${p.symbol} ${formatFixedTrimmed(p.amount)}`).join(', ')}); flatten first or add --yes to confirm`,
        );
      }
      resetSummary = store.reset();
      logger.warn(
        `State reset: ${resetSummary.orders} orders, ${resetSummary.fills} fills, ${resetSummary.positions} positions, ${resetSummary.events} events${resetSummary.other.length > 0 ? `, ${resetSummary.other.join(', ')}` : ''}`,
      );
    }

    const streams = new BinanceStreams({
      clock,
      random: createRandom(Number(clock.now() % 2_147_483_647)),
      wsBaseUrl,
      rest,
      latency,
      serverTimeOffsetMs: () => rest.status().serverTimeOffsetMs,
      options: {
        market: {
          pingIntervalMs: config.websocket.pingIntervalS * 1000,
          pongTimeoutMs: config.websocket.pongTimeoutS * 1000,
        },
      },
    });

    const settings: EngineSettings = {
      mode: config.mode,
      symbols: config.tradingEngine.symbols,
      decisionIntervalMs: config.tradingEngine.decisionIntervalS * 1000,
      syncIntervalMs: config.syncIntervalS * 1000,
      maxPositionFraction: fixedFromConfig(config.executor.maxPositionPct),
      maxOpenOrders: config.executor.maxOpenOrders,
      initialCapital: config.riskManager.initialCapital,
      maxDailyDrawdown: fixedFromConfig(config.riskManager.maxDailyDd),
      adoptBelowFraction: fixedFromConfig(config.reconciliation.adoptBelowPct / 100),
    };
    const market = new MarketState();
    let tickSizes = new Map<string, Fixed>();
    const paper = new PaperExecutionClient({
      clock,
      store,
      market,
      options: {
        initialBalance: config.riskManager.initialCapital,
        makerFee: parseFixed('0.0002'),
        takerFee: parseFixed('0.0005'),
        slippageBps: config.executor.slippageBps,
        tickSize: (symbol) => tickSizes.get(symbol) ?? 1n,
      },
    });
    const live = config.mode === 'LIVE';
    const engine = new TradingEngine({
      clock,
      store,
      logger,
      rest,
      streams,
      venue: live ? rest : paper,
      account: live ? () => rest.getAccount() : () => paper.account(),
      ids: { newClientOrderId: () => generateClientOrderId() },
      strategy: createStrategy(config.tradingEngine.strategy),
      settings,
      market,
      ...(!live && { afterMarketEvent: (event) => paper.onMarket(event.symbol) }),
    });
    if (!live) paper.onUserEvent((event) => engine.handleUser(event));
    cleanups.push(() => engine.stop());

    await engine.start();
    tickSizes = new Map(
      [...engine.instruments().values()].map((instrument) => [instrument.symbol, instrument.tickSize]),
    );

    const startedAt = clock.now();
    const health: FastifyInstance = createHealthServer({
      clock,
      engine,
      streams,
      latency,
      controlToken:
        config.secrets.controlToken === undefined ? undefined : () => config.secrets.controlToken?.reveal() ?? '',
      startedAt,
    });
    const address = await health.listen({ host: config.health.host, port: options.healthPort ?? config.health.port });
    cleanups.push(() => health.close());
    logger.info(`Health server at ${address}/health`);
    writeRuntimeInfo(config.stateDir, {
      pid: process.pid,
      mode: config.mode,
      startedAt,
      healthUrl: address,
      restUrl: endpoints[0] ?? '',
      wsUrl: wsBaseUrl,
      embeddedSimulator: simulator !== undefined,
      ...(simulator !== undefined && { controlUrl: simulator.urls.control }),
    });
    cleanups.push(() => removeRuntimeInfo(config.stateDir));

    let stopping: Promise<void> | undefined;
    return {
      engine,
      logger,
      store,
      rest,
      healthUrl: address,
      simulator,
      resetSummary,
      stop() {
        stopping ??= (async () => {
          logger.info('Engine shutting down');
          logger.flush();
          await cleanup();
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (error instanceof Error) logger.crit(`Engine failed to start: ${error.message}`);
    await cleanup();
    throw error;
  }
}
