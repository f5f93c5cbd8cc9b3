import { describe, expect, it } from 'vitest';
import type { Instrument } from '../domain/instrument.ts';
import type { OrderIntent } from '../domain/order-intent.ts';
import { flatPosition } from '../domain/position.ts';
import type { TrackedOrder } from '../domain/tracked-order.ts';
import { formatFixedTrimmed, parseFixed } from '../lib/fixed.ts';
import { checkOrder, type RiskContext } from './risk-gate.ts';

const f = parseFixed;
const BTC: Instrument = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  status: 'TRADING',
  pricePrecision: 2,
  quantityPrecision: 3,
  tickSize: f('0.10'),
  minPrice: f('556.80'),
  maxPrice: f('4529764'),
  stepSize: f('0.001'),
  minQty: f('0.001'),
  maxQty: f('1000'),
  marketStepSize: f('0.001'),
  marketMinQty: f('0.001'),
  marketMaxQty: f('120'),
  minNotional: f('5'),
  maxNumOrders: 200,
  multiplierUp: f('1.05'),
  multiplierDown: f('0.95'),
};
const context = (overrides: Partial<RiskContext> = {}): RiskContext => ({
  tradingState: 'ACTIVE',
  instrument: BTC,
  referencePrice: f('100000'),
  equity: f('10000'),
  position: flatPosition('BTCUSDT'),
  activeOrders: [],
  limits: { maxPositionFraction: f('0.05'), maxOpenOrders: 3 },
  ...overrides,
});
const intent = (overrides: Partial<OrderIntent> = {}): OrderIntent => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'MARKET',
  quantity: f('0.004'),
  reduceOnly: false,
  purpose: 'test',
  ...overrides,
});
const denial = (decision: ReturnType<typeof checkOrder>) => (decision.ok ? 'ok' : decision.denial.code);

describe('risk gate', () => {
  it('quantity off the step → rounded down; LIMIT BUY price rounded down, SELL up, to the tick', () => {
    const buy = checkOrder(intent({ type: 'LIMIT', quantity: f('0.0049'), price: f('99999.97') }), context());
    expect(
      buy.ok && [
        formatFixedTrimmed(buy.request.quantity),
        formatFixedTrimmed(buy.request.price ?? 0n),
        buy.request.timeInForce,
      ],
    ).toEqual(['0.004', '99999.9', 'GTC']);
    const sell = checkOrder(
      intent({ side: 'SELL', type: 'LIMIT', quantity: f('0.001'), price: f('100000.01') }),
      context(),
    );
    expect(sell.ok && formatFixedTrimmed(sell.request.price ?? 0n)).toBe('100000.1');
  });

  it('each limit → its own denial code; nothing sent', () => {
    expect(denial(checkOrder(intent({ symbol: 'DOGEUSDT' }), context({ instrument: undefined })))).toBe(
      'ORDER_DENIED_UNKNOWN_SYMBOL',
    );
    expect(denial(checkOrder(intent(), context({ referencePrice: undefined })))).toBe('ORDER_DENIED_NO_MARKET_DATA');
    expect(denial(checkOrder(intent({ quantity: f('0.0009') }), context()))).toBe('ORDER_DENIED_QUANTITY');
    expect(denial(checkOrder(intent({ quantity: f('0.001') }), context({ referencePrice: f('1000') })))).toBe(
      'ORDER_DENIED_MIN_NOTIONAL',
    );
    expect(denial(checkOrder(intent({ quantity: f('0.006') }), context()))).toBe('ORDER_DENIED_POSITION_LIMIT');
    expect(denial(checkOrder(intent({ type: 'LIMIT', price: f('106000') }), context()))).toBe('ORDER_DENIED_PRICE');
    expect(denial(checkOrder(intent({ type: 'LIMIT' }), context()))).toBe('ORDER_DENIED_PRICE');
  });

  it('position limit counts same-side open orders (worst case)', () => {
    const open: TrackedOrder = {
      clientOrderId: 'a',
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: f('0.003'),
      price: f('99000'),
      reduceOnly: false,
      state: 'OPEN',
      executedQty: 0n,
      purpose: 'x',
      createdAt: 0,
      updatedAt: 0,
    };
    expect(denial(checkOrder(intent({ quantity: f('0.003') }), context()))).toBe('ok');
    expect(denial(checkOrder(intent({ quantity: f('0.003') }), context({ activeOrders: [open] })))).toBe(
      'ORDER_DENIED_POSITION_LIMIT',
    );
    expect(denial(checkOrder(intent({ quantity: f('0.001') }), context({ activeOrders: [open, open, open] })))).toBe(
      'ORDER_DENIED_MAX_OPEN_ORDERS',
    );
  });

  it('HALTED or REDUCING → new exposure denied, reduce-only exits pass and are capped at the position', () => {
    const long = { ...flatPosition('BTCUSDT'), amount: f('0.002'), entryPrice: f('100000') };
    for (const tradingState of ['HALTED', 'REDUCING'] as const) {
      expect(denial(checkOrder(intent(), context({ tradingState })))).toBe('ORDER_DENIED_TRADING_STATE');
      const exit = checkOrder(
        intent({ side: 'SELL', quantity: f('1'), reduceOnly: true }),
        context({ tradingState, position: long }),
      );
      expect(exit.ok && formatFixedTrimmed(exit.request.quantity)).toBe('0.002');
    }
  });

  it('reduce-only on the wrong side or flat → NOTHING_TO_REDUCE; min notional does not apply to exits', () => {
    const long = { ...flatPosition('BTCUSDT'), amount: f('0.001'), entryPrice: f('1000') };
    expect(denial(checkOrder(intent({ reduceOnly: true }), context()))).toBe('ORDER_DENIED_NOTHING_TO_REDUCE');
    expect(denial(checkOrder(intent({ side: 'BUY', reduceOnly: true }), context({ position: long })))).toBe(
      'ORDER_DENIED_NOTHING_TO_REDUCE',
    );
    expect(
      denial(
        checkOrder(
          intent({ side: 'SELL', quantity: f('0.001'), reduceOnly: true }),
          context({ position: long, referencePrice: f('1000') }),
        ),
      ),
    ).toBe('ok');
  });
});

describe('risk gate holds', () => {
  it('an active hold → opening orders denied with ORDER_DENIED_HOLD; reduce-only exits pass', () => {
    const long = { ...flatPosition('BTCUSDT'), amount: f('0.002'), entryPrice: f('100000') };
    const held = context({ holds: ['REST errors: Retry-After 30 s'], position: long });
    expect(denial(checkOrder(intent(), held))).toBe('ORDER_DENIED_HOLD');
    expect(denial(checkOrder(intent({ side: 'SELL', reduceOnly: true }), held))).toBe('ok');
    expect(denial(checkOrder(intent(), context({ holds: [] })))).toBe('ok');
  });
});
