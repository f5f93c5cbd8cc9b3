import { formatFixed } from '../../lib/fixed.ts';
import type { Instrument } from '../instruments.ts';
import type { AggTrade, BookSnapshot, BookTicker, Kline, MarkPriceState } from '../market/market-feed.ts';
import type { RateLimitOptions } from './rate-limiter.ts';
import { formatBalance, formatPadded, formatPlain, formatPrice, formatQty, formatQuote } from './wire-decimals.ts';

/** Market-data bodies (reference §2.3, §2.4; fixtures 9, 10, 26–32). */

export function depthToWire(instrument: Instrument, book: BookSnapshot): Record<string, unknown> {
  return {
    lastUpdateId: book.lastUpdateId,
    E: book.eventTime,
    T: book.transactionTime,
    bids: book.bids.map((level) => [formatPrice(instrument, level.price), formatQty(instrument, level.qty)]),
    asks: book.asks.map((level) => [formatPrice(instrument, level.price), formatQty(instrument, level.qty)]),
  };
}

export function bookTickerToWire(instrument: Instrument, ticker: BookTicker): Record<string, unknown> {
  return {
    symbol: ticker.symbol,
    bidPrice: formatPrice(instrument, ticker.bidPrice),
    bidQty: formatQty(instrument, ticker.bidQty),
    askPrice: formatPrice(instrument, ticker.askPrice),
    askQty: formatQty(instrument, ticker.askQty),
    time: ticker.transactionTime,
    lastUpdateId: ticker.updateId,
  };
}

export function premiumIndexToWire(state: MarkPriceState): Record<string, unknown> {
  return {
    symbol: state.symbol,
    markPrice: formatBalance(state.markPrice),
    indexPrice: formatBalance(state.indexPrice),
    estimatedSettlePrice: formatBalance(state.estimatedSettlePrice),
    lastFundingRate: formatBalance(state.fundingRate),
    interestRate: formatBalance(state.interestRate),
    nextFundingTime: state.nextFundingTime,
    time: state.eventTime,
  };
}

/** 12-element arrays: times and trade count as numbers, prices and volumes as strings, last "0" (fixture 9). */
export function klineToWire(instrument: Instrument, kline: Kline): unknown[] {
  return [
    kline.openTime,
    formatPrice(instrument, kline.open),
    formatPrice(instrument, kline.high),
    formatPrice(instrument, kline.low),
    formatPrice(instrument, kline.close),
    formatQty(instrument, kline.volume),
    kline.closeTime,
    formatQuote(instrument, kline.quoteVolume),
    kline.trades,
    formatQty(instrument, kline.takerBuyVolume),
    formatQuote(instrument, kline.takerBuyQuoteVolume),
    '0',
  ];
}

export function aggTradeToWire(instrument: Instrument, trade: AggTrade): Record<string, unknown> {
  return {
    a: trade.aggTradeId,
    p: formatPrice(instrument, trade.price),
    q: formatQty(instrument, trade.qty),
    f: trade.firstTradeId,
    l: trade.lastTradeId,
    T: trade.tradeTime,
    m: trade.buyerIsMaker,
  };
}

// Binance lists 7 order types even though conditional ones now answer -4120 (moved to the Algo
// service, §2.5); the simulator copies the listing so clients parse what they would parse live.
const ORDER_TYPES = [
  'LIMIT',
  'MARKET',
  'STOP',
  'STOP_MARKET',
  'TAKE_PROFIT',
  'TAKE_PROFIT_MARKET',
  'TRAILING_STOP_MARKET',
];
const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'];
// Far-future delivery date Binance gives perpetuals (fixtures 26–32).
const PERPETUAL_DELIVERY_DATE = 4133404800000;

/**
 * One `symbols[]` element. Field order follows fixtures 26–32; numbers are numbers per the docs
 * (the fixtures stringify them). Min and step values are padded to the precision, max values are
 * plain ("556.80", "4529764"). MAX_NUM_ALGO_ORDERS is gone since 2025-12-29 (§2.4).
 */
export function symbolInfoToWire(instrument: Instrument): Record<string, unknown> {
  return {
    symbol: instrument.symbol,
    pair: instrument.symbol,
    contractType: 'PERPETUAL',
    deliveryDate: PERPETUAL_DELIVERY_DATE,
    onboardDate: instrument.onboardDate,
    status: 'TRADING',
    maintMarginPercent: formatFixed(instrument.maintMarginPercent, 4),
    requiredMarginPercent: formatFixed(instrument.requiredMarginPercent, 4),
    baseAsset: instrument.baseAsset,
    quoteAsset: instrument.quoteAsset,
    marginAsset: instrument.marginAsset,
    pricePrecision: instrument.pricePrecision,
    quantityPrecision: instrument.quantityPrecision,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: formatFixed(instrument.triggerProtect, 4),
    liquidationFee: formatFixed(instrument.liquidationFee, 6),
    marketTakeBound: formatFixed(instrument.marketTakeBound, 2),
    maxMoveOrderLimit: 10000,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: formatPrice(instrument, instrument.minPrice),
        maxPrice: formatPlain(instrument.maxPrice),
        tickSize: formatPrice(instrument, instrument.tickSize),
      },
      {
        filterType: 'LOT_SIZE',
        minQty: formatQty(instrument, instrument.minQty),
        maxQty: formatPlain(instrument.maxQty),
        stepSize: formatQty(instrument, instrument.stepSize),
      },
      {
        filterType: 'MARKET_LOT_SIZE',
        minQty: formatQty(instrument, instrument.marketMinQty),
        maxQty: formatPlain(instrument.marketMaxQty),
        stepSize: formatQty(instrument, instrument.marketStepSize),
      },
      { filterType: 'MAX_NUM_ORDERS', limit: instrument.maxNumOrders },
      { filterType: 'MIN_NOTIONAL', notional: formatPlain(instrument.minNotional) },
      {
        filterType: 'PERCENT_PRICE',
        multiplierUp: formatPadded(instrument.multiplierUp, instrument.multiplierDecimal),
        multiplierDown: formatPadded(instrument.multiplierDown, instrument.multiplierDecimal),
        multiplierDecimal: instrument.multiplierDecimal,
      },
    ],
    orderTypes: ORDER_TYPES,
    timeInForce: TIME_IN_FORCE,
  };
}

/** The whole `/fapi/v1/exchangeInfo` body (§2.4); rateLimits mirror the limiter's actual options. */
export function exchangeInfoToWire(
  instruments: readonly Instrument[],
  serverTime: number,
  limits: RateLimitOptions,
): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    futuresType: 'U_MARGINED',
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: limits.requestWeightPerMinute },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: limits.ordersPerMinute },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: limits.ordersPer10Seconds },
    ],
    exchangeFilters: [],
    assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }],
    symbols: instruments.map(symbolInfoToWire),
  };
}
