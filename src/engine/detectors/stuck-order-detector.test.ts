import { describe, expect, it } from 'vitest';
import { PaperExecutionClient } from '../../adapters/paper/paper-execution-client.ts';
import { SqliteStore } from '../../adapters/sqlite-store/sqlite-store.ts';
import { ExchangeError } from '../../domain/exchange-error.ts';
import type { Instrument } from '../../domain/instrument.ts';
import type { OrderIntent } from '../../domain/order-intent.ts';
import { formatFixedTrimmed, parseFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import type { ExecutionVenue } from '../../ports/execution-venue.ts';
import { ExecutionService } from '../execution-service.ts';
import { MarketState } from '../market-state.ts';
import { OrderTracker } from '../order-tracker.ts';
import { StuckOrderDetector, type StuckOrderThresholds } from './stuck-order-detector.ts';
import { incidentHarness } from './trading-detector-test-kit.ts';

const f = parseFixed;
const MAX_AGE = 300_000;
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

type VenueWrap = (paper: PaperExecutionClient) => ExecutionVenue;

function setup(thresholds: Partial<StuckOrderThresholds> = {}, wrap: VenueWrap = (paper) => paper) {
  const clock = new TestClock();
  const store = SqliteStore.open({ path: ':memory:', clock });
  const market = new MarketState();
  const tracker = new OrderTracker({ clock, store });
  const paper = new PaperExecutionClient({
    clock,
    store,
    market,
    options: { initialBalance: f('10000'), makerFee: 0n, takerFee: 0n, slippageBps: 0, tickSize: () => BTC.tickSize },
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
      limits: { maxPositionFraction: f('0.2'), maxOpenOrders: 5 },
    }),
  });
  const harness = incidentHarness(clock);
  const detector = new StuckOrderDetector({
    tracker,
    execution,
    market,
    thresholds: { maxOrderAgeMs: MAX_AGE, cancelAndReissue: false, reissueMaxAttempts: 2, ...thresholds },
    clock,
    incidents: harness.incidents,
    control: harness.control,
  });
  const book = (bid: string, ask: string) => {
    market.apply({
      kind: 'bookTicker',
      symbol: 'BTCUSDT',
      updateId: 1,
      eventTime: clock.now(),
      receivedAt: clock.now(),
      bidPrice: f(bid),
      bidQty: f('1'),
      askPrice: f(ask),
      askQty: f('1'),
    });
    paper.onMarket('BTCUSDT');
  };
  book('100000.0', '100000.1');
  const tick = async (ms = 0) => {
    clock.advance(ms);
    detector.evaluate();
    await detector.whenIdle();
  };
  return {
    clock,
    store,
    market,
    tracker,
    paper,
    execution,
    detector,
    book,
    tick,
    incidents: harness.incidents,
    logger: harness.logger,
    control: harness.control,
    incidentStore: harness.store,
  };
}

const limit = (side: 'BUY' | 'SELL', quantity: string, price: string, reduceOnly = false): OrderIntent => ({
  symbol: 'BTCUSDT',
  side,
  type: 'LIMIT',
  quantity: f(quantity),
  price: f(price),
  timeInForce: 'GTC',
  reduceOnly,
  purpose: 'strategy:test',
});

const market = (side: 'BUY' | 'SELL', quantity: string): OrderIntent => ({
  symbol: 'BTCUSDT',
  side,
  type: 'MARKET',
  quantity: f(quantity),
  reduceOnly: false,
  purpose: 'strategy:test',
});

