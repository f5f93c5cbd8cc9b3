import { describe, expect, it } from 'vitest';
import type { UserEvent } from './exchange.ts';
import {
  BTC,
  BTC_BOOK,
  ETH,
  eventTrace,
  expectApiError,
  f,
  limitOrder,
  marketOrder,
  setupExchange,
} from './exchange-test-setup.ts';

function trades(events: readonly UserEvent[]) {
  return events.flatMap((event) => (event.kind === 'orderUpdate' && event.trade !== undefined ? [event.trade] : []));
}

describe('taker matching', () => {
  it('MARKET BUY across two levels → one taker trade per level, avgPrice = cumQuote / qty, FILLED', () => {
    const { exchange, events } = setupExchange();
    const order = exchange.placeOrder(marketOrder('BUY', '1.2'));
    expect(order).toMatchObject({
      status: 'FILLED',
      executedQty: f('1.2'),
      cumQuote: f('120000.07'),
      avgPrice: f('100000.05833333'),
      price: 0n,
      type: 'MARKET',
    });
    expect(trades(events).map((trade) => [trade.price, trade.qty, trade.commission, trade.maker])).toEqual([
      [f('100000.0'), f('0.5'), f('25'), false],
      [f('100000.1'), f('0.7'), f('35.000035'), false],
    ]);
    expect(exchange.account().walletBalance).toBe(f('10000') - f('60.000035'));
    expect(exchange.positions(BTC)[0]).toMatchObject({ positionAmt: f('1.2'), entryPrice: f('100000.05833333') });
  });

  it('MARKET larger than the book → fills what there is and EXPIRES the rest', () => {
    const { exchange, events } = setupExchange();
    exchange.setLeverage(BTC, 100);
    const order = exchange.placeOrder(marketOrder('BUY', '4'));
    expect(order).toMatchObject({ status: 'EXPIRED', executedQty: f('3.5') });
    expect(eventTrace(events)).toEqual(['NEW', 'TRADE', 'account', 'TRADE', 'account', 'TRADE', 'account', 'EXPIRED']);
  });

  it('MARKET events → NEW, then each TRADE followed by its accountUpdate, statuses in order', () => {
    const { exchange, events, clock } = setupExchange();
    exchange.placeOrder(marketOrder('SELL', '0.8', { newClientOrderId: 'm-1' }));
    expect(eventTrace(events)).toEqual(['NEW', 'TRADE', 'account', 'TRADE', 'account']);
    const statuses = events.flatMap((event) => (event.kind === 'orderUpdate' ? [event.order.status] : []));
    expect(statuses).toEqual(['NEW', 'PARTIALLY_FILLED', 'FILLED']);
    const [, , firstAccount, , lastAccount] = events;
    expect(firstAccount).toMatchObject({
      kind: 'accountUpdate',
      reason: 'ORDER',
      eventTime: clock.now(),
      balances: [{ asset: 'USDT', walletBalance: f('10000') - f('24.999975'), balanceChange: 0n }],
    });
    if (lastAccount?.kind !== 'accountUpdate') throw new Error('expected an accountUpdate');
    expect(lastAccount.positions.map((position) => [position.symbol, position.positionAmt])).toEqual([
      [BTC, f('-0.8')],
    ]);
    const ids = trades(events).map((trade) => trade.id);
    expect(ids[1]).toBe((ids[0] ?? 0) + 1);
  });

  it('crossing GTC LIMIT → takes up to its price as taker, rests the remainder PARTIALLY_FILLED', () => {
    const { exchange } = setupExchange();
    const order = exchange.placeOrder(limitOrder('BUY', '1', '100000.0'));
    expect(order).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: f('0.5'), price: f('100000.0') });
    expect(exchange.openOrders(BTC).map((open) => open.orderId)).toEqual([order.orderId]);
  });

  it('IOC → fills what crosses and EXPIRES the remainder', () => {
    const { exchange, events } = setupExchange();
    const order = exchange.placeOrder(limitOrder('BUY', '1', '100000.0', 'IOC'));
    expect(order).toMatchObject({ status: 'EXPIRED', executedQty: f('0.5') });
    expect(eventTrace(events)).toEqual(['NEW', 'TRADE', 'account', 'EXPIRED']);
    expect(exchange.openOrders()).toEqual([]);
  });

  it('FOK that cannot fill completely → -5021, no events, not queryable', () => {
    const { exchange, events } = setupExchange();
    expectApiError(
      () => exchange.placeOrder(limitOrder('BUY', '1', '100000.0', 'FOK', { newClientOrderId: 'fok-1' })),
      -5021,
    );
    expect(events).toEqual([]);
    expectApiError(() => exchange.queryOrder(BTC, { origClientOrderId: 'fok-1' }), -2013);
    expect(exchange.allOrders(BTC, { limit: 500 })).toEqual([]);
    expect(exchange.positions()).toEqual([]);
  });

  it('FOK that can fill → FILLED across levels', () => {
    const { exchange } = setupExchange();
    const order = exchange.placeOrder(limitOrder('BUY', '1', '100000.1', 'FOK'));
    expect(order).toMatchObject({ status: 'FILLED', executedQty: f('1'), cumQuote: f('100000.05') });
  });

  it('GTX that would cross → -5022, not recorded; GTX below the ask → rests NEW', () => {
    const { exchange, events } = setupExchange();
    expectApiError(
      () => exchange.placeOrder(limitOrder('BUY', '0.1', '100000.0', 'GTX', { newClientOrderId: 'gtx-1' })),
      -5022,
    );
    expect(events).toEqual([]);
    expectApiError(() => exchange.queryOrder(BTC, { origClientOrderId: 'gtx-1' }), -2013);
    expect(exchange.placeOrder(limitOrder('BUY', '0.1', '99999.9', 'GTX')).status).toBe('NEW');
  });

  it('orders in the same book version → liquidity already taken is not offered again until the next tick', () => {
    const { exchange, market } = setupExchange();
    expect(exchange.placeOrder(marketOrder('BUY', '0.5')).avgPrice).toBe(f('100000.0'));
    expect(exchange.placeOrder(marketOrder('BUY', '0.5')).avgPrice).toBe(f('100000.1'));
    market.tickSymbol(BTC);
    expect(exchange.placeOrder(marketOrder('BUY', '0.5')).avgPrice).toBe(f('100000.0'));
  });
});

