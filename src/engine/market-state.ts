import type { Candle, MarketEvent } from '../domain/market-event.ts';
import type { Fixed } from '../lib/fixed.ts';

export type { Candle };

export interface SymbolMarket {
  readonly symbol: string;
  readonly bid?: Fixed;
  readonly ask?: Fixed;
  readonly mark?: Fixed;
  readonly lastTrade?: Fixed;
  /** Venue time of the newest event seen for the symbol. */
  readonly updatedAt?: number;
  /** Closed 1m candles, oldest first, bounded. */
  readonly candles: readonly Candle[];
}

const MAX_CANDLES = 1_000;

/** The latest market picture per symbol, fed by MarketEvents (and a REST warm-up of candles). */
export class MarketState {
  readonly #symbols = new Map<
    string,
    { -readonly [K in keyof SymbolMarket]: SymbolMarket[K] } & { candles: Candle[] }
  >();

  apply(event: MarketEvent): void {
    const entry = this.#entry(event.symbol);
    entry.updatedAt = event.eventTime;
    switch (event.kind) {
      case 'bookTicker':
        entry.bid = event.bidPrice;
        entry.ask = event.askPrice;
        return;
      case 'markPrice':
        entry.mark = event.markPrice;
        return;
      case 'trade':
        entry.lastTrade = event.price;
        return;
      case 'book': {
        const bid = event.bids[0];
        const ask = event.asks[0];
        if (bid !== undefined) entry.bid = bid.price;
        if (ask !== undefined) entry.ask = ask.price;
        return;
      }
      case 'kline':
        if (event.closed && event.interval === '1m') this.addCandle(event.symbol, event);
        return;
      default: {
        const never: never = event;
        throw new Error(`unhandled market event ${JSON.stringify(never)}`);
      }
    }
  }

  /** Appends a closed candle unless it is already known (stream and REST warm-up overlap). */
  addCandle(symbol: string, candle: Candle): void {
    const candles = this.#entry(symbol).candles;
    const last = candles.at(-1);
    if (last !== undefined && candle.openTime <= last.openTime) return;
    candles.push({
      openTime: candle.openTime,
      closeTime: candle.closeTime,
      open: candle.open,
      high: candle.high,
      low: candle.low,
      close: candle.close,
      volume: candle.volume,
    });
    if (candles.length > MAX_CANDLES) candles.splice(0, candles.length - MAX_CANDLES);
  }

  get(symbol: string): SymbolMarket {
    return this.#symbols.get(symbol) ?? { symbol, candles: [] };
  }

  /** Mark price, else mid, else last trade: the reference for risk and paper fills. */
  referencePrice(symbol: string): Fixed | undefined {
    const market = this.get(symbol);
    if (market.mark !== undefined) return market.mark;
    if (market.bid !== undefined && market.ask !== undefined) return (market.bid + market.ask) / 2n;
    return market.lastTrade;
  }

  #entry(symbol: string) {
    let entry = this.#symbols.get(symbol);
    if (entry === undefined) {
      entry = { symbol, candles: [] };
      this.#symbols.set(symbol, entry);
    }
    return entry;
  }
}