describe('stuck order detector (§4)', () => {
  it('LIMIT order at exactly max_order_age → nothing; 1 ms older → WARN STUCK_ORDER, first evidence at createdAt + max age, cancelled', async () => {
    const ctx = setup();
    await ctx.execution.submit(limit('BUY', '0.003', '99000'));
    const createdAt = ctx.clock.now();
    await ctx.tick(MAX_AGE);
    expect(ctx.store.getOrder('test-1')?.state).toBe('OPEN');
    expect(ctx.incidents.current('STUCK_ORDER', 'BTCUSDT')).toBeUndefined();

    await ctx.tick(1);
    const [incident] = ctx.incidentStore.ofType('STUCK_ORDER');
    expect(incident?.severity).toBe('WARN');
    expect(incident?.summary).toBe('Stuck order: test-1 BTCUSDT age 301s');
    expect(incident?.firstEvidenceAt).toBe(createdAt + MAX_AGE);
    expect(incident?.detectedAt).toBe(createdAt + MAX_AGE + 1);
    expect(ctx.store.getOrder('test-1')?.state).toBe('CANCELED');
    // Reissue off and nothing filled: no exposure was opened, so nothing is closed.
    expect(incident?.actions.map((a) => `${a.action}:${a.result}`)).toEqual([
      'cancel test-1:started',
      'cancel test-1:ok',
    ]);
    expect(incident?.status).toBe('RESOLVED');
    expect(ctx.logger.lines).toContain(`WARN | Stuck order: test-1 BTCUSDT age 301s [${incident?.id}]`);
  });

  it('cancel_and_reissue → the remaining quantity reissued at the best bid, same side and purpose + " reissue"; its fill resolves the incident', async () => {
    const ctx = setup({ cancelAndReissue: true });
    await ctx.execution.submit(limit('BUY', '0.003', '99000'));
    await ctx.tick(MAX_AGE + 1);
    const reissue = ctx.store.getOrder('test-2');
    expect(reissue).toMatchObject({ side: 'BUY', type: 'LIMIT', state: 'OPEN', purpose: 'strategy:test reissue' });
    expect(reissue?.price).toBe(f('100000.0'));
    expect(reissue?.quantity).toBe(f('0.003'));
    const incident = ctx.incidents.current('STUCK_ORDER', 'BTCUSDT');
    expect(incident?.status).toBe('CONTAINED');

    ctx.book('99999.9', '100000.0'); // the ask comes down to the reissue's price: it fills
    await ctx.tick(250);
    expect(ctx.store.getOrder('test-2')?.state).toBe('FILLED');
    expect(ctx.incidentStore.ofType('STUCK_ORDER')[0]?.status).toBe('RESOLVED');
    expect(formatFixedTrimmed(ctx.tracker.position('BTCUSDT').amount)).toBe('0.003');
  });

  it('stuck SELL → reissued at the best ask', async () => {
    const ctx = setup({ cancelAndReissue: true });
    await ctx.execution.submit(limit('SELL', '0.002', '101000'));
    await ctx.tick(MAX_AGE + 1);
    expect(ctx.store.getOrder('test-2')).toMatchObject({ side: 'SELL', price: f('100000.1'), quantity: f('0.002') });
  });

  it('reissues bounded by reissue_max_attempts; then the quantity the chain filled is closed with a reduce-only MARKET', async () => {
    const ctx = setup({ cancelAndReissue: true, reissueMaxAttempts: 2 });
    await ctx.execution.submit(market('BUY', '0.003')); // an earlier position the stuck order adds to
    await ctx.execution.submit(limit('BUY', '0.003', '99000'));
    // The venue fills 0.001 of it (a partial fill; the paper venue itself never splits orders).
    ctx.tracker.applyUserEvent({
      kind: 'orderUpdate',
      eventTime: ctx.clock.now(),
      receivedAt: ctx.clock.now(),
      symbol: 'BTCUSDT',
      orderId: 2,
      clientOrderId: 'test-2',
      side: 'BUY',
      orderType: 'LIMIT',
      executionType: 'TRADE',
      status: 'PARTIALLY_FILLED',
      rawStatus: 'PARTIALLY_FILLED',
      origQty: f('0.003'),
      price: f('99000'),
      avgPrice: f('99000'),
      cumulativeFilledQty: f('0.001'),
      reduceOnly: false,
      fill: {
        tradeId: 9001,
        qty: f('0.001'),
        price: f('99000'),
        commission: 0n,
        commissionAsset: 'USDT',
        realizedPnl: 0n,
        maker: true,
        time: ctx.clock.now(),
      },
    });
    expect(formatFixedTrimmed(ctx.tracker.position('BTCUSDT').amount)).toBe('0.004');

    await ctx.tick(MAX_AGE + 1); // test-2 stuck → cancel, reissue 0.002 as test-3
    expect(ctx.store.getOrder('test-3')?.quantity).toBe(f('0.002'));
    await ctx.tick(MAX_AGE); // test-3 is exactly max age: left alone
    expect(ctx.store.getOrder('test-3')?.state).toBe('OPEN');
    await ctx.tick(1); // test-3 stuck → cancel, reissue as test-4 (attempt 2 of 2)
    await ctx.tick(MAX_AGE + 1); // test-4 stuck → cancel, attempts exhausted → close the 0.001 filled
    for (const id of ['test-2', 'test-3', 'test-4']) expect(ctx.store.getOrder(id)?.state).toBe('CANCELED');
    const close = ctx.store.getOrder('test-5');
    expect(close).toMatchObject({ side: 'SELL', type: 'MARKET', reduceOnly: true, state: 'FILLED' });
    expect(close?.purpose).toBe('stuck-order close');
    expect(close?.quantity).toBe(f('0.001'));
    expect(ctx.store.getOrder('test-6')).toBeUndefined();
    expect(formatFixedTrimmed(ctx.tracker.position('BTCUSDT').amount)).toBe('0.003');

    const incidents = ctx.incidentStore.ofType('STUCK_ORDER');
    expect(incidents).toHaveLength(1);
    const actions = incidents[0]?.actions.map((a) => `${a.action}:${a.result}`) ?? [];
    expect(actions.filter((a) => a.startsWith('cancel') && a.endsWith(':ok'))).toHaveLength(3);
    expect(actions.filter((a) => a.startsWith('reissue attempt'))).toEqual([
      'reissue attempt 1 of 2:ok',
      'reissue attempt 2 of 2:ok',
    ]);
    expect(actions.at(-1)).toBe('close 0.001 BTCUSDT at market (SELL reduce-only):ok');
    expect(incidents[0]?.status).toBe('RESOLVED');
  });

  it('stuck reduce-only exit, reissue off → the exit is finished with a reduce-only MARKET on its own side', async () => {
    const ctx = setup();
    await ctx.execution.submit(market('BUY', '0.003'));
    await ctx.execution.submit(limit('SELL', '0.003', '101000', true));
    await ctx.tick(MAX_AGE + 1);
    expect(ctx.store.getOrder('test-3')).toMatchObject({
      side: 'SELL',
      type: 'MARKET',
      reduceOnly: true,
      state: 'FILLED',
    });
    expect(ctx.tracker.position('BTCUSDT').amount).toBe(0n);
  });

  it('reissue refused by the risk gate (trading HALTED) → falls through to the close; nothing filled → resolved', async () => {
    const ctx = setup({ cancelAndReissue: true });
    await ctx.execution.submit(limit('BUY', '0.003', '99000'));
    ctx.store.setTradingState({
      state: 'HALTED',
      changedAt: ctx.clock.now(),
      changedBy: 'automation:test',
      reason: 'test',
    });
    await ctx.tick(MAX_AGE + 1);
    const incident = ctx.incidentStore.ofType('STUCK_ORDER')[0];
    expect(incident?.actions.find((a) => a.action === 'reissue attempt 1 of 2')?.result).toBe('failed');
    expect(incident?.status).toBe('RESOLVED');
    expect(ctx.tracker.active()).toHaveLength(0);
  });

  it('evaluations while the cancel is in flight → exactly one cancel request', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let cancels = 0;
    const ctx = setup({}, (paper) => ({
      placeOrder: paper.placeOrder.bind(paper),
      placeOrders: paper.placeOrders.bind(paper),
      getOrder: paper.getOrder.bind(paper),
      getOpenOrders: paper.getOpenOrders.bind(paper),
      cancelAllOpenOrders: paper.cancelAllOpenOrders.bind(paper),
      cancelOrder: async (symbol, ref) => {
        cancels += 1;
        await gate;
        return paper.cancelOrder(symbol, ref);
      },
    }));
    await ctx.execution.submit(limit('BUY', '0.003', '99000'));
    ctx.clock.advance(MAX_AGE + 1);
    for (let i = 0; i < 5; i += 1) {
      ctx.detector.evaluate();
      ctx.clock.advance(250);
      await Promise.resolve();
    }
    expect(cancels).toBe(1);
    release();
    await ctx.detector.whenIdle();
    await ctx.tick(250);
    expect(cancels).toBe(1);
    expect(ctx.store.getOrder('test-1')?.state).toBe('CANCELED');
  });

  it('cancel outcome unknown and its query failing → left UNKNOWN to reconciliation, no second cancel; resolved CANCELED → the chain goes on', async () => {
    let cancels = 0;
    let queryDown = true;
    const ctx = setup({ cancelAndReissue: true }, (paper) => ({
      placeOrder: paper.placeOrder.bind(paper),
      placeOrders: paper.placeOrders.bind(paper),
      getOpenOrders: paper.getOpenOrders.bind(paper),
      cancelAllOpenOrders: paper.cancelAllOpenOrders.bind(paper),
      getOrder: async (symbol, ref) => {
        if (queryDown) throw new ExchangeError('EXCHANGE_UNAVAILABLE', '503 Service Unavailable');
        return paper.getOrder(symbol, ref);
      },
      cancelOrder: async (symbol, ref) => {
        cancels += 1;
        // It reached the venue, but neither its reply nor its user-stream event came back.
        paper.onUserEvent(() => undefined);
        await paper.cancelOrder(symbol, ref);
        paper.onUserEvent((event) => tracker().applyUserEvent(event));
        throw new ExchangeError('EXCHANGE_UNKNOWN_OUTCOME', '503 Unknown error');
      },
    }));
    const tracker = () => ctx.tracker;
    await ctx.execution.submit(limit('BUY', '0.003', '99000'));
    await ctx.tick(MAX_AGE + 1);
    expect(ctx.store.getOrder('test-1')?.state).toBe('UNKNOWN');
    await ctx.tick(10_000);
    await ctx.tick(10_000);
    expect(cancels).toBe(1);

    queryDown = false;
    await ctx.execution.resolveUnknown('test-1'); // what reconciliation does
    expect(ctx.store.getOrder('test-1')?.state).toBe('CANCELED');
    await ctx.tick(250);
    expect(ctx.store.getOrder('test-2')).toMatchObject({ purpose: 'strategy:test reissue', state: 'OPEN' });
    expect(cancels).toBe(1);
  });

  it('young LIMIT orders and MARKET orders → untouched', async () => {
    const ctx = setup({ cancelAndReissue: true });
    await ctx.execution.submit(market('BUY', '0.001'));
    await ctx.tick(MAX_AGE - 1_000);
    await ctx.execution.submit(limit('BUY', '0.001', '99000'));
    await ctx.tick(1_001);
    expect(ctx.store.getOrder('test-2')?.state).toBe('OPEN');
    expect(ctx.incidentStore.ofType('STUCK_ORDER')).toHaveLength(0);
  });
});
