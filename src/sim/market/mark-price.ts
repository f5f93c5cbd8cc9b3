import { type Fixed, fixedFromFloat, fixedToFloat, maxFixed, mulFixed, parseFixed } from '../../lib/fixed.ts';
import type { Instrument } from '../instruments.ts';
import type { MarkPriceState } from './market-feed.ts';

/** Funding settles at 00:00, 08:00 and 16:00 UTC: multiples of 8 h since the epoch. */
const FUNDING_PERIOD_MS = 8 * 60 * 60 * 1000;
/** Binance's default premium-index funding for a calm market: 0.01 % per 8 h. */
const FUNDING_RATE = parseFixed('0.0001');
const INTEREST_RATE = parseFixed('0.0001');
/** The index (spot basket) sits a hair below the perpetual's mark in a calm, slightly bullish market. */
const INDEX_DISCOUNT = parseFixed('0.99997');
/** Each tick the smoothed mark closes a quarter of its gap to the mid (a cheap EMA, exact in bigint). */
const SMOOTHING_DIVISOR = 4n;

export function nextFundingTime(now: number): number {
  return (Math.floor(now / FUNDING_PERIOD_MS) + 1) * FUNDING_PERIOD_MS;
}

/**
 * Mark and index for one symbol. Binance's mark is a median of index-based prices, so it trails
 * the book slightly and is not on the tick grid (captured premiumIndex: "67502.68519858"); we
 * keep 8 decimals the same way. A 'mark-price-only' shock scales the whole markPrice stream
 * (mark, index, settle estimate), the way a bad index feed does, while trades and book stay.
 */
export class MarkPriceModel {
  readonly #instrument: Instrument;
  #smoothed: Fixed;
  #state: MarkPriceState;

  constructor(instrument: Instrument, mid: Fixed, now: number) {
    this.#instrument = instrument;
    this.#smoothed = mid;
    this.#state = this.#build(now, 0);
  }

  get state(): MarkPriceState {
    return this.#state;
  }

  /** Folds in this tick's mid; `dataErrorMove` is the summed 'mark-price-only' shock. */
  update(mid: Fixed, now: number, dataErrorMove: number): MarkPriceState {
    this.#smoothed += (mid - this.#smoothed) / SMOOTHING_DIVISOR;
    this.#state = this.#build(now, dataErrorMove);
    return this.#state;
  }

  #build(now: number, dataErrorMove: number): MarkPriceState {
    const base =
      dataErrorMove === 0 ? this.#smoothed : fixedFromFloat(fixedToFloat(this.#smoothed) * (1 + dataErrorMove));
    const markPrice = maxFixed(this.#instrument.minPrice, base);
    const indexPrice = mulFixed(markPrice, INDEX_DISCOUNT);
    return {
      symbol: this.#instrument.symbol,
      eventTime: now,
      markPrice,
      indexPrice,
      estimatedSettlePrice: indexPrice,
      fundingRate: FUNDING_RATE,
      nextFundingTime: nextFundingTime(now),
      interestRate: INTEREST_RATE,
    };
  }
}
