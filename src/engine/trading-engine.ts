import type { AccountSnapshot } from '../domain/account.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { MarketEvent, MarketSubscription } from '../domain/market-event.ts';
import type { FillReport } from '../domain/order.ts';
import type { Position } from '../domain/position.ts';
import type { TradingState } from '../domain/trading-state.ts';
import type { UserEvent } from '../domain/user-event.ts';
import type { Clock, TimerHandle } from '../lib/clock.ts';
import { type Fixed, formatFixed, formatFixedTrimmed, mulFixed } from '../lib/fixed.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import type { ExchangeRest } from '../ports/exchange-rest.ts';
import type { ExchangeStreams, StreamLifecycleEvent } from '../ports/exchange-streams.ts';
import type { ExecutionVenue } from '../ports/execution-venue.ts';
import type { IdGenerator } from '../ports/id-generator.ts';
import type { Logger } from '../ports/logger.ts';
import type { Store } from '../ports/store.ts';
import { DailyDrawdown, type DrawdownReading } from './daily-drawdown.ts';
import type { EngineSettings } from './engine-settings.ts';
import { ExecutionService } from './execution-service.ts';
import { MarketState, type SymbolMarket } from './market-state.ts';
import { OrderTracker } from './order-tracker.ts';
import { type RecoveryReport, recoverOnStart } from './startup-recovery.ts';
import type { Strategy, StrategyContext } from './strategy.ts';
import { intentsForTarget } from './target-orders.ts';

const WARM_UP_CANDLES = 500;

/**
 * Orders the kill switch (`ym-ks-`) and the `yunmin close` command (`ym-close-`) send straight to the
 * exchange: their fills are expected, not foreign.
 */
function isOperatorOrder(clientOrderId: string | undefined): boolean {
  return clientOrderId !== undefined && (clientOrderId.startsWith('ym-ks-') || clientOrderId.startsWith('ym-close-'));
}

export interface TradingEngineDeps {
  readonly clock: Clock;
  readonly store: Store;
  readonly logger: Logger;
  /** The exchange: reads, recovery, reconciliation (LIVE and DRY_RUN alike read the real market). */
  readonly rest: ExchangeRest;
  readonly streams: ExchangeStreams;
  /** Where orders go: the exchange in LIVE, the paper client in DRY_RUN. */
  readonly venue: ExecutionVenue;
  /** The account the strategy trades: the exchange's in LIVE, the paper account in DRY_RUN. */
  readonly account: () => Promise<AccountSnapshot>;
  readonly ids: IdGenerator;
  readonly strategy: Strategy;
  readonly settings: EngineSettings;
  /** Shared with the paper venue in DRY_RUN (it fills against the same picture). */
  readonly market?: MarketState;
  /** Runs after each market event (DRY_RUN: the paper venue fills resting orders the book crossed). */
  readonly afterMarketEvent?: (event: MarketEvent) => void;
  /** Active transient holds on new exposure (incident response), for the risk gate. */
  readonly holds?: () => readonly string[];
}

export interface EngineStatus {
  readonly mode: 'LIVE' | 'DRY_RUN';
  readonly running: boolean;
  readonly tradingState: TradingState;
  readonly killSwitch: 'ARMED' | 'TRIPPED';
  readonly equity: Fixed | undefined;
  readonly drawdown: DrawdownReading | undefined;
  readonly positions: readonly Position[];
  readonly activeOrders: number;
  readonly lastDecisionAt: number | undefined;
  readonly lastSyncAt: number | undefined;
  readonly recovery: RecoveryReport | undefined;
}

/**
 * The trading engine: crash-only start, then a decision every `decision_interval_s` and a sync every
 * `sync_interval_s`. Market and user events flow in through the stream port; orders leave only
 * through the ExecutionService (risk gate first).
 */
