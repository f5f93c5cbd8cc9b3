import type { Fixed } from '../../lib/fixed.ts';
import { apiErrors } from '../api-error.ts';
import type { Exchange } from '../exchange/exchange.ts';
import type { Instrument } from '../instruments.ts';
import type { MarketFeed } from '../market/market-feed.ts';
import type { ListenKeys } from '../ws/listen-keys.ts';
import type { RateLimitOptions } from './rate-limiter.ts';
import type { RequestParams } from './request-params.ts';
import type { SecurityType } from './request-security.ts';

/** What one REST endpoint is: its security type, its costs and the function that answers it. */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Small facts the transport remembers between requests (Binance keeps them server-side). */
export interface RestSessionState {
  /** The key POST /listenKey last returned: futures PUT/DELETE take no parameter (§3.4). */
  listenKey: string | undefined;
  /** maxNotionalValue per symbol from POST /leverage, echoed by v2 positionRisk/account. */
  readonly maxNotionalBySymbol: Map<string, Fixed>;
}

export interface EndpointContext {
  readonly params: RequestParams;
  /** clock.now() + the clock-skew fault. */
  readonly serverTime: number;
  readonly market: MarketFeed;
  readonly exchange: Exchange;
  readonly listenKeys: ListenKeys;
  readonly rateLimits: RateLimitOptions;
  readonly state: RestSessionState;
}

export interface Endpoint {
  readonly method: HttpMethod;
  readonly path: string;
  readonly security: SecurityType;
  /** IP weight (X-MBX-USED-WEIGHT-1M); may depend on parameters, and must not throw. */
  readonly weight: number | ((params: RequestParams) => number);
  /** Counts against ORDERS 10 s / 1 min (§2.3); these endpoints also report the order-count headers. */
  readonly orders10s?: number;
  readonly orders1m?: number;
  /** POST/DELETE on order, batchOrders, allOpenOrders: their outcome can be unknown (fault gate). */
  readonly isOrderMutation?: boolean;
  /** Reduce-only / close-position requests are exempt from -1008 throttling (§2.7). */
  readonly isReduceOnly?: (params: RequestParams) => boolean;
  /** Returns the JSON body of a 200 reply, or throws ApiError. */
  readonly handle: (context: EndpointContext) => unknown;
}

export function endpointWeight(endpoint: Endpoint, params: RequestParams): number {
  return typeof endpoint.weight === 'number' ? endpoint.weight : endpoint.weight(params);
}

/** The `symbol` parameter, which must name a listed instrument (-1102 / -1121). */
export function requireInstrument(context: EndpointContext): Instrument {
  const instrument = context.market.instrument(context.params.requiredString('symbol'));
  if (instrument === undefined) throw apiErrors.badSymbol();
  return instrument;
}

/** An optional `symbol`: undefined means "all symbols". */
export function optionalInstrument(context: EndpointContext): Instrument | undefined {
  const symbol = context.params.optionalString('symbol');
  if (symbol === undefined) return undefined;
  const instrument = context.market.instrument(symbol);
  if (instrument === undefined) throw apiErrors.badSymbol();
  return instrument;
}

/** Weight that depends on whether `symbol` was sent (openOrders 1/40, tickers …). */
export function weightBySymbol(withSymbol: number, withoutSymbol: number): (params: RequestParams) => number {
  return (params) => (params.optionalString('symbol') === undefined ? withoutSymbol : withSymbol);
}
