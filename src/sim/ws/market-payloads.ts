import { type Fixed, formatFixed } from '../../lib/fixed.ts';
import type {
  AggTrade,
  BookLevel,
  BookTicker,
  Kline,
  MarketEvent,
  MarketFeed,
  MarkPriceState,
} from '../market/market-feed.ts';

type DepthUpdateEvent = Extract<MarketEvent, { kind: 'depthUpdate' }>;

/** Decimal places a symbol's strings are padded to. */
interface Precision {
  readonly price: number;
  readonly qty: number;
  /** Quote volumes (kline `q`, `Q`): price × qty keeps both precisions ("2069200.98090" for BTCUSDT). */
  readonly quote: number;
}

/** Binance sends mark, index and settle prices and the funding rate with 8 decimals ("11794.15000000"). */
const MARK_PRICE_DECIMALS = 8;
const FALLBACK_PRECISION: Precision = { price: 8, qty: 8, quote: 8 };

/**
 * Renders market events as Binance's stream payloads (reference §3.3): field letters in Binance's
 * order, numbers as decimal strings padded to the instrument's precisions, ids and times as numbers.
 * Each method returns JSON text, so the server renders an event once however many sockets get it.
 */
export class MarketPayloads {
  readonly #market: MarketFeed;
  readonly #precisions = new Map<string, Precision>();

  constructor(market: MarketFeed) {
    this.#market = market;
  }

  aggTrade(eventTime: number, trade: AggTrade): string {
    const precision = this.#precision(trade.symbol);
    const qty = formatFixed(trade.qty, precision.qty);
    return JSON.stringify({
      e: 'aggTrade',
      E: eventTime,
      a: trade.aggTradeId,
      s: trade.symbol,
      p: formatFixed(trade.price, precision.price),
      q: qty,
      // Quantity without RPI orders (since 2025-12-31); the simulator has none, so it equals q.
      nq: qty,
      f: trade.firstTradeId,
      l: trade.lastTradeId,
      T: trade.tradeTime,
      m: trade.buyerIsMaker,
    });
  }

  bookTicker(ticker: BookTicker): string {
    const precision = this.#precision(ticker.symbol);
    return JSON.stringify({
      e: 'bookTicker',
      u: ticker.updateId,
      s: ticker.symbol,
      b: formatFixed(ticker.bidPrice, precision.price),
      B: formatFixed(ticker.bidQty, precision.qty),
      a: formatFixed(ticker.askPrice, precision.price),
      A: formatFixed(ticker.askQty, precision.qty),
      T: ticker.transactionTime,
      E: ticker.eventTime,
    });
  }

  /** `<s>@depth[@100ms|@500ms]`: the diff itself. */
  depthDiff(event: DepthUpdateEvent): string {
    return this.#depth(event, event.bids, event.asks);
  }

  /** `<s>@depth<levels>[…]`: the top of the book after the diff, with the diff's header fields. */
  partialDepth(event: DepthUpdateEvent, levels: number): string {
    const book = this.#market.book(event.symbol, levels);
    return this.#depth(event, book.bids.slice(0, levels), book.asks.slice(0, levels));
  }

  markPrice(state: MarkPriceState): string {
    return JSON.stringify({
      e: 'markPriceUpdate',
      E: state.eventTime,
      s: state.symbol,
      p: formatFixed(state.markPrice, MARK_PRICE_DECIMALS),
      i: formatFixed(state.indexPrice, MARK_PRICE_DECIMALS),
      P: formatFixed(state.estimatedSettlePrice, MARK_PRICE_DECIMALS),
      r: formatFixed(state.fundingRate, MARK_PRICE_DECIMALS),
      T: state.nextFundingTime,
    });
  }

  kline(eventTime: number, kline: Kline): string {
    const precision = this.#precision(kline.symbol);
    const price = (value: Fixed) => formatFixed(value, precision.price);
    return JSON.stringify({
      e: 'kline',
      E: eventTime,
      s: kline.symbol,
      k: {
        t: kline.openTime,
        T: kline.closeTime,
        s: kline.symbol,
        i: kline.interval,
        f: kline.firstTradeId,
        L: kline.lastTradeId,
        o: price(kline.open),
        c: price(kline.close),
        h: price(kline.high),
        l: price(kline.low),
        v: formatFixed(kline.volume, precision.qty),
        n: kline.trades,
        x: kline.closed,
        q: formatFixed(kline.quoteVolume, precision.quote),
        V: formatFixed(kline.takerBuyVolume, precision.qty),
        Q: formatFixed(kline.takerBuyQuoteVolume, precision.quote),
        B: '0',
      },
    });
  }

  #depth(event: DepthUpdateEvent, bids: readonly BookLevel[], asks: readonly BookLevel[]): string {
    const precision = this.#precision(event.symbol);
    const level = (entry: BookLevel) => [
      formatFixed(entry.price, precision.price),
      formatFixed(entry.qty, precision.qty),
    ];
    return JSON.stringify({
      e: 'depthUpdate',
      E: event.eventTime,
      T: event.transactionTime,
      s: event.symbol,
      U: event.firstUpdateId,
      u: event.finalUpdateId,
      pu: event.previousFinalUpdateId,
      b: bids.map(level),
      a: asks.map(level),
    });
  }

  #precision(symbol: string): Precision {
    let precision = this.#precisions.get(symbol);
    if (precision === undefined) {
      const instrument = this.#market.instrument(symbol);
      precision =
        instrument === undefined
          ? FALLBACK_PRECISION
          : {
              price: instrument.pricePrecision,
              qty: instrument.quantityPrecision,
              quote: Math.min(8, instrument.pricePrecision + instrument.quantityPrecision),
            };
      this.#precisions.set(symbol, precision);
    }
    return precision;
  }
}
