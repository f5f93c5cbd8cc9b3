import { type Fixed, fixedToFloat, roundToStep } from '../../lib/fixed.ts';
import type { Random } from '../../lib/random.ts';
import type { Instrument } from '../instruments.ts';
import { AggTradeHistory, type AggTradeRange } from './agg-trade-history.ts';
import { CsvReplayPath, type ReplayCandle } from './csv-replay.ts';
import { KlineHistory, type KlineRange } from './kline-history.ts';
import { MarkPriceModel } from './mark-price.ts';
import type {
  AggTrade,
  BookLevel,
  BookSnapshot,
  BookTicker,
  Kline,
  KlineInterval,
  MarketEvent,
  MarketFeedOptions,
  MarkPriceState,
} from './market-feed.ts';
import { type PricePath, RandomWalkPath } from './price-path.ts';
import type { PriceShocks } from './price-shocks.ts';
import { randomFor } from './seeds.ts';
import { SyntheticBook } from './synthetic-book.ts';
import { TradeTape } from './trade-tape.ts';

/** Binance pushes `<s>@kline_<i>` every 250 ms (§3.3); we push at most that often. */
const KLINE_PUSH_MS = 250;
const MARK_1S_MS = 1000;
const MARK_3S_MS = 3000;
/** Random walk steps per second of generated history (coarser than live ticks; same volatility per second). */
const HISTORY_STEP_MS = 1000;
/** Average aggregate trades per live tick: `integer(0, 3)`. */
const TRADES_PER_TICK = 1.5;

/**
 * Everything the market knows about one symbol: its price path, synthetic book, trade tape,
 * kline and aggTrade history, mark price, and the depth update-id chain. `tick` advances it and
 * emits the symbol's events in a fixed order: closing kline, depthUpdate, bookTicker, aggTrades,
 * kline, markPrice.
 */
export class SymbolMarket {
  readonly instrument: Instrument;
  readonly #options: MarketFeedOptions;
  readonly #path: PricePath;
  readonly #book: SyntheticBook;
  readonly #tape: TradeTape;
  readonly #trades = new AggTradeHistory();
  readonly #klines: KlineHistory;
  readonly #mark: MarkPriceModel;
  readonly #tradeRandom: Random;
  readonly #tickFloat: number;
  #lastPrice: Fixed;
  /** `u` of the last depth diff, or the seed id before the first one. */
  #lastUpdateId: number;
  #emittedDiff = false;
  #lastUpdateTime: number;
  #bookTicker: BookTicker;
  #lastKlinePush = Number.NEGATIVE_INFINITY;
  #nextMark1s: number;
  #nextMark3s: number;

  constructor(instrument: Instrument, options: MarketFeedOptions, now: number, replay?: readonly ReplayCandle[]) {
    this.instrument = instrument;
    this.#options = options;
    const seed = options.seed;
    const symbol = instrument.symbol;
    this.#tickFloat = fixedToFloat(instrument.tickSize);
    const pathRandom = randomFor(seed, symbol, 'path');
    this.#path =
      replay !== undefined && options.replay !== undefined
        ? new CsvReplayPath(
            snapCandles(replay, instrument.tickSize),
            options.replay.replayCandleMs / options.tickMs,
            options.volatility,
            pathRandom,
          )
        : new RandomWalkPath(fixedToFloat(instrument.initialPrice), options.volatility, pathRandom);
    this.#book = new SyntheticBook(
      instrument,
      options.bookLevels,
      options.halfSpreadTicks,
      randomFor(seed, symbol, 'book'),
      this.#path.current / this.#tickFloat,
    );
    this.#tradeRandom = randomFor(seed, symbol, 'trades');
    this.#tape = new TradeTape(instrument, randomFor(seed, symbol, 'tape'));
    const ids = randomFor(seed, symbol, 'ids');
    // USD-M depth ids are in the trillions; seeded so a run is reproducible.
    this.#lastUpdateId = 6_000_000_000_000 + ids.integer(0, 999_999_999);
    this.#lastUpdateTime = now;
    const historyRandom = randomFor(seed, symbol, 'history');
    const firstMinute = Math.floor((now - options.historyMinutes * 60_000) / 60_000) * 60_000;
    const walk = historyWalk(this.#path.current, firstMinute, now, this.#historyVolatility(), historyRandom);
    const { bidTick } = this.#book.touchAround((walk[0] ?? this.#path.current) / this.#tickFloat);
    this.#klines = new KlineHistory(symbol, firstMinute, BigInt(bidTick) * instrument.tickSize);
    this.#lastPrice = this.#seedHistory(walk, firstMinute, historyRandom);
    this.#klines.roll(now);
    this.#mark = new MarkPriceModel(instrument, this.#midPrice(), now);
    this.#bookTicker = this.#makeBookTicker(now);
    this.#nextMark1s = nextBoundary(now, MARK_1S_MS);
    this.#nextMark3s = nextBoundary(now, MARK_3S_MS);
  }

