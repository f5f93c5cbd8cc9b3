import { beforeEach, describe, expect, it } from 'vitest';
import { PaperExecutionClient } from '../adapters/paper/paper-execution-client.ts';
import { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import { ExchangeError } from '../domain/exchange-error.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { OrderIntent } from '../domain/order-intent.ts';
import { formatFixedTrimmed, parseFixed } from '../lib/fixed.ts';
import { TestClock } from '../lib/test-clock.ts';
import type { ExecutionVenue } from '../ports/execution-venue.ts';
import { ExecutionService } from './execution-service.ts';
import { MarketState } from './market-state.ts';
import { OrderTracker } from './order-tracker.ts';

const f = parseFixed;
const BTC = {
  symbol: 'BTCUSDT',
  tickSize: f('0.10'),
  minPrice: f('1'),
  maxPrice: f('1000000'),
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
} as Instrument;

function setup(wrap: (venue: PaperExecutionClient) => ExecutionVenue = (venue) => venue) {
  const clock = new TestClock();
  const store = SqliteStore.open({ path: ':memory:', clock });
  const market = new MarketState();
  market.apply({
    kind: 'bookTicker',
    symbol: 'BTCUSDT',
    updateId: 1,
    eventTime: clock.now(),
    receivedAt: clock.now(),
    bidPrice: f('100000.0'),
    bidQty: f('1'),
    askPrice: f('100000.1'),
    askQty: f('1'),
  });
  const tracker = new OrderTracker({ clock, store });
  const paper = new PaperExecutionClient({
    clock,
    store,
    market,
    options: {
      initialBalance: f('10000'),
      makerFee: f('0.0002'),
      takerFee: f('0.0005'),
      slippageBps: 0,
      tickSize: () => BTC.tickSize,
    },
  });
  paper.onUserEvent((event) => tracker.applyUserEvent(event));
  let n = 0;
  const execution = new ExecutionService({
    clock,
    store,
    tracker,
    venue: wrap(paper),
    ids: { newClientOrderId: () => `test-${++n}` },
    riskContext: (symbol) => ({
      tradingState: store.getTradingState()?.state ?? 'ACTIVE',
      instrument: symbol === 'BTCUSDT' ? BTC : undefined,
      referencePrice: market.referencePrice(symbol),
      equity: f('10000'),
      position: tracker.position(symbol),
      activeOrders: tracker.active(),
      limits: { maxPositionFraction: f('0.05'), maxOpenOrders: 5 },
    }),
  });
  return { clock, store, tracker, execution, paper, market };
}

const buy: OrderIntent = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'MARKET',
  quantity: f('0.003'),
  reduceOnly: false,
  purpose: 'test',
};

