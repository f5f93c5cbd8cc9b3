// The replay yields to the event loop between timers so that the promise chains a timer started
// (decision → risk gate → venue → tracker) finish before the next event: no time is read or waited.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { SqliteStore } from '../../adapters/sqlite-store/sqlite-store.ts';
import type { Incident } from '../../domain/incident.ts';
import type { MarketEvent } from '../../domain/market-event.ts';
import type { OrderSide } from '../../domain/order.ts';
import { IncidentManager } from '../../engine/incident-manager.ts';
import { IncidentResponse } from '../../engine/incident-response.ts';
import { KillSwitch } from '../../engine/kill-switch/kill-switch.ts';
import { MarketState } from '../../engine/market-state.ts';
import type { Strategy } from '../../engine/strategy.ts';
import { TradingEngine } from '../../engine/trading-engine.ts';
import { type Fixed, mulFixed, parseFixed } from '../../lib/fixed.ts';
import { createRandom } from '../../lib/random.ts';
import { VirtualClock } from '../../lib/virtual-clock.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import { SimulatedExchange } from '../../sim/exchange/simulated-exchange.ts';
import { DEFAULT_INSTRUMENTS } from '../../sim/instruments.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import { createStrategy } from '../strategy-factory.ts';
import { createTradingDetectors, engineSettingsFromConfig } from '../trading-detectors.ts';
import { BacktestMarket, nextFundingTime } from './backtest-market.ts';
import { BacktestVenue } from './backtest-venue.ts';
import { CachedIncidentStore } from './cached-incident-store.ts';
import type { MarketTape, TapeItem } from './market-tape.ts';
import { type LogLine, MemoryLogger } from './memory-logger.ts';

/** As in the live engine (engine-app.ts): the detection resolution. */
const INCIDENT_EVALUATE_MS = 250;
/** Binance's markPrice@1s cadence: the mark follows the replayed price at most once a second. */
const MARK_EVERY_MS = 1000;

export interface BacktestOrder {
  readonly at: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: string;
  readonly quantity: Fixed;
  readonly reduceOnly: boolean;
  readonly clientOrderId: string;
  /** Open time of the newest closed 1m candle the engine had when the order left (undefined: none yet). */
  readonly candleOpenTime: number | undefined;
}

export interface BacktestFill {
  readonly at: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Fixed;
  readonly qty: Fixed;
  readonly commission: Fixed;
  readonly realizedPnl: Fixed;
  readonly clientOrderId: string;
}

export interface EquityPoint {
  readonly at: number;
  /** Margin balance (wallet + unrealized) plus funding so far. */
  readonly equity: Fixed;
}

export interface FundingPayment {
  readonly at: number;
  readonly symbol: string;
  /** Signed: negative is paid. */
  readonly amount: Fixed;
}

export interface BacktestResult {
  readonly symbol: string;
  readonly from: number;
  readonly to: number;
  /** Market events delivered to the engine (trades, marks, closed candles). */
  readonly events: number;
  readonly initialEquity: Fixed;
  readonly orders: readonly BacktestOrder[];
  readonly fills: readonly BacktestFill[];
  readonly equity: readonly EquityPoint[];
  readonly funding: readonly FundingPayment[];
  readonly incidents: readonly Incident[];
  readonly alerts: readonly LogLine[];
  readonly maxDailyDd: number;
}

export interface BacktestOptions {
  readonly config: EngineConfig;
  readonly symbol: string;
  readonly tape: MarketTape;
  /** Tests may pass their own strategy; otherwise the configured one. */
  readonly strategy?: Strategy;
}

/**
 * Whether `work` finishes within a few microtask turns: a detector pass over a quiet market does, and
 * then the replay need not yield to the event loop (a macrotask costs microseconds, 4 times a second).
 */
async function settlesInMicrotasks(work: Promise<void> | undefined): Promise<boolean> {
  if (work === undefined) return true;
  let done = false;
  void work.then(() => {
    done = true;
  });
  for (let turn = 0; turn < 16 && !done; turn += 1) await undefined;
  return done;
}

/** Config fraction (a float from YAML) as an exact decimal. */
function exact(value: number): Fixed {
  return parseFixed(value.toFixed(8));
}

