import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../adapters/sqlite-store/sqlite-store.ts';
import type { PositionReport } from '../../domain/account.ts';
import { ExchangeError } from '../../domain/exchange-error.ts';
import { formatFixedTrimmed, parseFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { OrderTracker } from '../order-tracker.ts';
import { ReconciliationDetector } from './reconciliation-detector.ts';
import { incidentHarness } from './trading-detector-test-kit.ts';

const f = parseFixed;

function setup() {
  const clock = new TestClock();
  const store = SqliteStore.open({ path: ':memory:', clock });
  const tracker = new OrderTracker({ clock, store });
  const harness = incidentHarness(clock);
  let exchange: Record<string, string> = {};
  let failing = false;
  let requests = 0;
  const rest = {
    getPositions: async (): Promise<readonly PositionReport[]> => {
      requests += 1;
      if (failing) throw new ExchangeError('EXCHANGE_UNAVAILABLE', '503 Service Unavailable');
      return Object.entries(exchange).map(([symbol, amount]) => ({
        symbol,
        amount: f(amount),
        entryPrice: f('100000'),
        markPrice: f('100000'),
        unrealizedPnl: 0n,
        notional: 0n,
        updateTime: clock.now(),
      }));
    },
  };
  const detector = new ReconciliationDetector({
    tracker,
    rest,
    logger: harness.logger,
    thresholds: { syncIntervalMs: 5_000, adoptBelowPct: 0.1, haltAbovePct: 1 },
    clock,
    incidents: harness.incidents,
    control: harness.control,
  });
  return {
    clock,
    store,
    tracker,
    detector,
    incidents: harness.incidents,
    incidentStore: harness.store,
    logger: harness.logger,
    control: harness.control,
    local: (symbol: string, amount: string) =>
      tracker.adoptPosition({ symbol, amount: f(amount), entryPrice: f('100000'), realizedPnl: 0n }, 'test'),
    exchange: (positions: Record<string, string>) => {
      exchange = positions;
    },
    fail: (value: boolean) => {
      failing = value;
    },
    requests: () => requests,
    /** One round. */
    firstOutcome: async (symbol = 'BTCUSDT') =>
      (await detector.reconcileNow('test')).symbols.find((result) => result.symbol === symbol)?.outcome,
    /** A difference is acted on when seen in two consecutive rounds: run the second when the first deferred. */
    outcome: async (symbol = 'BTCUSDT') => {
      const round = async () =>
        (await detector.reconcileNow('test')).symbols.find((result) => result.symbol === symbol)?.outcome;
      const first = await round();
      if (first !== 'deferred') return first;
      clock.advance(5_000);
      return round();
    },
    amount: (symbol = 'BTCUSDT') => formatFixedTrimmed(tracker.position(symbol).amount),
  };
}

describe('reconciliation detector (§6)', () => {
  it('local equals exchange → match, nothing adopted, no incident', async () => {
    const ctx = setup();
    ctx.local('BTCUSDT', '0.010');
    ctx.exchange({ BTCUSDT: '0.010' });
    expect(await ctx.outcome()).toBe('match');
    expect(ctx.incidentStore.listIncidents()).toEqual([]);
    expect(ctx.store.events().filter((event) => event.type === 'PositionAdopted')).toHaveLength(1); // the test's own
  });

  it('difference just below adopt_below_pct (0.09 %) → exchange adopted with an INFO log, no incident', async () => {
    const ctx = setup();
    ctx.local('BTCUSDT', '1.000');
    ctx.exchange({ BTCUSDT: '0.9991' });
    expect(await ctx.outcome()).toBe('adopted');
    expect(ctx.amount()).toBe('0.9991');
    expect(ctx.incidentStore.listIncidents()).toEqual([]);
    expect(ctx.logger.lines).toContain('INFO | Position adopted: BTCUSDT local 1.0000 exchange 0.9991 (0.090%)');
  });

  it('exactly adopt_below_pct (0.1 %) → adopted, WARN POSITION_MISMATCH opened and resolved', async () => {
    const ctx = setup();
    ctx.local('BTCUSDT', '1.000');
    ctx.exchange({ BTCUSDT: '0.999' });
    expect(await ctx.outcome()).toBe('adopted-warn');
    expect(ctx.amount()).toBe('0.999');
    const [incident] = ctx.incidentStore.ofType('POSITION_MISMATCH');
    expect(incident).toMatchObject({
      severity: 'WARN',
      symbol: 'BTCUSDT',
      summary: 'Position mismatch: BTCUSDT local 1.000 exchange 0.999',
      status: 'RESOLVED',
    });
    expect(incident?.actions.map((a) => `${a.action}:${a.result}`)).toEqual(['adopt exchange position:ok']);
    expect(ctx.control.calls).toEqual([]);
  });

  it('exactly halt_above_pct (1 %) → still adopt + WARN; 1.1 % → CRIT, HALTED, not adopted', async () => {
    const ctx = setup();
    ctx.local('BTCUSDT', '1.000');
    ctx.exchange({ BTCUSDT: '0.990' });
    expect(await ctx.outcome()).toBe('adopted-warn');
    ctx.local('ETHUSDT', '1.000');
    ctx.exchange({ BTCUSDT: '0.990', ETHUSDT: '0.989' });
    expect(await ctx.outcome('ETHUSDT')).toBe('halted');
    expect(ctx.amount('ETHUSDT')).toBe('1');
    expect(ctx.control.calls).toEqual([
      {
        kind: 'escalate',
        state: 'HALTED',
        detector: 'reconciliation',
        reason: 'Position mismatch: ETHUSDT local 1.000 exchange 0.989 (1.100% > 1.000%)',
      },
    ]);
  });

  it('the playbook example: local 0.010, exchange 0.015 → CRIT with both amounts, contained by the halt; later rounds repeat nothing; resolved once an operator makes them equal', async () => {
    const ctx = setup();
    ctx.local('BTCUSDT', '0.010');
    ctx.exchange({ BTCUSDT: '0.015' });
    expect(await ctx.outcome()).toBe('halted');
    const [incident] = ctx.incidentStore.ofType('POSITION_MISMATCH');
    expect(incident).toMatchObject({
      severity: 'CRIT',
      summary: 'Position mismatch: BTCUSDT local 0.010 exchange 0.015',
      status: 'CONTAINED',
      firstEvidenceAt: ctx.clock.now(),
    });
    expect(ctx.logger.lines).toContain(
      `CRIT | Position mismatch: BTCUSDT local 0.010 exchange 0.015 [${incident?.id}]`,
    );
    expect(ctx.amount()).toBe('0.01');
    expect(await ctx.outcome()).toBe('still-halted');
    expect(await ctx.outcome()).toBe('still-halted');
    expect(ctx.control.count('escalate')).toBe(1);

    ctx.local('BTCUSDT', '0.015'); // `yunmin reconcile --adopt-exchange`
    expect(await ctx.outcome()).toBe('match');
    expect(ctx.incidentStore.ofType('POSITION_MISMATCH')[0]?.status).toBe('RESOLVED');
  });

  it('sign flip (local long, exchange short) → CRIT halt', async () => {
    const ctx = setup();
    ctx.local('BTCUSDT', '0.010');
    ctx.exchange({ BTCUSDT: '-0.010' });
    expect(await ctx.outcome()).toBe('halted');
    expect(ctx.control.calls[0]).toMatchObject({ kind: 'escalate', state: 'HALTED' });
    expect(ctx.amount()).toBe('0.01');
  });

  it('one side flat: an external fill the engine never saw, or a position the exchange no longer has → CRIT halt both ways', async () => {
    const ctx = setup();
    ctx.exchange({ BTCUSDT: '0.010' });
    expect(await ctx.outcome()).toBe('halted');
    expect(ctx.incidentStore.ofType('POSITION_MISMATCH')[0]?.summary).toBe(
      'Position mismatch: BTCUSDT local 0.000 exchange 0.010',
    );
    ctx.local('ETHUSDT', '0.500');
    expect(await ctx.outcome('ETHUSDT')).toBe('halted');
    expect(ctx.control.count('escalate')).toBe(2);
  });

  it('an order in flight on the symbol (SUBMITTED, UNKNOWN, PENDING_CANCEL) → skipped this round, nothing adopted or halted', async () => {
    const ctx = setup();
    ctx.local('BTCUSDT', '0.010');
    ctx.exchange({ BTCUSDT: '0.013' });
    ctx.tracker.create(
      { clientOrderId: 'x-1', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: f('0.003'), reduceOnly: false },
      'test',
    );
    ctx.tracker.transition('x-1', 'send');
    expect(await ctx.outcome()).toBe('skipped');
    ctx.tracker.transition('x-1', 'outcomeUnknown');
    expect(await ctx.outcome()).toBe('skipped');
    expect(ctx.control.calls).toEqual([]);
    expect(ctx.amount()).toBe('0.01');
    ctx.tracker.transition('x-1', 'notFound'); // never placed: the difference is real
    expect(await ctx.outcome()).toBe('halted');
  });

  it('a difference a resting order could explain (its fill racing the event) → deferred once, acted on if it persists', async () => {
    const ctx = setup();
    ctx.local('BTCUSDT', '0.010');
    ctx.exchange({ BTCUSDT: '0.012' });
    ctx.tracker.create(
      {
        clientOrderId: 'x-1',
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: f('0.005'),
        price: f('99000'),
        timeInForce: 'GTC',
        reduceOnly: false,
      },
      'test',
    );
    ctx.tracker.transition('x-1', 'send');
    ctx.tracker.transition('x-1', 'accepted');
    expect(await ctx.firstOutcome()).toBe('deferred');
    ctx.clock.advance(5_000);
    expect(await ctx.firstOutcome()).toBe('halted');
  });

  it('any difference (no order could explain it) → deferred once, acted on only when the next round sees the same', async () => {
    const ctx = setup();
    ctx.local('BTCUSDT', '0.010');
    ctx.exchange({ BTCUSDT: '0.015' });
    expect(await ctx.firstOutcome()).toBe('deferred');
    expect(ctx.control.calls).toEqual([]);
    // The fill in transit lands: the next round matches, nothing was ever adopted or halted.
    ctx.local('BTCUSDT', '0.015');
    expect(await ctx.firstOutcome()).toBe('match');
    expect(ctx.control.calls).toEqual([]);
    ctx.exchange({ BTCUSDT: '0.020' });
    expect(await ctx.firstOutcome()).toBe('deferred');
    // A second round moments later (a reconnect's) does not count: the difference must last a sync interval.
    ctx.clock.advance(100);
    expect(await ctx.firstOutcome()).toBe('deferred');
    ctx.clock.advance(4_900);
    expect(await ctx.firstOutcome()).toBe('halted');
  });

  it('every sync_interval_s → one round; on demand in between; exchange unreachable → skipped with a WARN', async () => {
    const ctx = setup();
    ctx.exchange({});
    const tick = async (ms: number) => {
      ctx.clock.advance(ms);
      ctx.detector.evaluate();
      await ctx.detector.whenIdle();
    };
    await tick(0);
    expect(ctx.requests()).toBe(1);
    await tick(4_999);
    expect(ctx.requests()).toBe(1);
    await tick(1);
    expect(ctx.requests()).toBe(2);
    const report = await ctx.detector.reconcileNow('after reconnect');
    expect(report.reason).toBe('after reconnect');
    expect(ctx.requests()).toBe(3);
    ctx.fail(true);
    const failed = await ctx.detector.reconcileNow('after reconnect');
    expect(failed.error).toContain('503');
    expect(ctx.logger.lines.some((line) => line.startsWith('WARN | Reconciliation skipped (after reconnect)'))).toBe(
      true,
    );
    expect(ctx.control.calls).toEqual([]);
  });
});
