import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedFromInteger, formatFixed } from '../../lib/fixed.ts';
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

const DAY = 86_400_000;

describe('order queries', () => {
  it('cancel or query without orderId and origClientOrderId → -1102', () => {
    const { exchange } = setupExchange();
    expectApiError(() => exchange.cancelOrder(BTC, {}), -1102);
    expectApiError(() => exchange.queryOrder(BTC, {}), -1102);
  });

  it('cancel of an unknown, filled or cancelled order → -2011', () => {
    const { exchange } = setupExchange();
    expectApiError(() => exchange.cancelOrder(BTC, { orderId: 1 }), -2011);
    const filled = exchange.placeOrder(marketOrder('BUY', '0.1'));
    expectApiError(() => exchange.cancelOrder(BTC, { orderId: filled.orderId }), -2011);
    const open = exchange.placeOrder(limitOrder('BUY', '0.1', '99000', 'GTC', { newClientOrderId: 'c-1' }));
    expect(exchange.cancelOrder(BTC, { origClientOrderId: 'c-1' }).orderId).toBe(open.orderId);
    expectApiError(() => exchange.cancelOrder(BTC, { origClientOrderId: 'c-1' }), -2011);
  });

  it('queryOrder of an unknown order → -2013; queryOpenOrder of a filled one → -2013', () => {
    const { exchange } = setupExchange();
    expectApiError(() => exchange.queryOrder(BTC, { orderId: 42 }), -2013);
    const filled = exchange.placeOrder(marketOrder('BUY', '0.1'));
    expect(exchange.queryOrder(BTC, { orderId: filled.orderId }).status).toBe('FILLED');
    expectApiError(() => exchange.queryOpenOrder(BTC, { orderId: filled.orderId }), -2013);
    const open = exchange.placeOrder(limitOrder('BUY', '0.1', '99000'));
    expect(exchange.queryOpenOrder(BTC, { orderId: open.orderId }).status).toBe('NEW');
  });

  it('orderId of another symbol → -2013 / -2011', () => {
    const { exchange } = setupExchange();
    const order = exchange.placeOrder(limitOrder('BUY', '0.1', '99000'));
    expectApiError(() => exchange.queryOrder(ETH, { orderId: order.orderId }), -2013);
    expectApiError(() => exchange.cancelOrder(ETH, { orderId: order.orderId }), -2011);
  });

  it('cancelled without fills → queryable for 3 days, then -2013', () => {
    const { exchange, clock } = setupExchange();
    const order = exchange.placeOrder(limitOrder('BUY', '0.1', '99000'));
    exchange.cancelOrder(BTC, { orderId: order.orderId });
    clock.advance(3 * DAY);
    expect(exchange.queryOrder(BTC, { orderId: order.orderId }).status).toBe('CANCELED');
    clock.advance(1);
    expectApiError(() => exchange.queryOrder(BTC, { orderId: order.orderId }), -2013);
    expect(exchange.allOrders(BTC, { limit: 500 })).toEqual([]);
  });

  it('expired with a fill → still queryable after 3 days; any order → -2013 after 90 days', () => {
    const { exchange, clock } = setupExchange();
    const ioc = exchange.placeOrder(limitOrder('BUY', '1', '100000.0', 'IOC'));
    const filled = exchange.placeOrder(marketOrder('BUY', '0.1'));
    clock.advance(4 * DAY);
    expect(exchange.queryOrder(BTC, { orderId: ioc.orderId }).status).toBe('EXPIRED');
    clock.advance(86 * DAY);
    expect(exchange.queryOrder(BTC, { orderId: filled.orderId }).status).toBe('FILLED');
    clock.advance(1);
    expectApiError(() => exchange.queryOrder(BTC, { orderId: filled.orderId }), -2013);
  });

  it('order ids → numeric, monotonic, realistic; time and updateTime from the clock', () => {
    const { exchange, clock } = setupExchange();
    const first = exchange.placeOrder(limitOrder('BUY', '0.1', '99000'));
    clock.advance(1500);
    const second = exchange.placeOrder(limitOrder('BUY', '0.1', '98000'));
    expect(first.orderId).toBeGreaterThanOrEqual(4_000_000_000);
    expect(second.orderId).toBeGreaterThan(first.orderId);
    expect(second.time - first.time).toBe(1500);
    clock.advance(500);
    expect(exchange.cancelOrder(BTC, { orderId: first.orderId }).updateTime).toBe(clock.now());
  });

  it('allOrders → from orderId on, or the most recent `limit`; time range bounds `time`', () => {
    const { exchange, clock } = setupExchange();
    const ids: number[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push(exchange.placeOrder(limitOrder('BUY', '0.01', `${99000 - index}`)).orderId);
      clock.advance(1000);
    }
    const idsOf = (orders: readonly { orderId: number }[]) => orders.map((order) => order.orderId);
    expect(idsOf(exchange.allOrders(BTC, { limit: 2 }))).toEqual(ids.slice(3));
    expect(idsOf(exchange.allOrders(BTC, { orderId: ids[1] ?? 0, limit: 2 }))).toEqual(ids.slice(1, 3));
    const start = clock.now() - 4000;
    expect(idsOf(exchange.allOrders(BTC, { startTime: start, endTime: start + 1000, limit: 10 }))).toEqual(
      ids.slice(1, 3),
    );
    expect(exchange.allOrders(ETH, { limit: 10 })).toEqual([]);
  });

  it('userTrades → last 7 days by default, fromId from that trade on', () => {
    const { exchange, clock } = setupExchange();
    exchange.placeOrder(marketOrder('BUY', '0.1'));
    clock.advance(8 * DAY);
    exchange.placeOrder(marketOrder('BUY', '0.6')); // two levels: two trades
    const recent = exchange.userTrades(BTC, { limit: 500 });
    expect(recent).toHaveLength(2);
    const all = exchange.userTrades(BTC, { startTime: clock.now() - 9 * DAY, endTime: clock.now(), limit: 500 });
    expect(all).toHaveLength(3);
    const firstId = all[0]?.id ?? 0;
    expect(exchange.userTrades(BTC, { fromId: firstId + 1, limit: 500 }).map((trade) => trade.id)).toEqual([
      firstId + 1,
      firstId + 2,
    ]);
  });
});

