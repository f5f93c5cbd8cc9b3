import type { Fixed } from '../../lib/fixed.ts';
import type { Random } from '../../lib/random.ts';
import type { Instrument } from '../instruments.ts';
import { BookLadder } from './book-ladder.ts';
import type { BookLevel } from './market-feed.ts';

/** Notional resting at the best level, in USDT: a few BTC at BTC prices (and deeper levels hold more). */
const TOP_LEVEL_NOTIONAL = 250_000;

export interface BookSides {
  /** Best first: bids descending, asks ascending. */
  readonly bids: BookLevel[];
  readonly asks: BookLevel[];
}

/**
 * A synthetic order book: a contiguous ladder of `levels` price levels per side around the mid,
 * every price on the tick grid and every quantity on the step grid, never crossed. Prices are
 * integer tick indexes internally; every change is recorded with its absolute quantity (0 =
 * deleted) for the next depth diff (§3.3).
 */
export class SyntheticBook {
  readonly #instrument: Instrument;
  readonly #levels: number;
  readonly #bidOffset: number;
  readonly #askOffset: number;
  readonly #random: Random;
  readonly #tickFloat: number;
  readonly #stepFloat: number;
  readonly #minMid: number;
  readonly #maxMid: number;
  readonly #bids: BookLadder;
  readonly #asks: BookLadder;
  readonly #qtyAt = (index: number, depth: number): Fixed => this.#levelQty(index, depth);

  constructor(instrument: Instrument, levels: number, halfSpreadTicks: number, random: Random, midTick: number) {
    this.#instrument = instrument;
    this.#levels = Math.max(1, Math.floor(levels));
    this.#bidOffset = Math.max(0, Math.floor(halfSpreadTicks));
    // A zero half spread still needs one tick between the sides: the book is never locked or crossed.
    this.#askOffset = Math.max(1, this.#bidOffset);
    this.#random = random;
    this.#tickFloat = Number(instrument.tickSize) / 1e8;
    this.#stepFloat = Number(instrument.stepSize) / 1e8;
    const minTick = Math.ceil(Number(instrument.minPrice) / Number(instrument.tickSize));
    const maxTick = Math.floor(Number(instrument.maxPrice) / Number(instrument.tickSize));
    this.#minMid = minTick + this.#bidOffset + this.#levels - 1;
    this.#maxMid = maxTick - this.#askOffset - this.#levels + 1;
    const { bidTick, askTick } = this.touchAround(midTick);
    this.#bids = new BookLadder(this.#levels, -1, bidTick, this.#qtyAt);
    this.#asks = new BookLadder(this.#levels, 1, askTick, this.#qtyAt);
  }

  /** Best bid and ask tick indexes around `midTick`, kept inside the instrument's PRICE_FILTER. */
  touchAround(midTick: number): { readonly bidTick: number; readonly askTick: number } {
    const mid = Math.min(this.#maxMid, Math.max(this.#minMid, Math.round(midTick)));
    return { bidTick: mid - this.#bidOffset, askTick: mid + this.#askOffset };
  }

  get hasChanges(): boolean {
    return this.#bids.hasChanges || this.#asks.hasChanges;
  }

  bestBid(): BookLevel {
    return this.#toLevel(this.#bids.best, this.#bids.qtyAtDepth(0));
  }

  bestAsk(): BookLevel {
    return this.#toLevel(this.#asks.best, this.#asks.qtyAtDepth(0));
  }

  /** Re-centres both ladders on `midTick`. */
  moveTo(midTick: number): void {
    const { bidTick, askTick } = this.touchAround(midTick);
    this.#bids.moveTo(bidTick, this.#qtyAt);
    this.#asks.moveTo(askTick, this.#qtyAt);
  }

  /** Random quantity changes, biased to the top of the book where real books churn most. */
  churn(count: number): void {
    for (let change = 0; change < count; change += 1) {
      const depth = Math.floor(this.#levels * this.#random.next() ** 3);
      const ladder = this.#random.next() < 0.5 ? this.#bids : this.#asks;
      ladder.setAtDepth(depth, this.#levelQty(ladder.best + ladder.direction * depth, depth));
    }
  }

  /** The levels changed since the last call, with absolute quantities (0 = deleted), best first. */
  takeChanges(): BookSides {
    const bidIndexes = this.#bids.takeChangedIndexes();
    const askIndexes = this.#asks.takeChangedIndexes();
    const bids: BookLevel[] = new Array(bidIndexes.length);
    const asks: BookLevel[] = new Array(askIndexes.length);
    for (let position = 0; position < bidIndexes.length; position += 1) {
      const index = bidIndexes[bidIndexes.length - 1 - position] ?? 0;
      bids[position] = this.#toLevel(index, this.#bids.qtyAt(index));
    }
    for (let position = 0; position < askIndexes.length; position += 1) {
      const index = askIndexes[position] ?? 0;
      asks[position] = this.#toLevel(index, this.#asks.qtyAt(index));
    }
    return { bids, asks };
  }

  /** Top `limit` levels per side; the ladder is contiguous, so no sorting is needed. */
  snapshot(limit: number): BookSides {
    // A non-numeric limit is the REST layer's to reject; here it just means "everything".
    const count = Number.isFinite(limit) ? Math.max(0, Math.min(Math.floor(limit), this.#levels)) : this.#levels;
    const bids: BookLevel[] = new Array(count);
    const asks: BookLevel[] = new Array(count);
    for (let depth = 0; depth < count; depth += 1) {
      bids[depth] = this.#toLevel(this.#bids.best - depth, this.#bids.qtyAtDepth(depth));
      asks[depth] = this.#toLevel(this.#asks.best + depth, this.#asks.qtyAtDepth(depth));
    }
    return { bids, asks };
  }

  /** A few BTC-equivalents at the top, growing with depth, with the odd wall. */
  #levelQty(index: number, depth: number): Fixed {
    const price = index * this.#tickFloat;
    const top = TOP_LEVEL_NOTIONAL / price;
    const wall = this.#random.next() < 0.03 ? 5 : 1;
    const qty = top * (0.2 + 1.6 * this.#random.next()) * (1 + depth / 20) * wall;
    const steps = Math.max(1, Math.round(qty / this.#stepFloat));
    return BigInt(steps) * this.#instrument.stepSize;
  }

  #toLevel(index: number, qty: Fixed): BookLevel {
    return { price: BigInt(index) * this.#instrument.tickSize, qty };
  }
}
