import type { Fixed } from '../../lib/fixed.ts';
import type { Random } from '../../lib/random.ts';
import type { Instrument } from '../instruments.ts';
import type { AggTrade } from './market-feed.ts';

/** Typical notional of one aggregate trade, in USDT (lognormal around it). */
const TYPICAL_TRADE_NOTIONAL = 5_000;

/**
 * Prints aggregate trades for one symbol: monotonic `a` ids, and first/last trade ids covering the
 * 1..4 fills each aggregate trade stands for (Binance aggregates fills of one taker order at one
 * price). Quantities land on the step grid.
 */
export class TradeTape {
  readonly #instrument: Instrument;
  readonly #random: Random;
  readonly #stepFloat: number;
  #nextAggTradeId: number;
  #nextTradeId: number;

  constructor(instrument: Instrument, random: Random) {
    this.#instrument = instrument;
    this.#random = random;
    this.#stepFloat = Number(instrument.stepSize) / 1e8;
    // Real ids are large (BTCUSDT's passed 2·10⁹); start somewhere plausible, seeded.
    this.#nextAggTradeId = 2_000_000_000 + random.integer(0, 99_999_999);
    this.#nextTradeId = 5_000_000_000 + random.integer(0, 99_999_999);
  }

  /**
   * One aggregate trade at `price`. A taker buy lifts the ask (buyer is taker), a taker sell hits
   * the bid (buyer is maker). `sizeScale` stretches quantities (replays match the file's volume).
   */
  print(price: Fixed, buyerIsMaker: boolean, time: number, sizeScale = 1): AggTrade {
    const fills = this.#random.integer(1, 4);
    const notional = TYPICAL_TRADE_NOTIONAL * Math.exp(1.2 * this.#random.normal()) * sizeScale;
    const qty = notional / (Number(price) / 1e8);
    const steps = Math.max(fills, Math.round(qty / this.#stepFloat));
    const firstTradeId = this.#nextTradeId;
    this.#nextTradeId += fills;
    return {
      symbol: this.#instrument.symbol,
      aggTradeId: this.#nextAggTradeId++,
      price,
      qty: BigInt(steps) * this.#instrument.stepSize,
      firstTradeId,
      lastTradeId: firstTradeId + fills - 1,
      tradeTime: time,
      buyerIsMaker,
    };
  }
}
