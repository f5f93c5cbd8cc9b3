import { type Fixed, roundToStep } from '../../lib/fixed.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import { apiErrors } from '../../sim/api-error.ts';
import type { Instrument } from '../../sim/instruments.ts';
import type {
  AggTrade,
  BookSnapshot,
  BookTicker,
  Kline,
  MarketEvent,
  MarketFeed,
  MarkPriceState,
} from '../../sim/market/market-feed.ts';

/** Liquidity at the touch: historical files carry no depth, so a backtest assumes the touch absorbs any order. */
const TOUCH_QTY: Fixed = 1_000_000_000n * 100_000_000n;
const BPS = 10_000n;

interface Quote {
  price: Fixed;
  bid: Fixed;
  ask: Fixed;
  updateId: number;
  time: number;
}

interface Touch {
  readonly bid: Fixed;
  readonly ask: Fixed;
}

/** Bound on the memo of touches per symbol: a replay revisits the same prices, a long one many. */
const TOUCH_MEMO_SIZE = 8192;

/**
 * The market the simulator's matching engine (SimulatedExchange) trades against in a backtest: the
 * replayed price, with a one-level book at price ∓ slippage (executor.slippage_bps, rounded away
 * from the price to the tick) and unlimited size. Taker orders therefore fill at the last price
 * plus slippage; resting limit orders fill as makers when that book crosses them. The mark price is
 * the last price. No history queries: the engine's warm-up reads the venue, not this.
 */
export class BacktestMarket implements MarketFeed {
  readonly instruments: readonly Instrument[];
  readonly #slippageBps: bigint;
  readonly #quotes = new Map<string, Quote>();
  /** symbol → price → the touch around it: re-quoting is two bigint roundings, on every price change. */
  readonly #touches = new Map<string, Map<Fixed, Touch>>();
  readonly #tickListeners: ((symbol: string) => void)[] = [];
  readonly #fundingRate: Fixed;

  constructor(options: { instruments: readonly Instrument[]; slippageBps: number; fundingRate: Fixed }) {
    this.instruments = options.instruments;
    if (!Number.isInteger(options.slippageBps * 100)) {
      throw new YunminError('BACKTEST_OPTIONS_INVALID', 'executor.slippage_bps: at most 2 decimals in a backtest');
    }
    this.#slippageBps = BigInt(Math.round(options.slippageBps * 100));
    this.#fundingRate = options.fundingRate;
  }

  /** A new price for `symbol` at `time`: re-quotes the book, then lets the exchange fill resting orders. */
  trade(symbol: string, price: Fixed, time: number): void {
    let quote = this.#quotes.get(symbol);
    if (quote === undefined) {
      quote = { price: 0n, bid: 0n, ask: 0n, updateId: 0, time };
      this.#quotes.set(symbol, quote);
    }
    if (quote.price !== price) {
      const touch = this.#touch(symbol, price);
      quote.price = price;
      quote.bid = touch.bid;
      quote.ask = touch.ask;
      quote.updateId += 1;
    }
    quote.time = time;
    for (const listener of this.#tickListeners) listener(symbol);
  }

  /** The last replayed price, undefined before the first. */
  price(symbol: string): Fixed | undefined {
    return this.#quotes.get(symbol)?.price;
  }

  instrument(symbol: string): Instrument | undefined {
    return this.instruments.find((instrument) => instrument.symbol === symbol);
  }

  book(symbol: string, _limit: number): BookSnapshot {
    const quote = this.#quote(symbol);
    return {
      symbol,
      lastUpdateId: quote.updateId,
      eventTime: quote.time,
      transactionTime: quote.time,
      bids: quote.bid > 0n ? [{ price: quote.bid, qty: TOUCH_QTY }] : [],
      asks: [{ price: quote.ask, qty: TOUCH_QTY }],
    };
  }

  bookTicker(symbol: string): BookTicker {
    const quote = this.#quote(symbol);
    return {
      symbol,
      updateId: quote.updateId,
      eventTime: quote.time,
      transactionTime: quote.time,
      bidPrice: quote.bid,
      bidQty: TOUCH_QTY,
      askPrice: quote.ask,
      askQty: TOUCH_QTY,
    };
  }

  lastPrice(symbol: string): Fixed {
    return this.#quote(symbol).price;
  }

  markPrice(symbol: string): MarkPriceState {
    const quote = this.#quote(symbol);
    return {
      symbol,
      eventTime: quote.time,
      markPrice: quote.price,
      indexPrice: quote.price,
      estimatedSettlePrice: quote.price,
      fundingRate: this.#fundingRate,
      nextFundingTime: nextFundingTime(quote.time),
      interestRate: 0n,
    };
  }

  klines(): readonly Kline[] {
    return [];
  }

  aggTrades(): readonly AggTrade[] {
    return [];
  }

  subscribe(_listener: (event: MarketEvent) => void): () => void {
    return () => {};
  }

  onTick(listener: (symbol: string) => void): () => void {
    this.#tickListeners.push(listener);
    return () => {
      const index = this.#tickListeners.indexOf(listener);
      if (index >= 0) this.#tickListeners.splice(index, 1);
    };
  }

  start(): void {}
  stop(): void {}
  tick(): void {}

  applyShock(): () => void {
    throw new YunminError('BACKTEST_UNSUPPORTED', 'a backtest replays history: price shocks are not injected');
  }

  setPrice(symbol: string, price: Fixed): void {
    this.trade(symbol, price, this.#quote(symbol).time);
  }

  /** The book around `price`: ∓ slippage, rounded away from the price to the tick, never crossed. */
  #touch(symbol: string, price: Fixed): Touch {
    let memo = this.#touches.get(symbol);
    if (memo === undefined) {
      memo = new Map();
      this.#touches.set(symbol, memo);
    }
    const known = memo.get(price);
    if (known !== undefined) return known;
    const tick = this.#instrument(symbol).tickSize;
    const offset = (price * this.#slippageBps) / (BPS * 100n);
    const ask = roundToStep(price + offset, tick, 'up');
    let bid = roundToStep(price - offset, tick, 'down');
    if (bid === ask) bid -= tick;
    if (memo.size >= TOUCH_MEMO_SIZE) memo.clear();
    const touch = { bid, ask };
    memo.set(price, touch);
    return touch;
  }

  #quote(symbol: string): Quote {
    this.#instrument(symbol);
    return this.#quotes.get(symbol) ?? { price: 0n, bid: 0n, ask: 0n, updateId: 0, time: 0 };
  }

  #instrument(symbol: string): Instrument {
    const instrument = this.instrument(symbol);
    if (instrument === undefined) throw apiErrors.badSymbol();
    return instrument;
  }
}

const FUNDING_PERIOD_MS = 8 * 60 * 60 * 1000;

/** Binance USDⓈ-M funds every 8 h at 00:00, 08:00 and 16:00 UTC. */
export function nextFundingTime(time: number): number {
  return (Math.floor(time / FUNDING_PERIOD_MS) + 1) * FUNDING_PERIOD_MS;
}
