import type { Fixed } from '../../lib/fixed.ts';
import type { BookLevel, MarketFeed } from '../market/market-feed.ts';
import type { BookFill } from './book-matching.ts';
import type { OrderSide } from './exchange.ts';

interface Consumption {
  readonly updateId: number;
  /** Quantity taken per price, per book side. */
  readonly asks: Map<Fixed, Fixed>;
  readonly bids: Map<Fixed, Fixed>;
}

/**
 * The book as this account sees it. The market's synthetic book is read-only and replenishes every
 * tick (a simplification: our fills do not move the public book), but within one book version
 * (`lastUpdateId`) liquidity the account already took is not offered twice, so two orders sent in
 * the same tick cannot both fill against the same level.
 */
export class BookLiquidity {
  readonly #market: MarketFeed;
  readonly #consumed = new Map<string, Consumption>();

  constructor(market: MarketFeed) {
    this.#market = market;
  }

  /** The levels a taker of `side` would meet: asks for a BUY, bids for a SELL, best first. */
  opposite(symbol: string, side: OrderSide): BookLevel[] {
    const book = this.#market.book(symbol, 1000);
    const levels = side === 'BUY' ? book.asks : book.bids;
    const consumption = this.#consumed.get(symbol);
    if (consumption === undefined || consumption.updateId !== book.lastUpdateId) {
      this.#consumed.set(symbol, { updateId: book.lastUpdateId, asks: new Map(), bids: new Map() });
      return [...levels];
    }
    const taken = side === 'BUY' ? consumption.asks : consumption.bids;
    const result: BookLevel[] = [];
    for (const level of levels) {
      const qty = level.qty - (taken.get(level.price) ?? 0n);
      if (qty > 0n) result.push({ price: level.price, qty });
    }
    return result;
  }

  /** Records fills taken from the levels last returned by `opposite` for the same symbol. */
  consume(symbol: string, side: OrderSide, fills: readonly BookFill[]): void {
    const consumption = this.#consumed.get(symbol);
    if (consumption === undefined) return;
    const taken = side === 'BUY' ? consumption.asks : consumption.bids;
    for (const fill of fills) taken.set(fill.price, (taken.get(fill.price) ?? 0n) + fill.qty);
  }

  reset(): void {
    this.#consumed.clear();
  }
}
