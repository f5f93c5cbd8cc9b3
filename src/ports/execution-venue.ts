import type { ExchangeRest } from './exchange-rest.ts';

/**
 * Where orders go: the exchange's REST client in LIVE, the paper client in DRY_RUN (DESIGN
 * principle 2: the identical pipeline; only this port differs).
 */
export type ExecutionVenue = Pick<
  ExchangeRest,
  'placeOrder' | 'placeOrders' | 'cancelOrder' | 'getOrder' | 'cancelAllOpenOrders' | 'getOpenOrders'
>;