describe('execution service', () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    ctx = setup();
  });

  it('MARKET order → persisted before the send, filled via the user event, position from the fill, fill recorded once', async () => {
    const result = await ctx.execution.submit(buy);
    expect(result.status).toBe('sent');
    const order = ctx.store.getOrder('test-1');
    expect(order?.state).toBe('FILLED');
    expect(formatFixedTrimmed(ctx.tracker.position('BTCUSDT').amount)).toBe('0.003');
    expect(ctx.store.fills('BTCUSDT')).toHaveLength(1);
    const types = ctx.store.events().map((event) => event.type);
    expect(types.indexOf('OrderCreated')).toBeLessThan(types.indexOf('FillRecorded'));
  });

  it('risk denial → nothing persisted as an order, an OrderDenied event instead', async () => {
    const result = await ctx.execution.submit({ ...buy, quantity: f('1') });
    expect(result.status === 'denied' && result.denial.code).toBe('ORDER_DENIED_POSITION_LIMIT');
    expect(ctx.store.recentOrders(10)).toHaveLength(0);
    expect(ctx.store.events().map((event) => event.type)).toContain('OrderDenied');
  });

  it('reply lost after the venue executed → UNKNOWN, then resolved by query to FILLED; never resent', async () => {
    let sends = 0;
    ctx = setup((paper) => ({
      ...paper,
      getOrder: paper.getOrder.bind(paper),
      getOpenOrders: paper.getOpenOrders.bind(paper),
      cancelOrder: paper.cancelOrder.bind(paper),
      cancelAllOpenOrders: paper.cancelAllOpenOrders.bind(paper),
      placeOrders: paper.placeOrders.bind(paper),
      placeOrder: async (request) => {
        sends += 1;
        await paper.placeOrder(request);
        throw new ExchangeError('EXCHANGE_UNKNOWN_OUTCOME', '503 Unknown error', { httpStatus: 503 });
      },
    }));
    // The paper venue delivers the fill event synchronously; drop it so only the query can tell.
    ctx.paper.onUserEvent(() => undefined);
    const result = await ctx.execution.submit(buy);
    expect(result.status).toBe('unknown');
    expect(ctx.store.getOrder('test-1')?.state).toBe('UNKNOWN');
    const resolved = await ctx.execution.resolveUnknown('test-1');
    expect(resolved?.state).toBe('FILLED');
    expect(sends).toBe(1);
  });

  it('venue rejection → REJECTED with the venue code kept; the order certainly did not execute', async () => {
    ctx = setup((paper) => ({
      ...paper,
      placeOrders: paper.placeOrders.bind(paper),
      getOrder: paper.getOrder.bind(paper),
      getOpenOrders: paper.getOpenOrders.bind(paper),
      cancelOrder: paper.cancelOrder.bind(paper),
      cancelAllOpenOrders: paper.cancelAllOpenOrders.bind(paper),
      placeOrder: async () => {
        throw new ExchangeError('EXCHANGE_REJECTED', 'Margin is insufficient.', { venueCode: -2019 });
      },
    }));
    const result = await ctx.execution.submit(buy);
    expect(result.status).toBe('failed');
    expect(ctx.store.getOrder('test-1')).toMatchObject({ state: 'REJECTED' });
    expect(ctx.store.getOrder('test-1')?.lastError).toContain('-2019');
  });

  it('HALTED → new exposure denied, closePosition (reduce-only) still flattens', async () => {
    await ctx.execution.submit(buy);
    ctx.store.setTradingState({
      state: 'HALTED',
      changedAt: ctx.clock.now(),
      changedBy: 'automation:test',
      reason: 'test',
    });
    expect((await ctx.execution.submit(buy)).status).toBe('denied');
    const close = await ctx.execution.closePosition('BTCUSDT', 'operator close');
    expect(close?.status).toBe('sent');
    expect(ctx.tracker.position('BTCUSDT').amount).toBe(0n);
  });

  it('flattenAll with a long position → one reduce-only MARKET, all flat afterwards', async () => {
    await ctx.execution.submit(buy);
    const results = await ctx.execution.flattenAll('kill-switch');
    expect(results.map((r) => r.status)).toEqual(['sent']);
    expect(ctx.tracker.positions().every((p) => p.amount === 0n)).toBe(true);
  });

  it('resting LIMIT → cancel → CANCELED; cancelling again → resolved, still CANCELED', async () => {
    const result = await ctx.execution.submit({ ...buy, type: 'LIMIT', price: f('99000') });
    expect(result.status === 'sent' && result.order.state).toBe('OPEN');
    expect((await ctx.execution.cancel('test-1'))?.state).toBe('CANCELED');
    expect((await ctx.execution.cancel('test-1'))?.state).toBe('CANCELED');
  });
});

describe('fills reported over REST (no client order id)', () => {
  it('a REST fill of our own order → recognised by the venue order id, not foreign; its stream copy → duplicate', async () => {
    const ctx = setup();
    const notices: string[] = [];
    const tracker = new OrderTracker({
      clock: ctx.clock,
      store: ctx.store,
      notify: (notice) => notices.push(notice.kind),
    });
    const result = await ctx.execution.submit(buy);
    const order = result.status === 'sent' ? result.order : undefined;
    expect(order?.venueOrderId).toBeDefined();
    const restFill = {
      symbol: 'BTCUSDT',
      tradeId: 777,
      orderId: order?.venueOrderId ?? 0,
      side: 'BUY' as const,
      price: f('100000.1'),
      qty: f('0.001'),
      commission: 0n,
      commissionAsset: 'USDT',
      realizedPnl: 0n,
      maker: false,
      time: ctx.clock.now(),
    };
    expect(tracker.recordFill(restFill)).toBe(true);
    expect(notices).toEqual(['fillRecorded']);
    expect(tracker.recordFill({ ...restFill, clientOrderId: order?.clientOrderId ?? '' })).toBe(false);
    expect(ctx.store.fills('BTCUSDT').find((fill) => fill.tradeId === 777)?.clientOrderId).toBe(order?.clientOrderId);
  });
});