  get lastPrice(): Fixed {
    return this.#lastPrice;
  }

  get markPrice(): MarkPriceState {
    return this.#mark.state;
  }

  get bookTicker(): BookTicker {
    return this.#bookTicker;
  }

  /** The book's mid ((best bid + best ask) / 2); may fall between ticks. */
  midPrice(): Fixed {
    return this.#midPrice();
  }

  book(limit: number, now: number): BookSnapshot {
    const { bids, asks } = this.#book.snapshot(limit);
    return {
      symbol: this.instrument.symbol,
      lastUpdateId: this.#lastUpdateId,
      eventTime: now,
      transactionTime: this.#lastUpdateTime,
      bids,
      asks,
    };
  }

  klines(interval: KlineInterval, range: KlineRange): Kline[] {
    return this.#klines.query(interval, range);
  }

  aggTrades(range: AggTradeRange): AggTrade[] {
    return this.#trades.query(range);
  }

  setPrice(price: Fixed): void {
    this.#path.set(fixedToFloat(price));
  }

  /** One tick; `advancePath` is false for the immediate re-quote after setPrice(). */
  tick(now: number, shocks: PriceShocks, emit: (event: MarketEvent) => void, advancePath = true): void {
    const symbol = this.instrument.symbol;
    const closed = this.#klines.roll(now);
    if (closed !== undefined) emit({ kind: 'kline', eventTime: now, kline: closed });

    const pathPrice = advancePath ? this.#path.next() : this.#path.current;
    const mid = pathPrice * (1 + shocks.factor(symbol, 'market', now));
    this.#book.moveTo(mid / this.#tickFloat);
    this.#book.churn(this.#tradeRandom.integer(1, 6));

    const trades: AggTrade[] = [];
    const tradeCount = this.#tradeRandom.integer(0, 3);
    if (tradeCount > 0) {
      const scale = this.#tradeSizeScale();
      const bid = this.#book.bestBid().price;
      const ask = this.#book.bestAsk().price;
      for (let count = 0; count < tradeCount; count += 1) {
        const buyerIsMaker = this.#tradeRandom.next() < 0.5;
        trades.push(this.#recordTrade(this.#tape.print(buyerIsMaker ? bid : ask, buyerIsMaker, now, scale)));
      }
    }

    if (this.#book.hasChanges) {
      const { bids, asks } = this.#book.takeChanges();
      // §3.3 chain: U = previous u + 1, pu = previous u. The very first diff starts AT the seed id
      // so that a snapshot taken before any diff (lastUpdateId = seed) still satisfies U ≤ id ≤ u.
      const previous = this.#lastUpdateId;
      const firstIsSeed = !this.#emittedDiff;
      const firstUpdateId = firstIsSeed ? previous : previous + 1;
      const finalUpdateId = previous + this.#tradeRandom.integer(1, 20);
      this.#lastUpdateId = finalUpdateId;
      this.#lastUpdateTime = now;
      this.#emittedDiff = true;
      emit({
        kind: 'depthUpdate',
        symbol,
        eventTime: now,
        transactionTime: now,
        firstUpdateId,
        finalUpdateId,
        previousFinalUpdateId: firstIsSeed ? previous - 1 : previous,
        bids,
        asks,
      });
      const ticker = this.#makeBookTicker(now);
      if (!sameTouch(ticker, this.#bookTicker)) emit({ kind: 'bookTicker', ticker });
      this.#bookTicker = ticker;
    }

    for (const trade of trades) emit({ kind: 'aggTrade', eventTime: now, trade });

    if (now - this.#lastKlinePush >= KLINE_PUSH_MS) {
      this.#lastKlinePush = now;
      emit({ kind: 'kline', eventTime: now, kline: this.#klines.liveKline() });
    }

    const state = this.#mark.update(this.#midPrice(), now, shocks.factor(symbol, 'mark-price-only', now));
    if (now >= this.#nextMark1s) {
      this.#nextMark1s = nextBoundary(now, MARK_1S_MS);
      emit({ kind: 'markPrice', cadence: '1s', state });
    }
    if (now >= this.#nextMark3s) {
      this.#nextMark3s = nextBoundary(now, MARK_3S_MS);
      emit({ kind: 'markPrice', cadence: '3s', state });
    }
  }

  #recordTrade(trade: AggTrade): AggTrade {
    this.#trades.push(trade);
    this.#klines.addTrade(trade);
    this.#lastPrice = trade.price;
    return trade;
  }

  /** A replay sizes trades so a candle's generated volume roughly matches the file's. */
  #tradeSizeScale(): number {
    if (!(this.#path instanceof CsvReplayPath) || this.#options.replay === undefined) return 1;
    const volume = fixedToFloat(this.#path.currentVolume());
    if (volume <= 0) return 1;
    const ticksPerCandle = Math.max(1, this.#options.replay.replayCandleMs / this.#options.tickMs);
    const targetQty = volume / ticksPerCandle / TRADES_PER_TICK;
    const typicalQty = 5_000 / this.#path.current;
    return targetQty / typicalQty;
  }

  /** Per-step volatility of the history walk: the live per-tick volatility scaled to one step. */
  #historyVolatility(): number {
    return this.#options.volatility * Math.sqrt(HISTORY_STEP_MS / this.#options.tickMs);
  }

  /** Prints the history's trades into the tape, aggTrade history and 1m candles; returns the last price. */
  #seedHistory(walk: Float64Array, firstMinute: number, random: Random): Fixed {
    let lastPrice = this.#midPrice();
    for (let step = 0; step < walk.length - 1; step += 1) {
      const stepStart = firstMinute + step * HISTORY_STEP_MS;
      this.#klines.roll(stepStart);
      const { bidTick, askTick } = this.#book.touchAround((walk[step] ?? 0) / this.#tickFloat);
      const count = random.integer(0, 3);
      for (let index = 0; index < count; index += 1) {
        const time = stepStart + Math.floor(((index + 1) * HISTORY_STEP_MS) / (count + 1));
        const buyerIsMaker = random.next() < 0.5;
        const price = BigInt(buyerIsMaker ? bidTick : askTick) * this.instrument.tickSize;
        lastPrice = this.#recordTrade(this.#tape.print(price, buyerIsMaker, time)).price;
      }
    }
    return lastPrice;
  }

  #midPrice(): Fixed {
    return (this.#book.bestBid().price + this.#book.bestAsk().price) / 2n;
  }

  #makeBookTicker(now: number): BookTicker {
    const bid: BookLevel = this.#book.bestBid();
    const ask: BookLevel = this.#book.bestAsk();
    return {
      symbol: this.instrument.symbol,
      updateId: this.#lastUpdateId,
      eventTime: now,
      transactionTime: now,
      bidPrice: bid.price,
      bidQty: bid.qty,
      askPrice: ask.price,
      askQty: ask.qty,
    };
  }
}

/**
 * The history's prices, one per second from `firstMinute` to `now`, ending at the live path's start
 * price so history flows into the live market without a jump. Drawn backwards from the end
 * (statistically the same walk) with its own random stream, so the history length never changes
 * the live path of a seed.
 */
function historyWalk(endPrice: number, firstMinute: number, now: number, volatility: number, random: Random) {
  const steps = Math.max(0, Math.floor((now - firstMinute) / HISTORY_STEP_MS));
  const prices = new Float64Array(steps + 1);
  prices[steps] = endPrice;
  for (let step = steps; step > 0; step -= 1) {
    prices[step - 1] = (prices[step] ?? endPrice) * Math.exp(volatility * random.normal());
  }
  return prices;
}

/** Replayed prices snapped to the tick grid exactly (in bigint) before they become path floats. */
function snapCandles(candles: readonly ReplayCandle[], tickSize: Fixed): ReplayCandle[] {
  const snap = (price: Fixed): Fixed => roundToStep(price, tickSize, 'half-up');
  return candles.map((candle) => ({
    ...candle,
    open: snap(candle.open),
    high: snap(candle.high),
    low: snap(candle.low),
    close: snap(candle.close),
  }));
}

function nextBoundary(now: number, periodMs: number): number {
  return (Math.floor(now / periodMs) + 1) * periodMs;
}

function sameTouch(a: BookTicker, b: BookTicker): boolean {
  return a.bidPrice === b.bidPrice && a.bidQty === b.bidQty && a.askPrice === b.askPrice && a.askQty === b.askQty;
}
