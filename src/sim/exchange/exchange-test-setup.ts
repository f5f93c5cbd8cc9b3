import { expect } from 'vitest';
import { type Fixed, parseFixed } from '../../lib/fixed.ts';
import { createRandom } from '../../lib/random.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { ApiError } from '../api-error.ts';
import { DEFAULT_INSTRUMENTS, type Instrument } from '../instruments.ts';
import type { NewOrderRequest, UserEvent } from './exchange.ts';
import { FakeMarketFeed } from './fake-market-feed.ts';
import { DEFAULT_EXCHANGE_OPTIONS, SimulatedExchange } from './simulated-exchange.ts';

/** Shared fixtures of the exchange's unit tests (not a test file itself). */
export const BTC = 'BTCUSDT';
export const ETH = 'ETHUSDT';
export const f = (text: string): Fixed => parseFixed(text);

/** BTC marked at 100000 with a small book: asks 0.5 @ 100000.0, 1 @ 100000.1, 2 @ 100000.2. */
export const BTC_BOOK: { bids: [string, string][]; asks: [string, string][] } = {
  bids: [
    ['99999.9', '0.5'],
    ['99999.8', '1'],
    ['99999.7', '2'],
  ],
  asks: [
    ['100000.0', '0.5'],
    ['100000.1', '1'],
    ['100000.2', '2'],
  ],
};

export function setupExchange(instruments: readonly Instrument[] = DEFAULT_INSTRUMENTS) {
  const clock = new TestClock();
  const market = new FakeMarketFeed(() => clock.now(), instruments);
  market.setMark(BTC, '100000');
  market.setBook(BTC, BTC_BOOK);
  market.setMark(ETH, '4000');
  market.setBook(ETH, { bids: [['3999.99', '10']], asks: [['4000.00', '10']] });
  const exchange = new SimulatedExchange({ clock, market, options: DEFAULT_EXCHANGE_OPTIONS, random: createRandom(7) });
  const events: UserEvent[] = [];
  exchange.subscribeUserEvents((event) => events.push(event));
  return { clock, market, exchange, events };
}

export function marketOrder(side: string, quantity: string, extra: Partial<NewOrderRequest> = {}): NewOrderRequest {
  return { symbol: BTC, side, type: 'MARKET', quantity: f(quantity), reduceOnly: false, ...extra };
}

export function limitOrder(
  side: string,
  quantity: string,
  price: string,
  timeInForce = 'GTC',
  extra: Partial<NewOrderRequest> = {},
): NewOrderRequest {
  return {
    symbol: BTC,
    side,
    type: 'LIMIT',
    timeInForce,
    quantity: f(quantity),
    price: f(price),
    reduceOnly: false,
    ...extra,
  };
}

/** Asserts that `action` throws an ApiError with `code` and returns it. */
export function expectApiError(action: () => unknown, code: number): ApiError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ApiError);
  const apiError = caught as ApiError;
  expect(apiError.code).toBe(code);
  return apiError;
}

/** A compact trace of events: "NEW", "TRADE", "account", ... */
export function eventTrace(events: readonly UserEvent[]): string[] {
  return events.map((event) => (event.kind === 'orderUpdate' ? event.executionType : 'account'));
}
