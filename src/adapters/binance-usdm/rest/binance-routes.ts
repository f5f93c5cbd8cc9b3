import type { EndpointClass, RestCall, Security } from './rest-transport.ts';

/** The REST routes the client uses and what each costs (reference §2.3, §2.8). */

export interface Route {
  readonly method: RestCall['method'];
  readonly path: string;
  readonly security: Security;
  readonly endpointClass: EndpointClass;
  /** POST/PUT/DELETE on orders: a lost reply leaves the outcome unknown. */
  readonly mutation: boolean;
  readonly weight: number;
  readonly orders10s?: number;
  readonly orders1m?: number;
}

function route(
  method: Route['method'],
  path: string,
  security: Security,
  endpointClass: EndpointClass,
  weight: number,
  extra: Partial<Pick<Route, 'mutation' | 'orders10s' | 'orders1m'>> = {},
): Route {
  return { method, path, security, endpointClass, weight, mutation: false, ...extra };
}

/** The routes used and their costs (reference §2.3, §2.8). */
export const ROUTES = {
  ping: route('GET', '/fapi/v1/ping', 'public', 'market', 1),
  time: route('GET', '/fapi/v1/time', 'public', 'market', 1),
  exchangeInfo: route('GET', '/fapi/v1/exchangeInfo', 'public', 'market', 1),
  depth: route('GET', '/fapi/v1/depth', 'public', 'market', 2),
  klines: route('GET', '/fapi/v1/klines', 'public', 'market', 1),
  newOrder: route('POST', '/fapi/v1/order', 'signed', 'order', 0, { mutation: true, orders10s: 1, orders1m: 1 }),
  batchOrders: route('POST', '/fapi/v1/batchOrders', 'signed', 'order', 5, {
    mutation: true,
    orders10s: 5,
    orders1m: 1,
  }),
  cancelOrder: route('DELETE', '/fapi/v1/order', 'signed', 'order', 1, { mutation: true }),
  cancelAll: route('DELETE', '/fapi/v1/allOpenOrders', 'signed', 'order', 1, { mutation: true }),
  queryOrder: route('GET', '/fapi/v1/order', 'signed', 'order', 1),
  openOrders: route('GET', '/fapi/v1/openOrders', 'signed', 'order', 1),
  userTrades: route('GET', '/fapi/v1/userTrades', 'signed', 'account', 5),
  account: route('GET', '/fapi/v3/account', 'signed', 'account', 5),
  positionRisk: route('GET', '/fapi/v3/positionRisk', 'signed', 'account', 5),
  leverage: route('POST', '/fapi/v1/leverage', 'signed', 'account', 1),
  listenKeyCreate: route('POST', '/fapi/v1/listenKey', 'apiKey', 'userStream', 1),
  listenKeyKeepAlive: route('PUT', '/fapi/v1/listenKey', 'apiKey', 'userStream', 1),
  listenKeyClose: route('DELETE', '/fapi/v1/listenKey', 'apiKey', 'userStream', 1),
} as const;

export function depthWeight(limit: number): number {
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}
