import { type Fixed, parseFixed } from '../../lib/fixed.ts';
import { DEFAULT_INSTRUMENTS, type Instrument } from '../instruments.ts';
import type {
  AggTrade,
  BookLevel,
  BookSnapshot,
  BookTicker,
  Kline,
  MarketEvent,
  MarketFeed,
  MarkPriceState,
} from '../market/market-feed.ts';

/**
 * A deterministic MarketFeed test double for the exchange's unit tests: a book the test sets level
 * by level, a settable mark price and a `tick` that fires the onTick listeners. It moves nothing by
 * itself; history, streams and shocks are empty or no-ops.
 */
export class FakeMarketFeed implements MarketFeed {
  readonly instruments: readonly Instrument[];
  readonly #books = new Map<string, { bids: BookLevel[]; asks: BookLevel[] }>();
  readonly #marks = new Map<string, Fixed>();
  readonly #tickListeners = new Set<(symbol: string) => void>();
  #updateId = 1000;
  #now: () => number;

  constructor(now: () => number, instruments: readonly Instrument[] = DEFAULT_INSTRUMENTS) {
    this.#now = now;
    this.instruments = instruments;
  }

  /** Replaces a symbol's book; levels as [price, qty] decimal strings, best first. Bumps lastUpdateId. */
  setBook(symbol: string, book: { bids?: [string, string][]; asks?: [string, string][] }): void {
    const toLevels = (levels: [string, string][] = []): BookLevel[] =>
      levels.map(([price, qty]) => ({ price: parseFixed(price), qty: parseFixed(qty) }));
    this.#books.set(symbol, { bids: toLevels(book.bids), asks: toLevels(book.asks) });
    this.#updateId += 1;
  }

  setMark(symbol: string, price: string): void {
    this.#marks.set(symbol, parseFixed(price));
  }

  /** A new book version (the synthetic book replenishes) and the onTick listeners for `symbol`. */
  tickSymbol(symbol: string): void {
    this.#updateId += 1;
    for (const listener of [...this.#tickListeners]) listener(symbol);
  }

  instrument(symbol: string): Instrument | undefined {
    return this.instruments.find((instrument) => instrument.symbol === symbol);
  }

  book(symbol: string, limit: number): BookSnapshot {
    const book = this.#books.get(symbol) ?? { bids: [], asks: [] };
    const now = this.#now();
    return {
      symbol,
      lastUpdateId: this.#updateId,
      eventTime: now,
      transactionTime: now,
      bids: book.bids.slice(0, limit),
      asks: book.asks.slice(0, limit),
    };
  }

  bookTicker(symbol: string): BookTicker {
    const book = this.book(symbol, 1);
    return {
      symbol,
      updateId: book.lastUpdateId,
      eventTime: book.eventTime,
      transactionTime: book.transactionTime,
      bidPrice: book.bids[0]?.price ?? 0n,
      bidQty: book.bids[0]?.qty ?? 0n,
      askPrice: book.asks[0]?.price ?? 0n,
      askQty: book.asks[0]?.qty ?? 0n,
    };
  }

  lastPrice(symbol: string): Fixed {
    return this.markPrice(symbol).markPrice;
  }

  markPrice(symbol: string): MarkPriceState {
    const markPrice = this.#marks.get(symbol) ?? this.instrument(symbol)?.initialPrice ?? 0n;
    return {
      symbol,
      eventTime: this.#now(),
      markPrice,
      indexPrice: markPrice,
      estimatedSettlePrice: markPrice,
      fundingRate: parseFixed('0.0001'),
      nextFundingTime: 0,
      interestRate: parseFixed('0.0001'),
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
    const entry = (symbol: string): void => listener(symbol);
    this.#tickListeners.add(entry);
    return () => {
      this.#tickListeners.delete(entry);
    };
  }

  start(): void {}

  stop(): void {}

  tick(): void {
    for (const instrument of this.instruments) this.tickSymbol(instrument.symbol);
  }

  applyShock(): () => void {
    return () => {};
  }

  setPrice(symbol: string, price: Fixed): void {
    this.#marks.set(symbol, price);
  }
}
