import { ApiError, apiErrors } from '../api-error.ts';
import type { KlineInterval } from '../market/market-feed.ts';
import { type Endpoint, optionalInstrument, requireInstrument, weightBySymbol } from './endpoint.ts';
import {
  aggTradeToWire,
  bookTickerToWire,
  depthToWire,
  exchangeInfoToWire,
  klineToWire,
  premiumIndexToWire,
} from './market-wire-format.ts';
import type { RequestParams } from './request-params.ts';
import { formatPrice } from './wire-decimals.ts';

/** Public market-data endpoints (security NONE; reference §2.3). */

const DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;
const KLINE_INTERVALS: readonly KlineInterval[] = [
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
];

function rawLimit(params: RequestParams, fallback: number): number {
  const value = Number(params.optionalString('limit') ?? fallback);
  return Number.isFinite(value) ? value : fallback;
}

/** Depth weight 2/5/10/20 for limit ≤50/100/500/1000 (§2.3). */
function depthWeight(params: RequestParams): number {
  const limit = rawLimit(params, 500);
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}

/** Klines weight by limit: [1,100) 1, [100,500) 2, [500,1000] 5, above 10 (Binance docs). */
function klinesWeight(params: RequestParams): number {
  const limit = rawLimit(params, 500);
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}

function timeRange(params: RequestParams): { startTime?: number; endTime?: number } {
  const startTime = params.optionalInteger('startTime');
  const endTime = params.optionalInteger('endTime');
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    throw apiErrors.invalidParameter('startTime', 'startTime must be before endTime');
  }
  return { ...(startTime !== undefined && { startTime }), ...(endTime !== undefined && { endTime }) };
}

export const MARKET_DATA_ENDPOINTS: readonly Endpoint[] = [
  { method: 'GET', path: '/fapi/v1/ping', security: 'NONE', weight: 1, handle: () => ({}) },
  {
    method: 'GET',
    path: '/fapi/v1/time',
    security: 'NONE',
    weight: 1,
    handle: (context) => ({ serverTime: context.serverTime }),
  },
  {
    method: 'GET',
    path: '/fapi/v1/exchangeInfo',
    security: 'NONE',
    weight: 1,
    handle: (context) => exchangeInfoToWire(context.market.instruments, context.serverTime, context.rateLimits),
  },
  {
    method: 'GET',
    path: '/fapi/v1/depth',
    security: 'NONE',
    weight: depthWeight,
    handle: (context) => {
      const instrument = requireInstrument(context);
      const limit = context.params.optionalInteger('limit') ?? 500;
      if (!DEPTH_LIMITS.some((allowed) => allowed === limit)) {
        throw apiErrors.invalidParameter('limit', `valid limits are ${DEPTH_LIMITS.join(', ')}`);
      }
      return depthToWire(instrument, context.market.book(instrument.symbol, limit));
    },
  },
  {
    method: 'GET',
    path: '/fapi/v1/ticker/bookTicker',
    security: 'NONE',
    weight: weightBySymbol(2, 5),
    handle: (context) => {
      const one = optionalInstrument(context);
      if (one !== undefined) return bookTickerToWire(one, context.market.bookTicker(one.symbol));
      return context.market.instruments.map((instrument) =>
        bookTickerToWire(instrument, context.market.bookTicker(instrument.symbol)),
      );
    },
  },
  ...(['/fapi/v1/ticker/price', '/fapi/v2/ticker/price'] as const).map(
    (path): Endpoint => ({
      method: 'GET',
      path,
      security: 'NONE',
      weight: weightBySymbol(1, 2),
      handle: (context) => {
        const priceOf = (instrument: NonNullable<ReturnType<typeof optionalInstrument>>) => ({
          symbol: instrument.symbol,
          price: formatPrice(instrument, context.market.lastPrice(instrument.symbol)),
          time: context.serverTime,
        });
        const one = optionalInstrument(context);
        return one !== undefined ? priceOf(one) : context.market.instruments.map(priceOf);
      },
    }),
  ),
  {
    method: 'GET',
    path: '/fapi/v1/premiumIndex',
    security: 'NONE',
    weight: weightBySymbol(1, 10),
    handle: (context) => {
      const one = optionalInstrument(context);
      if (one !== undefined) return premiumIndexToWire(context.market.markPrice(one.symbol));
      return context.market.instruments.map((instrument) =>
        premiumIndexToWire(context.market.markPrice(instrument.symbol)),
      );
    },
  },
  {
    method: 'GET',
    path: '/fapi/v1/klines',
    security: 'NONE',
    weight: klinesWeight,
    handle: (context) => {
      const instrument = requireInstrument(context);
      const intervalText = context.params.requiredString('interval');
      const interval = KLINE_INTERVALS.find((candidate) => candidate === intervalText);
      if (interval === undefined) throw new ApiError(400, -1120, 'Invalid interval.');
      const limit = context.params.optionalInteger('limit', { min: 1, max: 1500 }) ?? 500;
      const klines = context.market.klines(instrument.symbol, interval, { ...timeRange(context.params), limit });
      return klines.map((kline) => klineToWire(instrument, kline));
    },
  },
  {
    method: 'GET',
    path: '/fapi/v1/aggTrades',
    security: 'NONE',
    weight: 20,
    handle: (context) => {
      const instrument = requireInstrument(context);
      const fromId = context.params.optionalInteger('fromId', { min: 0 });
      const limit = context.params.optionalInteger('limit', { min: 1, max: 1000 }) ?? 500;
      const trades = context.market.aggTrades(instrument.symbol, {
        ...timeRange(context.params),
        ...(fromId !== undefined && { fromId }),
        limit,
      });
      return trades.map((trade) => aggTradeToWire(instrument, trade));
    },
  },
];