export class TradingEngine {
  readonly market: MarketState;
  readonly tracker: OrderTracker;
  readonly execution: ExecutionService;
  readonly #deps: TradingEngineDeps;
  readonly #drawdown: DailyDrawdown;
  #instruments = new Map<string, Instrument>();
  #equity: Fixed | undefined;
  #lastDrawdown: DrawdownReading | undefined;
  #recovery: RecoveryReport | undefined;
  #timers: TimerHandle[] = [];
  #decisionTimer: TimerHandle | undefined;
  #running = false;
  #deciding = false;
  #syncing = false;
  #lastDecisionAt: number | undefined;
  #lastSyncAt: number | undefined;
  /** After a kill switch trip: orders go to paper, and the live halt does not apply to them. */
  #shadowPaper = false;
  #startedAt: number | undefined;
  /** Per symbol, the lowest trade id left for the next catch-up (see #catchUpFills). */
  readonly #deferredFillIds = new Map<string, number>();
  readonly #lifecycleListeners: ((event: StreamLifecycleEvent) => void)[] = [];
  readonly #foreignFillListeners: ((fill: FillReport, position: Position) => void)[] = [];

  constructor(deps: TradingEngineDeps) {
    this.#deps = deps;
    this.market = deps.market ?? new MarketState();
    this.tracker = new OrderTracker({
      clock: deps.clock,
      store: deps.store,
      notify: (notice) => {
        if (notice.kind === 'fillRecorded') {
          const { fill, position } = notice;
          deps.logger.info(
            `Fill: ${fill.symbol} ${fill.side} ${formatFixedTrimmed(fill.qty)} @ ${formatFixedTrimmed(fill.price)} → position ${formatFixedTrimmed(position.amount)}`,
          );
        } else if (notice.kind === 'foreignFill') {
          for (const listener of this.#foreignFillListeners) listener(notice.fill, notice.position);
          if (isOperatorOrder(notice.fill.clientOrderId)) return;
          deps.logger.warn(
            `Fill for an order this engine did not place: ${notice.fill.symbol} trade ${notice.fill.tradeId}`,
          );
        } else if (notice.kind === 'ignoredEvent') {
          deps.logger.info(`Order event ignored: ${notice.clientOrderId}: ${notice.reason}`);
        }
      },
    });
    this.execution = new ExecutionService({
      clock: deps.clock,
      store: deps.store,
      tracker: this.tracker,
      venue: deps.venue,
      ids: deps.ids,
      riskContext: (symbol) => ({
        // On shadow paper (after a kill switch trip) the strategy keeps deciding: paper cannot lose money.
        tradingState: this.#shadowPaper ? 'ACTIVE' : this.tradingState(),
        ...(deps.holds !== undefined && !this.#shadowPaper && { holds: deps.holds() }),
        instrument: this.#instruments.get(symbol),
        referencePrice: this.market.referencePrice(symbol),
        equity: this.#equity ?? 0n,
        position: this.tracker.position(symbol),
        activeOrders: this.tracker.active(),
        limits: { maxPositionFraction: deps.settings.maxPositionFraction, maxOpenOrders: deps.settings.maxOpenOrders },
      }),
    });
    this.#drawdown = new DailyDrawdown({
      clock: deps.clock,
      store: deps.store,
      maxDailyDrawdown: deps.settings.maxDailyDrawdown,
    });
  }

  tradingState(): TradingState {
    return this.#deps.store.getTradingState()?.state ?? 'ACTIVE';
  }