/**
 * Replays a market tape through the real TradingEngine on a virtual clock (issue 8 point 1). Only the
 * exchange port differs from production: the simulator's matching engine and account, in-process.
 * Before each event, every timer due up to its time fires in order (decisions, syncs, detectors) and
 * its work runs to completion; then the event goes to the venue (price, resting fills) and the engine.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const { config, symbol, tape } = options;
  if (!config.tradingEngine.symbols.includes(symbol)) {
    throw new YunminError(
      'BACKTEST_SYMBOL_NOT_TRADED',
      `data symbol ${symbol} is not in trading_engine.symbols (${config.tradingEngine.symbols.join(', ')})`,
    );
  }
  const first = tape.next();
  if (first === undefined) throw new YunminError('BACKTEST_DATA_INVALID', 'data file: no events in range');
  const clock = new VirtualClock(first.time);
  const logger = new MemoryLogger(clock);
  const store = SqliteStore.open({ path: ':memory:', clock, autoCheckpoint: false });
  const fundingRate = exact(config.backtest.fundingRate8h);
  const market = new BacktestMarket({
    instruments: DEFAULT_INSTRUMENTS,
    slippageBps: config.executor.slippageBps,
    fundingRate,
  });
  const exchange = new SimulatedExchange({
    clock,
    market,
    options: {
      initialBalance: config.riskManager.initialCapital,
      makerFee: exact(config.backtest.makerFee),
      takerFee: exact(config.backtest.takerFee),
    },
    random: createRandom(1),
  });
  const venue = new BacktestVenue({ clock, exchange, market });
  const marketState = new MarketState();
  const incidents = new IncidentManager({ clock, store: new CachedIncidentStore(store), logger });
  let engineRef: TradingEngine | undefined;
  const response = new IncidentResponse({
    clock,
    store,
    logger,
    streams: venue,
    resync: async () => {
      await engineRef?.sync();
    },
  });
  let orderSequence = 0;
  let flashOnMarket: ((event: MarketEvent) => void) | undefined;
  const engine = new TradingEngine({
    clock,
    store,
    logger,
    rest: venue,
    streams: venue,
    venue,
    account: () => venue.getAccount(),
    ids: {
      newClientOrderId: () => {
        orderSequence += 1;
        return `ym-bt-${orderSequence}`;
      },
    },
    strategy: options.strategy ?? createStrategy(config.tradingEngine.strategy),
    // LIVE: orders go to the venue (the simulated exchange), fills are caught up over its REST.
    settings: engineSettingsFromConfig(config, 'LIVE'),
    market: marketState,
    holds: () => response.holds().map((hold) => `${hold.owner}: ${hold.reason}`),
    afterMarketEvent: (event) => flashOnMarket?.(event),
  });
  engineRef = engine;
  let killSequence = 0;
  const killSwitch = new KillSwitch({
    clock,
    store,
    incidents,
    logger,
    exchange: venue,
    ids: {
      newClientOrderId: () => {
        killSequence += 1;
        return `ym-ks-bt${killSequence}`;
      },
    },
    // No shadow paper account in a backtest: after a trip the engine stays HALTED and flat.
    onTripped: (reason) => response.escalate('HALTED', 'kill-switch', reason),
    verifyS: config.killswitch.verifyS,
    symbols: () => config.tradingEngine.symbols,
  });
  response.setKillSwitch((reason, by) => killSwitch.trip(reason, by).then(() => undefined));
  const { drawdown, flash } = createTradingDetectors({
    config,
    engine,
    market: marketState,
    clock,
    incidents,
    control: response,
  });
  flashOnMarket = (event) => flash.onMarket(event);
  response.addDetector(drawdown);
  response.addDetector(flash);

  const orders: BacktestOrder[] = [];
  const fills: BacktestFill[] = [];
  exchange.subscribeUserEvents((event) => {
    if (event.kind !== 'orderUpdate') return;
    const { order, trade } = event;
    if (event.executionType === 'NEW') {
      orders.push({
        at: clock.now(),
        symbol: order.symbol,
        side: order.side,
        type: order.type,
        quantity: order.origQty,
        reduceOnly: order.reduceOnly,
        clientOrderId: order.clientOrderId,
        candleOpenTime: marketState.get(order.symbol).candles.at(-1)?.openTime,
      });
    } else if (trade !== undefined) {
      fills.push({
        at: trade.time,
        symbol: trade.symbol,
        side: trade.side,
        price: trade.price,
        qty: trade.qty,
        commission: trade.commission,
        realizedPnl: trade.realizedPnl,
        clientOrderId: order.clientOrderId,
      });
    }
  });

  await engine.start();
  // Detectors run on the live engine's 250 ms grid, but only when something changed since their last
  // run (an event, a decision, a sync): between events a replayed market stands still.
  let dirty = true;
  let evaluated = false;
  let evaluation: Promise<void> | undefined;
  const evaluator = clock.setInterval(() => {
    if (!dirty) return;
    dirty = false;
    evaluated = true;
    evaluation = response.evaluate();
  }, INCIDENT_EVALUATE_MS).id;
  // An incident (or an action on one) may have started work the evaluation does not await (a kill
  // switch trip, its verification): then the replay yields to the event loop before going on.
  let incidentChanged = false;
  incidents.onChange(() => {
    incidentChanged = true;
  });

  const initialEquity = (await venue.getAccount()).totalMarginBalance;
  const equity: EquityPoint[] = [{ at: first.time, equity: initialEquity }];
  const funding: FundingPayment[] = [];
  let fundingTotal = 0n;
  let nextFunding = nextFundingTime(first.time);
  let events = 0;
  let lastMarkAt = Number.NEGATIVE_INFINITY;
  let tradeId = 0;
  let last = first.time;

  /**
   * Fires every timer due up to `time`. Timers due at the same instant fire back to back before their
   * work runs, as Node runs a turn's expired timers together; then the work runs to completion and
   * the user events it caused reach the engine.
   */
  const fireDue = async (time: number): Promise<void> => {
    while (clock.nextDue <= time) {
      const instant = clock.nextDue;
      let started = false;
      let engineTimer = false;
      for (;;) {
        const fired = clock.fireNext(instant);
        if (fired === undefined) break;
        if (fired === evaluator) {
          started ||= evaluated;
          evaluated = false;
        } else {
          started = true;
          engineTimer = true;
        }
      }
      if (!started) continue;
      // A decision or a sync may have changed what the detectors read (positions, equity).
      if (engineTimer) dirty = true;
      if (engineTimer || incidentChanged || !(await settlesInMicrotasks(evaluation))) await yieldToEventLoop();
      evaluation = undefined;
      incidentChanged = false;
      venue.flushUserEvents();
    }
  };

  const chargeFunding = (time: number): void => {
    while (time >= nextFunding) {
      for (const position of exchange.positions()) {
        if (position.positionAmt === 0n) continue;
        // Longs pay shorts when the rate is positive (Binance: position notional × rate).
        const amount = -mulFixed(mulFixed(position.positionAmt, position.markPrice), fundingRate);
        if (amount === 0n) continue;
        fundingTotal += amount;
        funding.push({ at: nextFunding, symbol: position.symbol, amount });
      }
      nextFunding += 8 * 60 * 60 * 1000;
    }
  };

  const deliver = (item: TapeItem): void => {
    const time = item.time;
    if (time >= nextFunding) chargeFunding(time);
    if (item.kind === 'trade') {
      market.trade(symbol, item.price, time);
      tradeId += 1;
      venue.deliverMarket({
        kind: 'trade',
        symbol,
        tradeId,
        eventTime: time,
        receivedAt: time,
        tradeTime: time,
        price: item.price,
        qty: item.qty,
        buyerIsMaker: item.buyerIsMaker,
      });
      events += 1;
      if (time - lastMarkAt >= MARK_EVERY_MS) {
        lastMarkAt = time;
        venue.deliverMarket({
          kind: 'markPrice',
          symbol,
          eventTime: time,
          receivedAt: time,
          markPrice: item.price,
          indexPrice: item.price,
          fundingRate,
          nextFundingTime: nextFunding,
        });
        events += 1;
      }
    } else {
      venue.deliverMarket({
        kind: 'kline',
        symbol,
        interval: '1m',
        eventTime: time,
        receivedAt: time,
        ...item.candle,
        closed: true,
      });
      events += 1;
      equity.push({ at: time, equity: exchange.account().marginBalance + fundingTotal });
    }
    venue.flushUserEvents();
    dirty = true;
    last = time;
  };

  let item: TapeItem | undefined = first;
  while (item !== undefined) {
    if (clock.nextDue <= item.time) await fireDue(item.time);
    clock.setTime(item.time);
    deliver(item);
    item = tape.next();
  }
  // The timers of the last instant (a decision on the final candle, a sync), then the closing figures.
  await fireDue(last + INCIDENT_EVALUATE_MS);
  const final = exchange.account().marginBalance + fundingTotal;
  if (equity.at(-1)?.at !== last || equity.at(-1)?.equity !== final) equity.push({ at: last, equity: final });
  clock.clearTimer({ id: evaluator });
  await engine.stop();
  killSwitch.stop();
  const result: BacktestResult = {
    symbol,
    from: first.time,
    to: last,
    events,
    initialEquity,
    orders,
    fills,
    equity,
    funding,
    incidents: [...store.listIncidents()].sort((a, b) => a.detectedAt - b.detectedAt || (a.id < b.id ? -1 : 1)),
    alerts: logger.lines,
    maxDailyDd: config.riskManager.maxDailyDd,
  };
  exchange.dispose();
  store.close();
  return result;
}