describe('account and positions', () => {
  it('position view → unrealized, notional and margins on the mark price (fixture numbers)', () => {
    const { exchange, market } = setupExchange();
    exchange.setLeverage(BTC, 80);
    exchange.externalFill(BTC, 'BUY', f('0.009'), f('67445.9'));
    market.setMark(BTC, '67502.68519858');
    const [position] = exchange.positions(BTC);
    // Fixture positionRisk: notional 607.52416678, unRealizedProfit 0.51106678, initialMargin 7.59405208.
    expect(position).toMatchObject({
      positionAmt: f('0.009'),
      entryPrice: f('67445.9'),
      breakEvenPrice: f('67479.62295'),
      unrealizedProfit: f('0.51106678'),
      notional: f('607.52416678'),
      positionInitialMargin: f('7.59405208'),
      // 2.5 % single bracket (the fixture's account was in a 0.4 % bracket).
      maintMargin: f('15.18810416'),
      liquidationPrice: 0n,
    });
    const account = exchange.account();
    const wallet = f('10000') - f('0.30350655');
    expect(account.walletBalance).toBe(wallet);
    expect(account.availableBalance).toBe(wallet + f('0.51106678') - f('7.59405208'));
  });

  it('open orders → openOrderInitialMargin of the exposure-increasing part, lowering availableBalance', () => {
    const { exchange } = setupExchange();
    exchange.placeOrder(limitOrder('BUY', '0.2', '99000'));
    const [position] = exchange.positions(BTC);
    // 0.2 × 99000 / 20 = 990
    expect(position).toMatchObject({ openOrderInitialMargin: f('990'), bidNotional: f('19800'), positionAmt: 0n });
    expect(exchange.account().availableBalance).toBe(f('9010'));
  });

  it('positions() without symbol → only symbols with a position or open orders; account() adds leverage-set ones', () => {
    const { exchange } = setupExchange();
    exchange.setLeverage(ETH, 10);
    expect(exchange.positions()).toEqual([]);
    exchange.placeOrder(marketOrder('BUY', '0.1'));
    expect(exchange.positions().map((position) => position.symbol)).toEqual([BTC]);
    expect(exchange.account().positions.map((position) => position.symbol)).toEqual([BTC, ETH]);
    expect(exchange.positions('BNBUSDT')[0]).toMatchObject({ positionAmt: 0n, leverage: 20 });
  });

  it('externalFill → a web_ order with NEW, TRADE and accountUpdate, moving the position', () => {
    const { exchange, events } = setupExchange();
    const trade = exchange.externalFill(BTC, 'SELL', f('0.3'));
    expect(trade).toMatchObject({ price: f('99999.9'), qty: f('0.3'), maker: false, buyer: false });
    expect(eventTrace(events)).toEqual(['NEW', 'TRADE', 'account']);
    const [order] = exchange.allOrders(BTC, { limit: 10 });
    expect(order?.clientOrderId).toMatch(/^web_/);
    expect(exchange.positions(BTC)[0]?.positionAmt).toBe(f('-0.3'));
  });

  it('externalFill without events → nothing reaches subscribers, yet REST shows the diverged position', () => {
    const { exchange, events } = setupExchange();
    exchange.externalFill(BTC, 'BUY', f('0.5'), f('100000.0'), false);
    expect(events).toEqual([]);
    expect(exchange.positions(BTC)[0]?.positionAmt).toBe(f('0.5'));
    expect(exchange.userTrades(BTC, { limit: 10 })).toHaveLength(1);
    expectApiError(() => exchange.externalFill(BTC, 'BUY', 0n), -4003);
    expectApiError(() => exchange.externalFill('XYZUSDT', 'BUY', f('1')), -1121);
  });

  it('reset → flat, no orders, the given balance; ids keep increasing', () => {
    const { exchange } = setupExchange();
    const before = exchange.placeOrder(marketOrder('BUY', '0.1'));
    exchange.placeOrder(limitOrder('BUY', '0.1', '99000'));
    exchange.reset(f('500'));
    expect(exchange.account()).toMatchObject({ walletBalance: f('500'), positions: [] });
    expect(exchange.allOrders(BTC, { limit: 10 })).toEqual([]);
    expect(exchange.placeOrder(limitOrder('BUY', '0.001', '99000')).orderId).toBeGreaterThan(before.orderId);
  });

  it('unsubscribed listener → receives nothing more', () => {
    const { exchange, events } = setupExchange();
    const seen: string[] = [];
    const unsubscribe = exchange.subscribeUserEvents((event) => seen.push(event.kind));
    exchange.placeOrder(limitOrder('BUY', '0.1', '99000'));
    unsubscribe();
    exchange.placeOrder(limitOrder('BUY', '0.1', '98000'));
    expect(seen).toEqual(['orderUpdate']);
    expect(events).toHaveLength(2);
  });

  it('random MARKET sequences → wallet change = Σ realized − Σ commission, position = Σ signed qty', () => {
    const step = fc.record({
      side: fc.constantFrom('BUY', 'SELL'),
      steps: fc.integer({ min: 1, max: 400 }),
      markOffset: fc.integer({ min: -500, max: 500 }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const { exchange, market } = setupExchange();
        exchange.setLeverage(BTC, 125);
        const asks: [string, string][] = [];
        const bids: [string, string][] = [];
        for (let level = 0; level < 20; level += 1) {
          asks.push([formatFixed(f('100000') + BigInt(level) * f('1.3'), 1), '0.7']);
          bids.push([formatFixed(f('99999.9') - BigInt(level) * f('1.7'), 1), '0.9']);
        }
        market.setBook(BTC, { asks, bids });
        let signed = 0n;
        for (const { side, steps: qtySteps, markOffset } of steps) {
          market.setMark(BTC, `${100000 + markOffset}`);
          const quantity = fixedFromInteger(qtySteps) / 1000n;
          const order = exchange.placeOrder(marketOrder(side, '0.001', { quantity }));
          signed += side === 'BUY' ? order.executedQty : -order.executedQty;
          market.tickSymbol(BTC);
        }
        const fills = exchange.userTrades(BTC, { limit: 1000 });
        const realized = fills.reduce((sum, trade) => sum + trade.realizedPnl, 0n);
        const commission = fills.reduce((sum, trade) => sum + trade.commission, 0n);
        expect(exchange.account().walletBalance - f('10000')).toBe(realized - commission);
        expect(exchange.positions(BTC)[0]?.positionAmt).toBe(signed);
      }),
      { numRuns: 100, seed: 20260101 },
    );
  });
});
