import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PaperExecutionClient } from '../adapters/paper/paper-execution-client.ts';
import { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import { ExchangeError } from '../domain/exchange-error.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { OrderIntent } from '../domain/order-intent.ts';
import { type Fixed, parseFixed } from '../lib/fixed.ts';
import { TestClock } from '../lib/test-clock.ts';
import type { StoredEventRecord } from '../ports/store.ts';
import { replayOrders, replayPositions } from './event-replay.ts';
import { ExecutionService } from './execution-service.ts';
import { MarketState } from './market-state.ts';
import { OrderTracker } from './order-tracker.ts';

const f = parseFixed;
const INSTRUMENTS = new Map<string, Instrument>(
  ['BTCUSDT', 'ETHUSDT'].map((symbol) => [
    symbol,
    {
      symbol,
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
    } as Instrument,
  ]),
);

/** The real execution path (risk gate, tracker, paper venue) on a SQLite file, as in execution-service.test.ts. */
function setup(path: string, rejectClientOrderIds: ReadonlySet<string> = new Set()) {
  const clock = new TestClock();
  const store = SqliteStore.open({ path, clock });
  const market = new MarketState();
  const tracker = new OrderTracker({ clock, store });
  const paper = new PaperExecutionClient({
    clock,
    store,
    market,
    options: {
      initialBalance: f('100000'),
      makerFee: f('0.0002'),
      takerFee: f('0.0005'),
      slippageBps: 2,
      tickSize: () => f('0.10'),
    },
  });
  paper.onUserEvent((event) => tracker.applyUserEvent(event));
  let n = 0;
  const execution = new ExecutionService({
    clock,
    store,
    tracker,
    venue: {
      placeOrder: async (request) => {
        if (rejectClientOrderIds.has(request.clientOrderId))
          throw new ExchangeError('EXCHANGE_REJECTED', 'Margin is insufficient.', { venueCode: -2019 });
        return paper.placeOrder(request);
      },
      placeOrders: paper.placeOrders.bind(paper),
      getOrder: paper.getOrder.bind(paper),
      getOpenOrders: paper.getOpenOrders.bind(paper),
      cancelOrder: paper.cancelOrder.bind(paper),
      cancelAllOpenOrders: paper.cancelAllOpenOrders.bind(paper),
    },
    ids: { newClientOrderId: () => `replay-${++n}` },
    riskContext: (symbol) => ({
      tradingState: 'ACTIVE',
      instrument: INSTRUMENTS.get(symbol),
      referencePrice: market.referencePrice(symbol),
      equity: f('100000'),
      position: tracker.position(symbol),
      activeOrders: tracker.active(),
      limits: { maxPositionFraction: f('0.05'), maxOpenOrders: 5 },
    }),
  });
  const quote = (symbol: string, bid: string, ask: string) => {
    clock.advance(100);
    market.apply({
      kind: 'bookTicker',
      symbol,
      updateId: clock.now(),
      eventTime: clock.now(),
      receivedAt: clock.now(),
      bidPrice: f(bid),
      bidQty: f('5'),
      askPrice: f(ask),
      askQty: f('5'),
    });
    paper.onMarket(symbol);
  };
  return { clock, store, tracker, execution, quote };
}

const intent = (symbol: string, side: 'BUY' | 'SELL', quantity: string, extra: Partial<OrderIntent> = {}) =>
  ({
    symbol,
    side,
    type: 'MARKET',
    quantity: f(quantity),
    reduceOnly: false,
    purpose: 'replay-test',
    ...extra,
  }) as OrderIntent;

describe('event log replay', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'yunmin-replay-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('real orders through execution and a SQLite file → replayed positions and order states equal the store exactly', async () => {
    const path = join(dir, 'state.sqlite');
    const ctx = setup(path, new Set(['replay-9']));
    ctx.quote('BTCUSDT', '100000.0', '100000.1');
    ctx.quote('ETHUSDT', '3500.0', '3500.1');
    const prices: [string, string][] = [
      ['100010.0', '100010.1'],
      ['99990.3', '99990.4'],
      ['100123.7', '100123.8'],
    ];
    // Opens, adds at another price, crosses through zero, reduces: average entry and realized PnL
    // both move, so an off-by-one-unit rounding in the replay would show.
    await ctx.execution.submit(intent('BTCUSDT', 'BUY', '0.013')); // replay-1
    ctx.quote('BTCUSDT', ...(prices[0] as [string, string]));
    await ctx.execution.submit(intent('BTCUSDT', 'BUY', '0.007')); // replay-2
    ctx.quote('BTCUSDT', ...(prices[1] as [string, string]));
    await ctx.execution.submit(intent('BTCUSDT', 'SELL', '0.031')); // replay-3: long 0.02 → short 0.011
    ctx.quote('BTCUSDT', ...(prices[2] as [string, string]));
    await ctx.execution.submit(intent('BTCUSDT', 'BUY', '0.004', { reduceOnly: true })); // replay-4
    await ctx.execution.submit(intent('ETHUSDT', 'SELL', '0.333')); // replay-5
    // A resting LIMIT that the book later crosses (maker fill through onMarket) …
    await ctx.execution.submit(
      intent('ETHUSDT', 'BUY', '0.111', { type: 'LIMIT', price: f('3490.0'), timeInForce: 'GTC' }),
    ); // replay-6
    ctx.quote('ETHUSDT', '3489.5', '3489.9');
    // … one that is cancelled, one that expires (IOC away from the book), one the venue rejects.
    await ctx.execution.submit(
      intent('ETHUSDT', 'BUY', '0.2', { type: 'LIMIT', price: f('3400.0'), timeInForce: 'GTC' }),
    ); // replay-7
    await ctx.execution.cancel('replay-7');
    await ctx.execution.submit(
      intent('ETHUSDT', 'BUY', '0.2', { type: 'LIMIT', price: f('3400.0'), timeInForce: 'IOC' }),
    ); // replay-8
    await ctx.execution.submit(intent('BTCUSDT', 'SELL', '0.001')); // replay-9: rejected by the venue
    // A denial never becomes an order: it must not appear among the replayed orders.
    expect((await ctx.execution.submit(intent('BTCUSDT', 'BUY', '5'))).status).toBe('denied');
    const resting = await ctx.execution.submit(
      intent('BTCUSDT', 'SELL', '0.001', { type: 'LIMIT', price: f('120000.0'), timeInForce: 'GTC' }),
    ); // replay-10: still open at the end
    expect(resting.status).toBe('sent');
    ctx.store.close();

    // Replay from the file as a later process would see it.
    const reopened = SqliteStore.open({ path, clock: new TestClock() });
    try {
      const events = reopened.events();
      const positions = replayPositions(events);
      expect(new Map(reopened.positions().map((p) => [p.symbol, p]))).toEqual(positions);
      expect(positions.get('BTCUSDT')?.amount).toBe(f('-0.007'));
      expect(positions.get('BTCUSDT')?.realizedPnl).not.toBe(0n);
      expect(positions.get('ETHUSDT')?.amount).toBe(f('-0.222'));

      const orders = replayOrders(events);
      const states = Object.fromEntries([...orders.values()].map((o) => [o.clientOrderId, o.state]));
      const stored = Object.fromEntries(reopened.recentOrders(100).map((order) => [order.clientOrderId, order.state]));
      expect(states).toEqual(stored);
      expect(states).toMatchObject({
        'replay-1': 'FILLED',
        'replay-6': 'FILLED',
        'replay-7': 'CANCELED',
        'replay-8': 'EXPIRED',
        'replay-9': 'REJECTED',
        'replay-10': 'OPEN',
      });
      expect(orders.get('replay-1')).toMatchObject({ purpose: 'replay-test', createdAt: expect.any(Number) });
    } finally {
      reopened.close();
    }
  });

  it('replaying the log twice, or a prefix then the whole → the same result (a projection, not a side effect)', async () => {
    const ctx = setup(':memory:');
    ctx.quote('BTCUSDT', '100000.0', '100000.1');
    await ctx.execution.submit(intent('BTCUSDT', 'BUY', '0.005'));
    const events = ctx.store.events();
    expect(replayPositions(events)).toEqual(replayPositions(events));
    const prefix = events.filter((event) => event.type !== 'FillRecorded');
    expect(replayPositions(prefix).size).toBe(0);
    expect(replayPositions(events).get('BTCUSDT')?.amount).toBe(f('0.005'));
    ctx.store.close();
  });

  it('PositionAdopted → the adopted amount, entry price and realized PnL, exactly as adopted', async () => {
    const ctx = setup(':memory:');
    ctx.quote('BTCUSDT', '100000.0', '100000.1');
    await ctx.execution.submit(intent('BTCUSDT', 'BUY', '0.005'));
    ctx.quote('BTCUSDT', '100100.0', '100100.1');
    await ctx.execution.submit(intent('BTCUSDT', 'SELL', '0.002'));
    const before = ctx.tracker.position('BTCUSDT');
    ctx.tracker.adoptPosition(
      { symbol: 'BTCUSDT', amount: f('0.010'), entryPrice: f('99000'), realizedPnl: before.realizedPnl },
      'test',
    );
    const replayed = replayPositions(ctx.store.events()).get('BTCUSDT');
    expect(replayed).toEqual({
      symbol: 'BTCUSDT',
      amount: f('0.010'),
      entryPrice: f('99000'),
      realizedPnl: before.realizedPnl,
    });
    expect(replayed).toEqual(ctx.tracker.position('BTCUSDT'));
    ctx.store.close();
  });

  it('a malformed event → REPLAY_INVALID_EVENT naming its sequence number and field, never a guess', () => {
    const fill = (payload: Record<string, unknown>): StoredEventRecord => ({
      seq: 7,
      type: 'FillRecorded',
      at: 0,
      payload: { symbol: 'BTCUSDT', tradeId: 1, side: 'BUY', qty: 100_000n, price: f('100') as Fixed, ...payload },
    });
    expect(() => replayPositions([fill({ qty: '0.001' })])).toThrow(
      expect.objectContaining({
        code: 'REPLAY_INVALID_EVENT',
        message: expect.stringContaining('event 7 (FillRecorded): qty'),
      }),
    );
    expect(() => replayPositions([fill({ side: 'LONG' })])).toThrow(
      expect.objectContaining({ code: 'REPLAY_INVALID_EVENT' }),
    );
    expect(() =>
      replayOrders([{ seq: 3, type: 'OrderStateChanged', at: 0, payload: { clientOrderId: 'x', to: 'DONE' } }]),
    ).toThrow(expect.objectContaining({ code: 'REPLAY_INVALID_EVENT', message: expect.stringContaining('event 3') }));
  });
});
