import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../lib/clock.ts';
import { createRandom } from '../lib/random.ts';
import { SystemClock } from '../lib/system-clock.ts';
import type { ExchangeOptions } from './exchange/exchange.ts';
import { DEFAULT_EXCHANGE_OPTIONS, SimulatedExchange } from './exchange/simulated-exchange.ts';
import { createControlHandler } from './faults/control-api.ts';
import { FaultInjector } from './faults/fault-injector.ts';
import { ScenarioRunner } from './faults/scenario.ts';
import type { MarketFeedOptions } from './market/market-feed.ts';
import { DEFAULT_MARKET_OPTIONS, SimulatedMarket } from './market/simulated-market.ts';
import { createRestHandler, DEFAULT_RATE_LIMITS, type RateLimitOptions } from './rest/rest-handler.ts';
import { SkewedClock } from './skewed-clock.ts';
import { ListenKeyRegistry } from './ws/listen-key-registry.ts';
import {
  createStreamServer,
  DEFAULT_STREAM_OPTIONS,
  type StreamOptions,
  type StreamServer,
} from './ws/stream-server.ts';

/**
 * Credentials the simulator accepts unless told otherwise (`--api-key/--api-secret`). Binance keys are
 * 64 alphanumeric characters; these keep that shape so format checks behave as on the real venue.
 */
export const DEFAULT_API_KEY = 'yunminSimulatorApiKey0000000000000000000000000000000000000000000';
export const DEFAULT_API_SECRET = 'yunminSimulatorApiSecret000000000000000000000000000000000000000';

export interface SimulatorOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Seeds the price paths, order-book quantities, fault probabilities and message jitter. */
  readonly seed?: number;
  readonly apiKey?: string;
  readonly apiSecret?: string;
  /** The real clock unless a test passes a TestClock. */
  readonly clock?: Clock;
  readonly market?: Partial<MarketFeedOptions>;
  readonly exchange?: Partial<ExchangeOptions>;
  readonly rateLimits?: Partial<RateLimitOptions>;
  readonly streams?: Partial<StreamOptions>;
  /** listenKey validity without keepalive (Binance: 60 min). */
  readonly listenKeyValidityMs?: number;
  /** A scenario (YAML text) to start as soon as the simulator is up. */
  readonly scenario?: string;
  /** Do not tick the market on the clock (benchmarks and tests call `market.tick()` themselves). */
  readonly manualTicks?: boolean;
}

export interface SimulatorUrls {
  readonly rest: string;
  readonly ws: string;
  readonly control: string;
}

export interface RunningSimulator {
  readonly urls: SimulatorUrls;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly clock: Clock;
  readonly market: SimulatedMarket;
  readonly exchange: SimulatedExchange;
  readonly faults: FaultInjector;
  readonly scenarios: ScenarioRunner;
  readonly streams: StreamServer;
  stop(): Promise<void>;
}

/** Starts the Binance USDⓈ-M compatible simulator on loopback: REST, WebSocket and the `/_sim` control API. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? DEFAULT_MARKET_OPTIONS.seed;
  const baseClock = options.clock ?? new SystemClock();
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const apiSecret = options.apiSecret ?? DEFAULT_API_SECRET;

  // The injector acts on parts that consult it: the closures below break the cycle. The market reads
  // the clock while it builds its history, before the injector exists (no skew then).
  let streams: StreamServer | undefined;
  let injector: FaultInjector | undefined;
  const exchangeClock = new SkewedClock(baseClock, () => injector?.clockSkewMs() ?? 0);
  const market = new SimulatedMarket({
    clock: exchangeClock,
    options: { ...DEFAULT_MARKET_OPTIONS, ...options.market, seed },
  });
  const faults = new FaultInjector({
    clock: baseClock,
    random: createRandom(seed + 1),
    targets: {
      streams: { closeConnections: (filter) => streams?.closeConnections(filter) ?? 0 },
      market,
      exchange: {
        setStuckOrders: (scope) => exchange.setStuckOrders(scope),
        externalFill: (symbol, side, qty, price, emitEvents) =>
          exchange.externalFill(symbol, side, qty, price, emitEvents),
      },
    },
  });
  injector = faults;
  const exchange = new SimulatedExchange({
    clock: exchangeClock,
    market,
    options: { ...DEFAULT_EXCHANGE_OPTIONS, ...options.exchange },
    random: createRandom(seed + 2),
  });
  const listenKeys = new ListenKeyRegistry({
    clock: exchangeClock,
    validityMs: options.listenKeyValidityMs ?? 60 * 60 * 1000,
  });
  streams = createStreamServer({
    clock: exchangeClock,
    market,
    exchange,
    listenKeys,
    faults,
    options: { ...DEFAULT_STREAM_OPTIONS, ...options.streams },
    random: createRandom(seed + 3),
  });
  const scenarios = new ScenarioRunner({ clock: baseClock, injector: faults });
  const rest = createRestHandler({
    // The REST layer adds the skew itself when it reports and checks server time.
    clock: baseClock,
    market,
    exchange,
    listenKeys,
    faults,
    credentials: { apiKey, apiSecret },
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
    control: createControlHandler({ injector: faults, scenarios, market, exchange, clock: exchangeClock }),
  });

  const server: Server = createServer({ keepAliveTimeout: 65_000 }, rest);
  // Requests Node itself rejects (oversized headers, unknown methods) still get a Binance-style JSON error.
  server.on('clientError', rest.onClientError);
  const activeStreams = streams;
  server.on('upgrade', (request, socket, head) => activeStreams.handleUpgrade(request, socket, head));
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  if (options.manualTicks !== true) market.start();
  if (options.scenario !== undefined) scenarios.load(options.scenario);

  let stopped: Promise<void> | undefined;
  return {
    urls: { rest: `http://${host}:${port}`, ws: `ws://${host}:${port}`, control: `http://${host}:${port}/_sim` },
    apiKey,
    apiSecret,
    clock: exchangeClock,
    market,
    exchange,
    faults,
    scenarios,
    streams: activeStreams,
    stop() {
      stopped ??= (async () => {
        market.stop();
        scenarios.cancelAll();
        faults.clearAll();
        rest.close();
        await activeStreams.stop();
        listenKeys.dispose();
        exchange.dispose();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return stopped;
    },
  };
}