describe('resting orders', () => {
  it('BUY below the ask → no fill until a tick brings asks ≤ its price, then a maker fill at its price', () => {
    const { exchange, market, events } = setupExchange();
    const order = exchange.placeOrder(limitOrder('BUY', '1', '99999.0'));
    market.tickSymbol(BTC);
    expect(exchange.queryOrder(BTC, { orderId: order.orderId }).status).toBe('NEW');
    market.setBook(BTC, {
      bids: BTC_BOOK.bids,
      asks: [
        ['99998.0', '0.3'],
        ['99999.0', '0.4'],
        ['99999.5', '1'],
      ],
    });
    events.length = 0;
    market.tickSymbol(BTC);
    const after = exchange.queryOrder(BTC, { orderId: order.orderId });
    expect(after).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: f('0.7'), avgPrice: f('99999.0') });
    const [trade] = trades(events);
    // Maker fee 0.0002 on 0.7 × 99999.0 = 69999.3.
    expect(trade).toMatchObject({ maker: true, price: f('99999.0'), qty: f('0.7'), commission: f('13.99986') });
    expect(eventTrace(events)).toEqual(['TRADE', 'account']);
  });

  it('SELL resting above the bid → fills as maker when bids reach it', () => {
    const { exchange, market } = setupExchange();
    const order = exchange.placeOrder(limitOrder('SELL', '0.2', '100001.0'));
    market.setBook(BTC, { bids: [['100001.5', '5']], asks: [['100002.0', '5']] });
    market.tickSymbol(BTC);
    expect(exchange.queryOrder(BTC, { orderId: order.orderId })).toMatchObject({
      status: 'FILLED',
      avgPrice: f('100001.0'),
    });
    expect(exchange.positions(BTC)[0]?.positionAmt).toBe(f('-0.2'));
  });

  it('a tick of another symbol → no fill for this one', () => {
    const { exchange, market } = setupExchange();
    const order = exchange.placeOrder(limitOrder('BUY', '0.1', '99999.0'));
    market.setBook(BTC, { asks: [['99990.0', '5']] });
    market.tickSymbol(ETH);
    expect(exchange.queryOrder(BTC, { orderId: order.orderId }).status).toBe('NEW');
  });

  it('cancel → CANCELED orderUpdate and no accountUpdate', () => {
    const { exchange, events } = setupExchange();
    const order = exchange.placeOrder(limitOrder('BUY', '0.1', '99000'));
    const cancelled = exchange.cancelOrder(BTC, { orderId: order.orderId });
    expect(cancelled.status).toBe('CANCELED');
    expect(eventTrace(events)).toEqual(['NEW', 'CANCELED']);
  });

  it('cancelAllOpenOrders → every open order of the symbol CANCELED, others untouched', () => {
    const { exchange } = setupExchange();
    exchange.placeOrder(limitOrder('BUY', '0.1', '99000'));
    exchange.placeOrder(limitOrder('SELL', '0.1', '101000'));
    exchange.placeOrder(limitOrder('BUY', '0.01', '3900', 'GTC', { symbol: ETH }));
    exchange.cancelAllOpenOrders(BTC);
    expect(exchange.openOrders(BTC)).toEqual([]);
    expect(exchange.openOrders().map((order) => order.symbol)).toEqual([ETH]);
  });

  it('a resting reduce-only order whose position closed → EXPIRED on the next tick', () => {
    const { exchange, market } = setupExchange();
    exchange.placeOrder(marketOrder('BUY', '0.1'));
    const reduce = exchange.placeOrder(limitOrder('SELL', '0.1', '100500', 'GTC', { reduceOnly: true }));
    exchange.placeOrder(marketOrder('SELL', '0.1'));
    market.tickSymbol(BTC);
    expect(exchange.queryOrder(BTC, { orderId: reduce.orderId }).status).toBe('EXPIRED');
  });
});