  /**
   * DESIGN "Kill switch": LIVE → DRY_RUN. From now on the strategy's orders go to `paper`; the live
   * account stays HALTED and is flattened by the kill switch itself.
   */
  switchToPaper(paper: ExecutionVenue): void {
    if (this.#shadowPaper) return;
    this.#shadowPaper = true;
    this.execution.setVenue(paper);
    this.#deps.logger.warn('Mode LIVE → DRY_RUN: the strategy keeps deciding on paper');
    this.#deps.store.appendEvent({
      type: 'ModeChanged',
      at: this.#deps.clock.now(),
      payload: { from: 'LIVE', to: 'DRY_RUN', reason: 'kill switch' },
    });
  }

  /** The mode orders currently go to. */
  currentMode(): 'LIVE' | 'DRY_RUN' {
    return this.#shadowPaper ? 'DRY_RUN' : this.#deps.settings.mode;
  }

  /** Fills of orders this engine did not place (manual trades, another bot, or the operator's CLI). */
  onForeignFill(listener: (fill: FillReport, position: Position) => void): void {
    this.#foreignFillListeners.push(listener);
  }

  onLifecycle(listener: (event: StreamLifecycleEvent) => void): void {
    this.#lifecycleListeners.push(listener);
  }

  /** Changes the decision period (latency mitigation, playbook §3). */
  setDecisionIntervalMs(ms: number): void {
    if (this.#decisionTimer === undefined) return;
    this.#deps.clock.clearTimer(this.#decisionTimer);
    this.#decisionTimer = this.#deps.clock.setInterval(() => void this.decide(), ms);
    this.#deps.logger.info(`Decision interval: ${ms / 1000}s`);
  }

  instruments(): ReadonlyMap<string, Instrument> {
    return this.#instruments;
  }

  /** Crash-only start: recover, then subscribe, then trade. */
  async start(): Promise<RecoveryReport> {
    const { settings, logger, store, rest, streams } = this.#deps;
    const killSwitch = store.getKillSwitch();
    if (settings.mode === 'LIVE' && killSwitch.state === 'TRIPPED') {
      throw new YunminError(
        'ENGINE_KILL_SWITCH_TRIPPED',
        `kill switch is TRIPPED (${killSwitch.reason}, by ${killSwitch.by}): starting LIVE is refused until \`yunmin kill-switch release --by NAME\` (see \`yunmin approval status\` for what the release needs)`,
      );
    }
    this.#startedAt = this.#deps.clock.now();
    logger.info(
      `Engine starting: mode ${settings.mode}, symbols ${settings.symbols.join(', ')}, strategy ${this.#deps.strategy.name}`,
    );
    const info = await rest.getExchangeInfo();
    this.#instruments = new Map(info.instruments.map((instrument) => [instrument.symbol, instrument]));
    const unknown = settings.symbols.filter((symbol) => !this.#instruments.has(symbol));
    if (unknown.length > 0) {
      throw new YunminError(
        'ENGINE_UNKNOWN_SYMBOL',
        `trading_engine.symbols: ${unknown.join(', ')} not listed by the exchange`,
      );
    }
    if (settings.leverage !== undefined && settings.mode === 'LIVE') {
      for (const symbol of settings.symbols) await rest.setLeverage(symbol, settings.leverage);
    }

    await streams.start({
      onMarket: (event) => this.handleMarket(event),
      onUser: (event) => this.handleUser(event),
      onLifecycle: (event) => this.#handleLifecycle(event),
    });
    if (settings.mode === 'LIVE') await streams.startUserData();

    this.#recovery = await recoverOnStart({
      clock: this.#deps.clock,
      store,
      rest: settings.mode === 'LIVE' ? rest : this.#paperRecoveryRest(),
      tracker: this.tracker,
      execution: this.execution,
      logger,
      symbols: settings.symbols,
    });
    logger.info(
      `Recovery: ${this.#recovery.resolvedOrders} order(s) resolved, ${this.#recovery.recoveredFills} fill(s) recovered, positions adopted: ${this.#recovery.adoptedPositions.join(', ') || 'none'}`,
    );

    const subscriptions: MarketSubscription[] = settings.symbols.flatMap((symbol) => [
      { kind: 'bookTicker', symbol },
      { kind: 'markPrice', symbol },
      { kind: 'kline', symbol, interval: '1m' },
    ]);
    await streams.subscribe(subscriptions);
    // Warm-up: closed candles over REST, so a strategy can decide at once instead of waiting for
    // enough 1m candles to close on the stream (the stream then appends the new ones).
    for (const symbol of settings.symbols) {
      for (const candle of await rest.getCandles(symbol, '1m', WARM_UP_CANDLES)) this.market.addCandle(symbol, candle);
    }
    await this.sync();
    this.#running = true;
    this.#deps.strategy.onStart?.(this.#strategyContext());
    this.#decisionTimer = this.#deps.clock.setInterval(() => void this.decide(), settings.decisionIntervalMs);
    this.#timers.push(this.#deps.clock.setInterval(() => void this.sync(), settings.syncIntervalMs));
    store.appendEvent({
      type: 'EngineStarted',
      at: this.#deps.clock.now(),
      payload: { mode: settings.mode, strategy: this.#deps.strategy.name },
    });
    return this.#recovery;
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const timer of this.#timers) this.#deps.clock.clearTimer(timer);
    this.#timers = [];
    this.#deps.clock.clearTimer(this.#decisionTimer);
    this.#decisionTimer = undefined;
    this.#deps.strategy.onStop?.();
    await this.#deps.streams.stop();
    this.#deps.store.appendEvent({ type: 'EngineStopped', at: this.#deps.clock.now(), payload: {} });
    this.#deps.logger.info('Engine stopped');
  }

  handleMarket(event: MarketEvent): void {
    this.market.apply(event);
    this.#deps.afterMarketEvent?.(event);
  }

  handleUser(event: UserEvent): void {
    this.tracker.applyUserEvent(event);
  }

  /** One decision: the strategy's targets become orders through the risk gate. */
  async decide(): Promise<void> {
    if (!this.#running || this.#deciding) return;
    this.#deciding = true;
    try {
      const context = this.#strategyContext();
      const decision = this.#deps.strategy.decide(context);
      this.#lastDecisionAt = this.#deps.clock.now();
      const purpose = `strategy:${this.#deps.strategy.name}`;
      const intents = [...(decision.intents ?? [])];
      for (const target of decision.targets ?? []) {
        intents.push(
          ...intentsForTarget(
            target.symbol,
            target.quantity,
            this.tracker.position(target.symbol).amount,
            this.tracker.active(),
            purpose,
          ),
        );
      }
      if (intents.length === 0) return;
      const results = await this.execution.submitMany(intents);
      for (const result of results) {
        if (result.status === 'denied')
          this.#deps.logger.info(`Order denied: ${result.denial.code}: ${result.denial.message}`);
        else if (result.status === 'failed')
          this.#deps.logger.warn(`Order failed: ${result.error.code}: ${result.error.message}`);
        else if (result.status === 'unknown')
          this.#deps.logger.warn(`Order outcome unknown: ${result.order.clientOrderId}: ${result.error.code}`);
      }
    } catch (error) {
      this.#deps.logger.warn(`Decision failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.#deciding = false;
    }
  }

  /** Periodic sync: account equity, daily drawdown, orders whose outcome is unknown. */
  async sync(): Promise<void> {
    if (this.#syncing) return;
    this.#syncing = true;
    try {
      const account = await this.#deps.account();
      this.#equity = account.totalMarginBalance;
      this.#lastDrawdown = this.#drawdown.update(account.totalMarginBalance);
      if (this.#lastDrawdown.breached) {
        this.#deps.logger.crit(
          `Daily DD: ${formatFixed(mulFixed(this.#lastDrawdown.drawdown, 100n * 100_000_000n), 1)}% exceeds the limit`,
        );
      }
      for (const order of this.tracker.active()) {
        if (order.state === 'UNKNOWN') await this.execution.resolveUnknown(order.clientOrderId);
      }
      if (this.#deps.settings.mode === 'LIVE') await this.#catchUpFills();
      this.#deps.store.checkpoint();
      this.#lastSyncAt = this.#deps.clock.now();
    } catch (error) {
      this.#deps.logger.warn(`Sync failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.#syncing = false;
    }
  }

  /**
   * Fills over REST since the last recorded trade id: the user stream can lose events (a frozen or
   * dropped socket, §1), REST cannot. De-duplicated by trade id, so the stream's copies do no harm.
   * Only for the live account: in a configured DRY_RUN the account's real fills are not ours.
   */
  async #catchUpFills(): Promise<void> {
    const symbols = new Set([
      ...this.#deps.settings.symbols,
      ...this.tracker.positions().map((position) => position.symbol),
    ]);
    for (const symbol of symbols) {
      const last = this.#deps.store.lastTradeId(symbol);
      const deferred = this.#deferredFillIds.get(symbol);
      const fromId = deferred === undefined ? last : Math.min(deferred, last ?? deferred);
      const range =
        fromId === undefined
          ? { startTime: this.#startedAt ?? this.#deps.clock.now(), limit: 1000 }
          : { fromId, limit: 1000 };
      const fills = await this.#deps.rest.getMyTrades(symbol, range);
      // An order whose reply is still outstanding (or being resolved by query) has no venue id yet:
      // a fill nobody owns may be its. Leave it for the next sync rather than call it foreign.
      const inFlight = this.tracker
        .active(symbol)
        .some((order) => order.state === 'PENDING_SUBMIT' || order.state === 'SUBMITTED' || order.state === 'UNKNOWN');
      let firstDeferred: number | undefined;
      let recovered = 0;
      for (const fill of fills) {
        if (inFlight && this.tracker.ownerOf(fill) === undefined) {
          firstDeferred ??= fill.tradeId;
          continue;
        }
        if (this.tracker.recordFill(fill)) recovered += 1;
      }
      if (firstDeferred === undefined) this.#deferredFillIds.delete(symbol);
      else this.#deferredFillIds.set(symbol, firstDeferred);
      if (recovered > 0)
        this.#deps.logger.warn(`Fills recovered over REST: ${symbol} ${recovered} (missed on the user stream)`);
    }
  }

  /**
   * The last daily-drawdown reading alone. The drawdown and flash-crash detectors ask for it on every
   * pass (4 times a second live, millions of times in a backtest); `status()` would also read the
   * trading state and the kill switch from the store each time.
   */
  drawdown(): DrawdownReading | undefined {
    return this.#lastDrawdown;
  }

  status(): EngineStatus {
    return {
      mode: this.currentMode(),
      running: this.#running,
      tradingState: this.tradingState(),
      killSwitch: this.#deps.store.getKillSwitch().state,
      equity: this.#equity,
      drawdown: this.#lastDrawdown,
      positions: this.tracker.positions(),
      activeOrders: this.tracker.active().length,
      lastDecisionAt: this.#lastDecisionAt,
      lastSyncAt: this.#lastSyncAt,
      recovery: this.#recovery,
    };
  }

  #strategyContext(): StrategyContext {
    const market = new Map<string, SymbolMarket>();
    const positions = new Map<string, Position>();
    for (const symbol of this.#deps.settings.symbols) {
      market.set(symbol, this.market.get(symbol));
      positions.set(symbol, this.tracker.position(symbol));
    }
    return {
      now: this.#deps.clock.now(),
      symbols: this.#deps.settings.symbols,
      market,
      positions,
      instruments: this.#instruments,
      equity: this.#equity ?? 0n,
      maxPositionFraction: this.#deps.settings.maxPositionFraction,
    };
  }

  #handleLifecycle(event: StreamLifecycleEvent): void {
    const { logger } = this.#deps;
    for (const listener of this.#lifecycleListeners) listener(event);
    switch (event.kind) {
      case 'connected':
        logger.info(`WebSocket connected: ${event.connection}`);
        return;
      case 'disconnected':
        logger.warn(`WebSocket disconnected: ${event.connection}: ${event.reason}`);
        return;
      case 'reconnected':
        // DESIGN incident 1: resync orders and positions over REST after every reconnect.
        logger.info(
          `WebSocket reconnected: ${event.connection} after ${Math.round(event.downtimeMs / 1000)}s, resyncing`,
        );
        void this.sync();
        return;
      case 'bookResynced':
        logger.info(`Order book resynced: ${event.symbol}: ${event.reason}`);
        return;
      case 'listenKeyRenewed':
        logger.info(`listenKey renewed: ${event.reason}`);
        return;
      case 'unparsedMessage':
        logger.warn(`Unparsed message on ${event.connection}: ${event.detail}`);
        return;
      default: {
        const never: never = event;
        logger.warn(`Unknown stream lifecycle event ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * In DRY_RUN the tracked orders and positions are the paper account's: recovery asks the paper
   * venue about orders and has no exchange fills or positions to adopt.
   */
  #paperRecoveryRest(): ExchangeRest {
    const { rest, venue } = this.#deps;
    return {
      ...rest,
      getOrder: (symbol, ref) => venue.getOrder(symbol, ref),
      getOpenOrders: (symbol) => venue.getOpenOrders(symbol),
      getMyTrades: async () => [],
      getPositions: async () =>
        this.tracker
          .positions()
          .filter((p) => p.amount !== 0n)
          .map((p) => ({
            symbol: p.symbol,
            amount: p.amount,
            entryPrice: p.entryPrice,
            markPrice: 0n,
            unrealizedPnl: 0n,
            notional: 0n,
            updateTime: 0,
          })),
    };
  }
}
