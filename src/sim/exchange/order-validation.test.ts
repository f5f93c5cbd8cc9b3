import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTRUMENTS } from '../instruments.ts';
import type { NewOrderRequest } from './exchange.ts';
import {
  BTC,
  ETH,
  eventTrace,
  expectApiError,
  f,
  limitOrder,
  marketOrder,
  setupExchange,
} from './exchange-test-setup.ts';

describe('order validation', () => {
  const cases: [string, NewOrderRequest, number][] = [
    ['unknown symbol → -1121', marketOrder('BUY', '0.001', { symbol: 'XYZUSDT' }), -1121],
    ['side HOLD → -1117', marketOrder('HOLD', '0.001'), -1117],
    ['type STOP → -4120', marketOrder('BUY', '0.001', { type: 'STOP' }), -4120],
    ['type STOP_MARKET → -4120', marketOrder('BUY', '0.001', { type: 'STOP_MARKET' }), -4120],
    ['type TAKE_PROFIT → -4120', marketOrder('BUY', '0.001', { type: 'TAKE_PROFIT' }), -4120],
    ['type TAKE_PROFIT_MARKET → -4120', marketOrder('BUY', '0.001', { type: 'TAKE_PROFIT_MARKET' }), -4120],
    ['type TRAILING_STOP_MARKET → -4120', marketOrder('BUY', '0.001', { type: 'TRAILING_STOP_MARKET' }), -4120],
    ['type OCO → -1116', marketOrder('BUY', '0.001', { type: 'OCO' }), -1116],
    ['positionSide LONG → -4061', marketOrder('BUY', '0.001', { positionSide: 'LONG' }), -4061],
    ['GTD → -1115 (not simulated)', limitOrder('BUY', '0.001', '99000', 'GTD'), -1115],
    ['timeInForce XYZ → -1115', limitOrder('BUY', '0.001', '99000', 'XYZ'), -1115],
    ['MARKET with a price → -1106', marketOrder('BUY', '0.001', { price: f('99000') }), -1106],
    ['quantity 0 → -4003', marketOrder('BUY', '0'), -4003],
    ['negative price → -4001', limitOrder('BUY', '0.001', '-1'), -4001],
    ['client id with a space → -4015', marketOrder('BUY', '0.001', { newClientOrderId: 'has space' }), -4015],
    ['client id of 37 chars → -4015', marketOrder('BUY', '0.001', { newClientOrderId: 'a'.repeat(37) }), -4015],
    ['price under minPrice → -4013', limitOrder('BUY', '0.001', '556.70'), -4013],
    ['price over maxPrice → -4002', limitOrder('SELL', '0.001', '4529764.1'), -4002],
    ['price off tick → -4014', limitOrder('BUY', '0.001', '99000.05'), -4014],
    ['LIMIT qty under minQty → -4004', limitOrder('BUY', '0.0005', '99000'), -4004],
    ['LIMIT qty over maxQty → -4005', limitOrder('BUY', '1000.001', '99000'), -4005],
    ['LIMIT qty off step → -4023', limitOrder('BUY', '0.0015', '99000'), -4023],
    ['MARKET qty over MARKET_LOT_SIZE maxQty → -4005', marketOrder('BUY', '121'), -4005],
    ['BUY above mark × 1.05 → -4016', limitOrder('BUY', '0.001', '105000.1'), -4016],
    ['SELL below mark × 0.95 → -4024', limitOrder('SELL', '0.001', '94999.9'), -4024],
    ['LIMIT notional under 5 → -4164', limitOrder('SELL', '0.001', '4000', 'GTC', { symbol: ETH }), -4164],
    ['MARKET notional at mark under 5 → -4164', marketOrder('SELL', '0.001', { symbol: ETH }), -4164],
    ['reduceOnly without a position → -2022', marketOrder('SELL', '0.001', { reduceOnly: true }), -2022],
    ['closePosition on MARKET → -1130', marketOrder('SELL', '0.001', { closePosition: true }), -1130],
  ];

  it.each(cases)('%s', (_name, request, code) => {
    const { exchange, events } = setupExchange();
    expectApiError(() => exchange.placeOrder(request), code);
    expect(events).toEqual([]);
    expect(exchange.openOrders()).toEqual([]);
  });

  it('LIMIT without timeInForce, quantity or price → -1102 naming the parameter', () => {
    const { exchange } = setupExchange();
    const { timeInForce: _t, ...noTimeInForce } = limitOrder('BUY', '0.001', '99000');
    expect(expectApiError(() => exchange.placeOrder(noTimeInForce), -1102).msg).toContain("'timeInForce'");
    const { quantity: _q, ...noQuantity } = limitOrder('BUY', '0.001', '99000');
    expect(expectApiError(() => exchange.placeOrder(noQuantity), -1102).msg).toContain("'quantity'");
    const { price: _p, ...noPrice } = limitOrder('BUY', '0.001', '99000');
    expect(expectApiError(() => exchange.placeOrder(noPrice), -1102).msg).toContain("'price'");
    const { quantity: _m, ...marketNoQuantity } = marketOrder('BUY', '0.001');
    expect(expectApiError(() => exchange.placeOrder(marketNoQuantity), -1102).msg).toContain("'quantity'");
  });

  it('percent-price bounds are inclusive and the message names the limit', () => {
    const { exchange } = setupExchange();
    // Accepted, and as a crossing LIMIT it takes the best bid (price improvement).
    const sell = exchange.placeOrder(limitOrder('SELL', '0.001', '95000.0'));
    expect([sell.status, sell.avgPrice]).toEqual(['FILLED', f('99999.9')]);
    expect(expectApiError(() => exchange.placeOrder(limitOrder('BUY', '0.001', '105000.1')), -4016).msg).toBe(
      "Limit price can't be higher than 105000.00.",
    );
  });

  it('MARKET with a timeInForce → accepted and reported as GTC, as Binance ignores it', () => {
    const { exchange } = setupExchange();
    const order = exchange.placeOrder(marketOrder('BUY', '0.001', { timeInForce: 'IOC' }));
    expect(order.timeInForce).toBe('GTC');
    expect(order.status).toBe('FILLED');
  });

  it('reduce-only under the notional floor → accepted (MIN_NOTIONAL exempts it)', () => {
    const { exchange } = setupExchange();
    exchange.placeOrder(marketOrder('BUY', '0.002', { symbol: ETH }));
    const order = exchange.placeOrder(marketOrder('SELL', '0.001', { symbol: ETH, reduceOnly: true }));
    expect(order.status).toBe('FILLED');
  });

  it('client order id of an open order → -4116; free again once that order is cancelled', () => {
    const { exchange } = setupExchange();
    const first = exchange.placeOrder(limitOrder('BUY', '0.001', '99000', 'GTC', { newClientOrderId: 'grid-1' }));
    expectApiError(
      () => exchange.placeOrder(limitOrder('BUY', '0.001', '98000', 'GTC', { newClientOrderId: 'grid-1' })),
      -4116,
    );
    exchange.cancelOrder(BTC, { orderId: first.orderId });
    const again = exchange.placeOrder(limitOrder('BUY', '0.001', '98000', 'GTC', { newClientOrderId: 'grid-1' }));
    expect(again.clientOrderId).toBe('grid-1');
  });

  it('absent client order id → a generated 22-character id', () => {
    const { exchange } = setupExchange();
    const order = exchange.placeOrder(limitOrder('BUY', '0.001', '99000'));
    expect(order.clientOrderId).toMatch(/^[A-Za-z0-9]{22}$/);
  });

  it('open orders at the symbol cap → -2025', () => {
    const btc = DEFAULT_INSTRUMENTS.find((instrument) => instrument.symbol === BTC);
    if (btc === undefined) throw new Error('BTCUSDT missing');
    const { exchange } = setupExchange([{ ...btc, maxNumOrders: 2 }]);
    exchange.placeOrder(limitOrder('BUY', '0.001', '99000'));
    exchange.placeOrder(limitOrder('BUY', '0.001', '98000'));
    expectApiError(() => exchange.placeOrder(limitOrder('BUY', '0.001', '97000')), -2025);
  });

  it('initial margin above availableBalance → -2019; higher leverage → accepted', () => {
    const { exchange } = setupExchange();
    exchange.reset(f('100'));
    // 0.02 × 100000 / 20 = 100 fits exactly; 0.021 needs 105.
    expectApiError(() => exchange.placeOrder(limitOrder('BUY', '0.021', '99000')), -2019);
    expectApiError(() => exchange.placeOrder(marketOrder('BUY', '0.021')), -2019);
    exchange.setLeverage(BTC, 125);
    expect(exchange.placeOrder(limitOrder('BUY', '0.021', '99000')).status).toBe('NEW');
  });

  it('margin counts only the exposure-increasing part: closing a long needs none', () => {
    const { exchange } = setupExchange();
    exchange.reset(f('600'));
    exchange.placeOrder(marketOrder('BUY', '0.1')); // uses 500 of 600 as initial margin
    expect(exchange.placeOrder(limitOrder('SELL', '0.1', '100100')).status).toBe('NEW');
    expectApiError(() => exchange.placeOrder(limitOrder('SELL', '0.2', '100100')), -2019);
  });

  it('reduceOnly on the same side as the position → -2022', () => {
    const { exchange } = setupExchange();
    exchange.placeOrder(marketOrder('BUY', '0.01'));
    expectApiError(() => exchange.placeOrder(marketOrder('BUY', '0.01', { reduceOnly: true })), -2022);
  });

  it('reduceOnly larger than the position → fills the position only and expires the rest', () => {
    const { exchange, events } = setupExchange();
    exchange.placeOrder(marketOrder('BUY', '0.3'));
    events.length = 0;
    const order = exchange.placeOrder(marketOrder('SELL', '0.5', { reduceOnly: true }));
    expect(order.executedQty).toBe(f('0.3'));
    expect(order.status).toBe('EXPIRED');
    expect(exchange.positions(BTC)[0]?.positionAmt).toBe(0n);
    expect(eventTrace(events)).toEqual(['NEW', 'TRADE', 'account', 'EXPIRED']);
  });

  it('setLeverage outside 1..maxLeverage or fractional → -4028; valid → maxNotionalValue of its bracket', () => {
    const { exchange } = setupExchange();
    for (const leverage of [0, 126, 2.5, Number.NaN]) expectApiError(() => exchange.setLeverage(BTC, leverage), -4028);
    expectApiError(() => exchange.setLeverage('XYZUSDT', 10), -1121);
    expect(exchange.setLeverage(BTC, 20)).toEqual({ leverage: 20, maxNotionalValue: f('100000000'), symbol: BTC });
    expect(exchange.setLeverage(BTC, 125).maxNotionalValue).toBe(f('50000'));
    expect(exchange.positions(BTC)[0]?.leverage).toBe(125);
  });
});