describe('stuck orders (fault hook)', () => {
  it('enabled for all symbols → a crossing LIMIT rests and never fills; MARKET still fills', () => {
    const { exchange, market } = setupExchange();
    exchange.setStuckOrders({ enabled: true });
    const stuck = exchange.placeOrder(limitOrder('BUY', '0.1', '100000.2'));
    expect(stuck.status).toBe('NEW');
    market.setBook(BTC, { asks: [['90000.0', '10']] });
    market.tickSymbol(BTC);
    expect(exchange.placeOrder(marketOrder('BUY', '0.1')).status).toBe('FILLED');
    exchange.setStuckOrders({ enabled: false });
    market.tickSymbol(BTC);
    expect(exchange.queryOrder(BTC, { orderId: stuck.orderId }).status).toBe('NEW');
    expect(exchange.placeOrder(limitOrder('BUY', '0.1', '100000.2')).status).toBe('FILLED');
  });

  it('enabled for one symbol → other symbols fill normally', () => {
    const { exchange } = setupExchange();
    exchange.setStuckOrders({ symbol: ETH, enabled: true });
    expect(exchange.placeOrder(limitOrder('BUY', '0.1', '100000.0')).status).toBe('FILLED');
    expect(exchange.placeOrder(limitOrder('BUY', '0.01', '4000.00', 'GTC', { symbol: ETH })).status).toBe('NEW');
  });
});
