import { ACCOUNT_ENDPOINTS } from './account-endpoints.ts';
import { BATCH_ORDER_ENDPOINTS } from './batch-order-endpoints.ts';
import type { Endpoint } from './endpoint.ts';
import { LISTEN_KEY_ENDPOINTS } from './listen-key-endpoints.ts';
import { MARKET_DATA_ENDPOINTS } from './market-data-endpoints.ts';
import { ORDER_ENDPOINTS } from './order-endpoints.ts';

/** Every REST route the simulator serves, keyed by path then method. */

export type EndpointLookup =
  | { readonly kind: 'found'; readonly endpoint: Endpoint }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

export const ENDPOINTS: readonly Endpoint[] = [
  ...MARKET_DATA_ENDPOINTS,
  ...ORDER_ENDPOINTS,
  ...BATCH_ORDER_ENDPOINTS,
  ...ACCOUNT_ENDPOINTS,
  ...LISTEN_KEY_ENDPOINTS,
];

const BY_PATH = new Map<string, Map<string, Endpoint>>();
for (const endpoint of ENDPOINTS) {
  const methods = BY_PATH.get(endpoint.path) ?? new Map<string, Endpoint>();
  if (methods.has(endpoint.method)) throw new Error(`duplicate route ${endpoint.method} ${endpoint.path}`);
  methods.set(endpoint.method, endpoint);
  BY_PATH.set(endpoint.path, methods);
}

export function findEndpoint(method: string, path: string): EndpointLookup {
  const methods = BY_PATH.get(path);
  if (methods === undefined) return { kind: 'not-found' };
  const endpoint = methods.get(method);
  if (endpoint === undefined) return { kind: 'method-not-allowed', allowed: [...methods.keys()] };
  return { kind: 'found', endpoint };
}
