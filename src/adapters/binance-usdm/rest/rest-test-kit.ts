import { setTimeout as sleep } from 'node:timers/promises';
import type { ExchangeError } from '../../../domain/exchange-error.ts';
import type { OrderRequest } from '../../../domain/order.ts';
import type { Clock } from '../../../lib/clock.ts';
import { type Fixed, mulFixed, parseFixed, roundToStep } from '../../../lib/fixed.ts';
import { BinanceRestClient, type BinanceRestOptions } from './binance-rest-client.ts';
import { generateClientOrderId } from './client-order-id.ts';
import type { RestClientEvent } from './rest-client-event.ts';

/**
 * Helpers for the REST client's loopback tests. The tests start the simulator themselves (the layer
 * rules let only test files import it), so this file sees it through the few fields it needs.
 */

export interface SimulatorEndpoint {
  readonly urls: { readonly rest: string };
  readonly apiKey: string;
  readonly apiSecret: string;
}

export function clientFor(
  sim: SimulatorEndpoint,
  clock: Clock,
  options: Partial<BinanceRestOptions> = {},
): { client: BinanceRestClient; events: RestClientEvent[] } {
  const events: RestClientEvent[] = [];
  const client = new BinanceRestClient({
    clock,
    endpoints: [sim.urls.rest],
    credentials: { apiKey: sim.apiKey, apiSecret: sim.apiSecret },
    unknownOutcome: { attempts: 3, initialDelayMs: 20 },
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { client, events };
}

/** A resting BTCUSDT BUY limit 3 % under the mark: inside PERCENT_PRICE, never fills. */
export function restingBuy(markPrice: Fixed, overrides: Partial<OrderRequest> = {}): OrderRequest {
  const price = roundToStep(mulFixed(markPrice, parseFixed('0.97')), parseFixed('0.1'), 'down');
  return {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: parseFixed('0.002'),
    price,
    timeInForce: 'GTC',
    reduceOnly: false,
    clientOrderId: generateClientOrderId('t-'),
    ...overrides,
  };
}

export function marketOrder(side: 'BUY' | 'SELL', quantity = parseFixed('0.002')): OrderRequest {
  return {
    symbol: 'BTCUSDT',
    side,
    type: 'MARKET',
    quantity,
    reduceOnly: false,
    clientOrderId: generateClientOrderId('t-'),
  };
}

export function countWithClientId(
  orders: readonly { readonly clientOrderId: string }[],
  clientOrderId: string,
): number {
  return orders.filter((order) => order.clientOrderId === clientOrderId).length;
}

export async function rejection(promise: Promise<unknown>): Promise<ExchangeError> {
  try {
    await promise;
  } catch (error) {
    return error as ExchangeError;
  }
  throw new Error('expected a rejection');
}

/** Waits for real loopback I/O, polling every 2 ms, at most `attempts` times. */
export async function waitFor(condition: () => boolean, attempts = 1500): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (condition()) return;
    await sleep(2);
  }
  throw new Error('condition not met in time');
}

/** Lets pending I/O and promise callbacks run (a real 1 ms pause). */
export function settle(ms = 1): Promise<void> {
  return sleep(ms).then(() => undefined);
}
