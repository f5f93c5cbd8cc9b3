import type { Clock, TimerHandle } from '../../lib/clock.ts';
import type { Fixed } from '../../lib/fixed.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import { apiErrors } from '../api-error.ts';
import { DEFAULT_INSTRUMENTS, type Instrument } from '../instruments.ts';
import type { AggTradeRange } from './agg-trade-history.ts';
import { parseReplayCsv } from './csv-replay.ts';
import type { KlineRange } from './kline-history.ts';
import type {
  AggTrade,
  BookSnapshot,
  BookTicker,
  Kline,
  KlineInterval,
  MarketEvent,
  MarketFeed,
  MarketFeedOptions,
  MarkPriceState,
  PriceShock,
} from './market-feed.ts';
import { PriceShocks } from './price-shocks.ts';
import { SymbolMarket } from './symbol-market.ts';

export const DEFAULT_MARKET_OPTIONS: MarketFeedOptions = {
  seed: 1,
  tickMs: 100,
  // ~0.6 % per hour at 100 ms ticks, near real BTC; shocks (flash-crash faults) make the big moves.
  volatility: 0.00003,
  halfSpreadTicks: 1,
  bookLevels: 100,
  historyMinutes: 500,
};

export const MARKET_OPTIONS_INVALID = 'SIM_MARKET_OPTIONS_INVALID';
export const MARKET_SHOCK_INVALID = 'SIM_MARKET_SHOCK_INVALID';

/**
 * The simulated market behind the exchange, REST and WS layers: one SymbolMarket per instrument,
 * ticked together on the Clock. Unknown symbols answer Binance's -1121 so the REST layer can pass
 * the error straight through.
 */
export class SimulatedMarket implements MarketFeed {
  readonly instruments: readonly Instrument[];
  readonly #clock: Clock;
  readonly #tickMs: number;
  readonly #symbols = new Map<string, SymbolMarket>();
  readonly #listeners = new Set<(event: MarketEvent) => void>();
  readonly #tickListeners = new Set<(symbol: string) => void>();
  readonly #shocks = new PriceShocks();
  readonly #emit = (event: MarketEvent): void => {
    for (const listener of this.#listeners) listener(event);
  };
  #timer: TimerHandle | undefined;

  constructor(config: { clock: Clock; options: MarketFeedOptions; instruments?: readonly Instrument[] }) {
    const { clock, options } = config;
    validateOptions(options);
    this.#clock = clock;
    this.#tickMs = options.tickMs;
    this.instruments = config.instruments ?? DEFAULT_INSTRUMENTS;
    const replay = options.replay;
    if (replay !== undefined && !this.instruments.some((instrument) => instrument.symbol === replay.symbol)) {
      throw new YunminError(MARKET_OPTIONS_INVALID, `replay symbol ${replay.symbol} is not a listed instrument`);
    }
    const candles = replay === undefined ? undefined : parseReplayCsv(replay.csv);
    const now = clock.now();
    for (const instrument of this.instruments) {
      const replayed = replay?.symbol === instrument.symbol ? candles : undefined;
      this.#symbols.set(instrument.symbol, new SymbolMarket(instrument, options, now, replayed));
    }
  }

  instrument(symbol: string): Instrument | undefined {
    return this.#symbols.get(symbol)?.instrument;
  }

  book(symbol: string, limit: number): BookSnapshot {
    return this.#market(symbol).book(limit, this.#clock.now());
  }

  bookTicker(symbol: string): BookTicker {
    return this.#market(symbol).bookTicker;
  }

  lastPrice(symbol: string): Fixed {
    return this.#market(symbol).lastPrice;
  }

  /** The book's mid price (not part of MarketFeed; tests and drills read it). */
  midPrice(symbol: string): Fixed {
    return this.#market(symbol).midPrice();
  }

  markPrice(symbol: string): MarkPriceState {
    return this.#market(symbol).markPrice;
  }

  klines(symbol: string, interval: KlineInterval, range: KlineRange): readonly Kline[] {
    return this.#market(symbol).klines(interval, range);
  }

  aggTrades(symbol: string, range: AggTradeRange): readonly AggTrade[] {
    return this.#market(symbol).aggTrades(range);
  }

  subscribe(listener: (event: MarketEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  onTick(listener: (symbol: string) => void): () => void {
    this.#tickListeners.add(listener);
    return () => {
      this.#tickListeners.delete(listener);
    };
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#clock.setInterval(() => this.tick(), this.#tickMs);
  }

  stop(): void {
    this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  tick(): void {
    const now = this.#clock.now();
    for (const market of this.#symbols.values()) this.#tickSymbol(market, now, true);
  }

  applyShock(shock: PriceShock): () => void {
    this.#market(shock.symbol);
    if (!Number.isFinite(shock.overMs) || shock.overMs < 0) {
      throw new YunminError(MARKET_SHOCK_INVALID, `shock overMs must be ≥ 0, got ${shock.overMs}`);
    }
    if (shock.revertAfterMs !== undefined && !(shock.revertAfterMs >= 0)) {
      throw new YunminError(MARKET_SHOCK_INVALID, `shock revertAfterMs must be ≥ 0, got ${shock.revertAfterMs}`);
    }
    if (shock.move <= -100_000_000n) {
      throw new YunminError(MARKET_SHOCK_INVALID, 'a shock cannot move a price by -100 % or more');
    }
    return this.#shocks.add(shock, this.#clock.now());
  }

  /** Jumps the path and re-quotes the symbol at once (book, bookTicker, mark), without advancing its walk. */
  setPrice(symbol: string, price: Fixed): void {
    const market = this.#market(symbol);
    if (price <= 0n) throw new YunminError(MARKET_OPTIONS_INVALID, `price must be above 0 for ${symbol}`);
    market.setPrice(price);
    this.#tickSymbol(market, this.#clock.now(), false);
  }

  #tickSymbol(market: SymbolMarket, now: number, advancePath: boolean): void {
    market.tick(now, this.#shocks, this.#emit, advancePath);
    for (const listener of this.#tickListeners) listener(market.instrument.symbol);
  }

  #market(symbol: string): SymbolMarket {
    const market = this.#symbols.get(symbol);
    if (market === undefined) throw apiErrors.badSymbol();
    return market;
  }
}

function validateOptions(options: MarketFeedOptions): void {
  const fail = (why: string): never => {
    throw new YunminError(MARKET_OPTIONS_INVALID, `market options: ${why}`);
  };
  if (!Number.isInteger(options.seed)) fail(`seed must be an integer, got ${options.seed}`);
  if (!(options.tickMs > 0) || !Number.isFinite(options.tickMs)) fail(`tickMs must be > 0, got ${options.tickMs}`);
  if (!(options.volatility >= 0) || !Number.isFinite(options.volatility)) {
    fail(`volatility must be ≥ 0, got ${options.volatility}`);
  }
  if (!Number.isInteger(options.halfSpreadTicks) || options.halfSpreadTicks < 0) {
    fail(`halfSpreadTicks must be an integer ≥ 0, got ${options.halfSpreadTicks}`);
  }
  if (!Number.isInteger(options.bookLevels) || options.bookLevels < 1) {
    fail(`bookLevels must be an integer ≥ 1, got ${options.bookLevels}`);
  }
  if (!Number.isInteger(options.historyMinutes) || options.historyMinutes < 0) {
    fail(`historyMinutes must be an integer ≥ 0, got ${options.historyMinutes}`);
  }
  if (options.replay !== undefined && !(options.replay.replayCandleMs >= options.tickMs)) {
    fail(`replayCandleMs must be ≥ tickMs, got ${options.replay.replayCandleMs}`);
  }
}
