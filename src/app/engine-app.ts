import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createAlertChannels } from '../adapters/alert-channels/create-alert-channel.ts';
import { LatencyTracker } from '../adapters/binance-usdm/latency/latency-tracker.ts';
import { BinanceRestClient } from '../adapters/binance-usdm/rest/binance-rest-client.ts';
import { generateClientOrderId } from '../adapters/binance-usdm/rest/client-order-id.ts';
import { BinanceStreams } from '../adapters/binance-usdm/ws/binance-streams.ts';
import { createLogger, type FileLogger } from '../adapters/logging/file-logger.ts';
import { PaperExecutionClient } from '../adapters/paper/paper-execution-client.ts';
import { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import { DetectorHeartbeat } from '../adapters/systemd/detector-heartbeat.ts';
import { SystemdNotifier } from '../adapters/systemd/systemd-notifier.ts';
import { alertCommands } from '../engine/alerting/alert-control-commands.ts';
import { AlertEscalator } from '../engine/alerting/alert-escalator.ts';
import { escalationMatrixFromConfig, escalationMatrixProblems } from '../engine/alerting/escalation-matrix.ts';
import { approvalCommands } from '../engine/approval/approval-commands.ts';
import type { Detector } from '../engine/detectors/detector.ts';
import type { FlashCrashDetector } from '../engine/detectors/flash-crash-detector.ts';
import { ForeignFillDetector } from '../engine/detectors/foreign-fill-detector.ts';
import { LatencyDetector } from '../engine/detectors/latency-detector.ts';
import { observeRest } from '../engine/detectors/observed-rest.ts';
import { ReconciliationDetector } from '../engine/detectors/reconciliation-detector.ts';
import { ReconnectRateDetector } from '../engine/detectors/reconnect-rate-detector.ts';
import { RestErrorDetector } from '../engine/detectors/rest-error-detector.ts';
import { ResumeGate } from '../engine/detectors/resume-gate.ts';
import { StuckOrderDetector } from '../engine/detectors/stuck-order-detector.ts';
import { WsStalenessDetector } from '../engine/detectors/ws-staleness-detector.ts';
import { IncidentManager } from '../engine/incident-manager.ts';
import { IncidentResponse } from '../engine/incident-response.ts';
import { KillSwitch } from '../engine/kill-switch/kill-switch.ts';
import { killSwitchCommands } from '../engine/kill-switch/kill-switch-commands.ts';
import { MarketState } from '../engine/market-state.ts';
import { TradingEngine } from '../engine/trading-engine.ts';
import type { Clock } from '../lib/clock.ts';
import { type Fixed, formatFixedTrimmed, parseFixed } from '../lib/fixed.ts';
import { createRandom } from '../lib/random.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import type { ExchangeRest } from '../ports/exchange-rest.ts';
import type { ResetSummary } from '../ports/store.ts';
import { type ControlCommand, createHealthServer } from '../server/health-server.ts';
import { EngineMetrics } from '../server/metrics.ts';
import { type RunningSimulator, startSimulator } from '../sim/simulator.ts';
import { type EngineConfig, secretValues } from './config/engine-config.ts';
import { reconcileCommands } from './reconcile-commands.ts';
import { resumeCommands } from './resume-commands.ts';
import { confirmApprovedConfig, createApprovalGate, guardLiveStart, startDryRunSession } from './resumption-gate.ts';
import { removeRuntimeInfo, writeRuntimeInfo } from './runtime-info.ts';
import { createStrategy } from './strategy-factory.ts';
import { createTradingDetectors, engineSettingsFromConfig, fixedFromConfig } from './trading-detectors.ts';
import { wsReconnectCommand } from './ws-reconnect-command.ts';

export interface EngineAppOptions {
  readonly config: EngineConfig;
  readonly clock?: Clock;
  /** `--reset-state`: clear persisted state first (refused while the exchange shows positions unless confirmed). */
  readonly resetState?: boolean;
  readonly confirmReset?: boolean;
  /** `yunmin engine --force`: start LIVE although the resumption gate objects (--reset-state while open, unapproved config); CRIT. */
  readonly overrideApprovalGate?: boolean;
  /** Embedded simulator settings (seed, opening balance). */
  readonly simulator?: { readonly seed?: number; readonly initialBalance?: Fixed; readonly tickMs?: number };
  /** Also print each log line (npm start). */
  readonly echoLog?: (line: string) => void;
  /** Where alert-channel secrets are read (`process.env` for the CLI; nothing in tests). */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Health port override (tests pass 0). */
  readonly healthPort?: number;
}

export interface RunningEngine {
  readonly engine: TradingEngine;
  readonly incidents: IncidentManager;
  readonly response: IncidentResponse;
  readonly killSwitch: KillSwitch;
  readonly logger: FileLogger;
  readonly store: SqliteStore;
  readonly rest: BinanceRestClient;
  readonly healthUrl: string;
  readonly simulator: RunningSimulator | undefined;
  readonly resetSummary: ResetSummary | undefined;
  stop(): Promise<void>;
}

/** How often the incident detectors run (the detection resolution: thresholds + 250 ms at most). */
const INCIDENT_EVALUATE_MS = 250;

/** The state file of a configuration: one per mode, and a throw-away one for the embedded simulator. */
export function storePath(config: EngineConfig): string {
  if (config.exchange.embeddedSimulator) return join(config.stateDir, 'embedded-simulator.sqlite');
  return join(config.stateDir, config.mode === 'LIVE' ? 'yunmin.sqlite' : 'yunmin-dry-run.sqlite');
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

    const store = SqliteStore.open({ path: storePath(config), clock, autoCheckpoint: false });
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
    const incidents = new IncidentManager({ clock, store, logger });
    // The REST client's events: time syncs are routine; holds, failovers and unknown outcomes are what an
    // operator watches, and an order outcome resolved by query still counts as a REST error (§2).
    let restDetector: RestErrorDetector | undefined;
    const raw = new BinanceRestClient({
      clock,
      endpoints,
      credentials,
      timeoutMs: config.executor.timeoutMs,
      recvWindowMs: config.exchange.recvWindowMs,
      latency,
      onEvent: (event) => {
        if (event.kind === 'timeSynced') {
          logger.info(`REST: time synced, offset ${event.offsetMs} ms (${event.reason})`);
          return;
        }
        logger.warn(`REST: ${JSON.stringify(event)}`);
        if (event.kind === 'unknownOutcome' && event.resolution !== 'unresolved') {
          restDetector?.recordOutcome({
            at: event.at,
            ok: false,
            code: 'EXCHANGE_UNKNOWN_OUTCOME',
            endpoint: 'POST /fapi/v1/order',
          });
        }
      },
    });
    cleanups.push(() => raw.close());
    await raw.syncTime();

    // Issue 8 point 5: the resumption gate (LIVE store); neither --reset-state nor another config skips it.
    const dryRunPath = storePath({ ...config, mode: 'DRY_RUN' });
    const approvalGate = createApprovalGate(config, { clock, store, incidents, logger, dryRunPath });
    if (approvalGate !== undefined) {
      guardLiveStart(approvalGate, store, logger, {
        resetState: options.resetState === true,
        override: options.overrideApprovalGate === true,
      });
    }
    let resetSummary: ResetSummary | undefined;
    if (options.resetState === true) {
      const positions = await raw.getPositions();
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
      rest: raw,
      latency,
      serverTimeOffsetMs: () => raw.status().serverTimeOffsetMs,
      options: {
        market: {
          pingIntervalMs: config.websocket.pingIntervalS * 1000,
          pongTimeoutMs: config.websocket.pongTimeoutS * 1000,
        },
      },
    });

    // One mapping for the live engine and the backtest (issue 8: no second copy of the wiring).
    const settings = engineSettingsFromConfig(config);
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

    // Incident response (issue 5): detectors act through `response`, report through `incidents`.
    let engineRef: TradingEngine | undefined;
    let reconciliationRef: ReconciliationDetector | undefined;
    const response = new IncidentResponse({
      clock,
      store,
      logger,
      streams,
      resync: async (reason) => {
        await engineRef?.sync();
        await reconciliationRef?.reconcileNow(reason);
      },
    });
    restDetector = new RestErrorDetector({
      rest: raw,
      thresholds: {
        errorThreshold: config.rest.errorThreshold,
        errorWindowMs: config.rest.errorWindowS * 1000,
        maxRetries: config.rest.maxRetries,
        unavailableEscalateMs: config.rest.unavailableEscalateS * 1000,
      },
      clock,
      incidents,
      control: response,
    });
    const restErrors = restDetector;
    let metricsRef: EngineMetrics | undefined;
    const rest = observeRest(
      raw,
      (outcome) => {
        restErrors.recordOutcome(outcome);
        if (!outcome.ok && outcome.notSent !== true && outcome.code !== undefined)
          metricsRef?.recordRestError(outcome.httpStatus, outcome.code);
      },
      clock,
    );

    let flashRef: FlashCrashDetector | undefined;
    let gateRef: ResumeGate | undefined;
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
      holds: () => response.holds().map((hold) => `${hold.owner}: ${hold.reason}`),
      afterMarketEvent: (event) => {
        paper.onMarket(event.symbol);
        flashRef?.onMarket(event);
        gateRef?.onMarket(event);
      },
    });
    engineRef = engine;
    // Paper fills reach the engine in DRY_RUN, and after a kill switch trip in LIVE (shadow paper).
    paper.onUserEvent((event) => engine.handleUser(event));
    cleanups.push(() => engine.stop());

    const killSwitch = new KillSwitch({
      clock,
      store,
      incidents,
      logger,
      // Always the real exchange, even after the engine's orders moved to paper.
      exchange: rest,
      ids: { newClientOrderId: () => generateClientOrderId('ym-ks-') },
      onTripped: (reason) => {
        response.escalate('HALTED', 'kill-switch', reason);
        if (engine.currentMode() === 'LIVE') {
          paper.startFresh();
          engine.switchToPaper(paper);
        }
      },
      verifyS: config.killswitch.verifyS,
      symbols: () => config.tradingEngine.symbols,
      gate: approvalGate,
    });
    cleanups.push(() => killSwitch.stop());
    response.setKillSwitch((reason, by) => killSwitch.trip(reason, by).then(() => undefined));

    const positionsForReconciliation: Pick<ExchangeRest, 'getPositions'> = {
      // After a trip the engine's book is the paper account's: compare it with that, not the exchange.
      getPositions: async () =>
        engine.currentMode() === 'LIVE' ? rest.getPositions() : (await paper.account()).positions,
    };
    const reconciliation = new ReconciliationDetector({
      tracker: engine.tracker,
      rest: positionsForReconciliation,
      logger,
      thresholds: {
        syncIntervalMs: config.syncIntervalS * 1000,
        adoptBelowPct: config.reconciliation.adoptBelowPct,
        haltAbovePct: config.reconciliation.haltAbovePct,
      },
      clock,
      incidents,
      control: response,
    });
    reconciliationRef = reconciliation;
    const foreignFills = new ForeignFillDetector({
      thresholds: {
        adoptBelowPct: config.reconciliation.adoptBelowPct,
        haltAbovePct: config.reconciliation.haltAbovePct,
      },
      clock,
      incidents,
      control: response,
      ignore: (clientOrderId) =>
        clientOrderId !== undefined && (clientOrderId.startsWith('ym-ks-') || clientOrderId.startsWith('ym-close-')),
    });
    engine.onForeignFill((fill, position) => foreignFills.onForeignFill(fill, position));
    engine.onLifecycle((event) => {
      // DESIGN incident 1: after every reconnect, fills and orders over REST first, then reconcile.
      if (event.kind === 'reconnected') void response.resync('reconnect');
    });
    // Drawdown (§5) and flash crash (§7): built by the same factory as the backtest's.
    const { drawdown, flash } = createTradingDetectors({ config, engine, market, clock, incidents, control: response });
    flashRef = flash;
    const gate = new ResumeGate({
      symbols: config.tradingEngine.symbols,
      market,
      recentMovePct: (symbol) => flash.recentMovePct(symbol),
      ping: () => rest.ping(),
      deescalate: (by) =>
        response.operatorSetTradingState('ACTIVE', by, 'flash-crash resume gate: every condition held'),
      thresholds: {
        resumeMaxMovePct: config.flashCrash.resumeMaxMovePct,
        resumeWaitMs: config.flashCrash.resumeWaitS * 1000,
      },
      clock,
      incidents,
    });
    gateRef = gate;
    const detectors: Detector[] = [
      new WsStalenessDetector({
        streams,
        thresholds: {
          staleWarnMs: config.websocket.staleWarnS * 1000,
          staleKillMs: config.websocket.staleKillS * 1000,
        },
        clock,
        incidents,
        control: response,
      }),
      new ReconnectRateDetector({
        streams,
        thresholds: { reconnectRateWarnPerHour: config.websocket.reconnectRateWarnPerHour },
        clock,
        incidents,
      }),
      restDetector,
      new LatencyDetector({
        latency,
        thresholds: {
          restP95WarnMs: config.latency.restP95WarnMs,
          wsP95WarnMs: config.latency.wsP95WarnMs,
          windowMs: config.latency.windowS * 1000,
        },
        mitigation: {
          enabled: config.latency.mitigation.enabled,
          normalTimeoutMs: config.executor.timeoutMs,
          raisedTimeoutMs: config.latency.mitigation.raisedTimeoutMs,
          normalDecisionIntervalMs: config.tradingEngine.decisionIntervalS * 1000,
          raisedDecisionIntervalMs: config.latency.mitigation.raisedDecisionIntervalS * 1000,
          failover: config.latency.mitigation.failover,
        },
        setRestTimeoutMs: (ms) => raw.setTimeoutMs(ms),
        setDecisionIntervalMs: (ms) => engine.setDecisionIntervalMs(ms),
        failover: () => raw.failover(),
        clock,
        incidents,
      }),
      new StuckOrderDetector({
        tracker: engine.tracker,
        execution: engine.execution,
        market,
        thresholds: {
          maxOrderAgeMs: config.executor.maxOrderAgeS * 1000,
          cancelAndReissue: config.executor.cancelAndReissue,
          reissueMaxAttempts: config.executor.reissueMaxAttempts,
        },
        clock,
        incidents,
        control: response,
      }),
      drawdown,
      reconciliation,
      flash,
      gate,
    ];
    for (const detector of detectors) response.addDetector(detector);

    await engine.start();
    const dryRunSession = startDryRunSession(config, clock, store);
    if (dryRunSession !== undefined) cleanups.push(() => dryRunSession.stop());
    if (approvalGate !== undefined) confirmApprovedConfig(approvalGate, store, logger);
    tickSizes = new Map(
      [...engine.instruments().values()].map((instrument) => [instrument.symbol, instrument.tickSize]),
    );
    response.start(INCIDENT_EVALUATE_MS);
    cleanups.push(() => response.stop());
    // Alerting (issue 6): every incident change reaches the escalator; channels from config.
    const channels = createAlertChannels(config.alerts.channels, {
      clock,
      retry: { attempts: 3, initialDelayMs: 1000 },
      env: options.environment ?? {},
    });
    const matrix = escalationMatrixFromConfig(config.alerts.escalation.config);
    for (const problem of escalationMatrixProblems(matrix, new Set(channels.map((channel) => channel.name)))) {
      logger.warn(`Alerting: ${problem}`);
    }
    const escalator = new AlertEscalator({
      clock,
      incidents,
      channels: new Map(channels.map((channel) => [channel.name, channel])),
      matrix,
      logger,
      dashboardUrl: `http://${config.health.host}:${config.health.port}/`,
      context: () => ({
        mode: engine.currentMode(),
        tradingState: response.tradingState(),
        positions: engine.tracker
          .positions()
          .filter((position) => position.amount !== 0n)
          .map((position) => `${position.symbol} ${formatFixedTrimmed(position.amount)}`),
      }),
      secrets: secretValues(config.secrets),
      lookup: (id) => store.getIncident(id),
    });
    cleanups.push(() => escalator.stop());
    const commands = new Map<string, ControlCommand>([
      ...killSwitchCommands(killSwitch),
      ...alertCommands(escalator),
      ...resumeCommands(gate, {
        tradingState: () => response.tradingState(),
        operatorSetTradingState: (state, name, reason) => response.operatorSetTradingState(state, name, reason),
        killSwitch: () => store.getKillSwitch(),
      }),
      ...wsReconnectCommand({ clock, streams, resync: (reason) => response.resync(reason), logger }),
      ...reconcileCommands({
        reconcileNow: (reason) => reconciliation.reconcileNow(reason),
        tracker: engine.tracker,
        exchangePositions: () => positionsForReconciliation.getPositions(),
        incidents,
        logger,
        bands: {
          adoptBelowPct: config.reconciliation.adoptBelowPct,
          haltAbovePct: config.reconciliation.haltAbovePct,
        },
        now: () => clock.now(),
      }),
      ...approvalCommands(approvalGate),
    ]);

    const metrics = new EngineMetrics({
      status: () => engine.status(),
      streams: () => streams.health(),
      latency,
      latencySamples: latency,
      orders: () => engine.tracker.active(),
      drawdownLimit: config.riskManager.maxDailyDd,
      openIncidents: () => store.listIncidents({ openOnly: true }),
      alerts: () => escalator.counters(),
    });
    metricsRef = metrics;
    const startedAt = clock.now();
    const health: FastifyInstance = createHealthServer({
      clock,
      engine,
      streams,
      latency,
      controlToken:
        config.secrets.controlToken === undefined ? undefined : () => config.secrets.controlToken?.reveal() ?? '',
      startedAt,
      commands,
      alerts: () => escalator.counters(),
      metrics,
      dashboard: {
        incidents: (limit) => store.listIncidents({ limit }),
        referencePrice: (symbol) => engine.market.referencePrice(symbol),
        maxOrderAgeMs: config.executor.maxOrderAgeS * 1000,
        maxDailyDrawdown: fixedFromConfig(config.riskManager.maxDailyDd),
        staleWarnMs: config.websocket.staleWarnS * 1000,
      },
    });
    const address = await health.listen({ host: config.health.host, port: options.healthPort ?? config.health.port });
    cleanups.push(() => health.close());
    logger.info(`Health server at ${address}/health, dashboard at ${address}/`);
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
    // systemd (issue 7 point 6): READY=1 now that the engine trades and /health answers; WATCHDOG=1
    // only while the detector loop completes passes. 60 s: a pass may wait on REST timeouts; with
    // WatchdogSec=90 (deploy/systemd/yunmin.service) a stuck loop is killed within about 2.5 min.
    const heartbeat = new DetectorHeartbeat({ clock, maxSilenceMs: 60_000 });
    response.addDetector(heartbeat);
    const systemd = new SystemdNotifier({
      clock,
      env: options.environment ?? {},
      pid: process.pid,
      health: () => heartbeat.problem(),
      logger,
    });
    await systemd.ready(`${config.mode}; health ${address}/health`);
    cleanups.push(() => metrics.close());
    // Pushed last, run first: systemd hears STOPPING=1 before the slow parts of the shutdown.
    cleanups.push(() => systemd.stop());

    let stopping: Promise<void> | undefined;
    return {
      engine,
      logger,
      store,
      rest: raw,
      incidents,
      response,
      killSwitch,
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
