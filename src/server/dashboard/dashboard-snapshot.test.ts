import { describe, expect, it } from 'vitest';
import type { Incident } from '../../domain/incident.ts';
import type { TrackedOrder } from '../../domain/tracked-order.ts';
import { parseFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import type { StreamHealth } from '../../ports/exchange-streams.ts';
import { buildDashboardSnapshot, type DashboardLimits, type DashboardReadings } from './dashboard-snapshot.ts';
import type { EquityPoint } from './equity-history.ts';

const LIMITS: DashboardLimits = {
  maxOrderAgeMs: 300_000,
  maxDailyDrawdown: parseFixed('0.02'),
  staleWarnMs: 30_000,
  maxChartPoints: 100,
};

function stream(overrides: Partial<StreamHealth> = {}): StreamHealth {
  return {
    stream: 'btcusdt@bookTicker',
    connection: 'market',
    state: 'open',
    receiveAgeMs: 400,
    reconnects: 0,
    lastMessageAt: undefined,
    ...overrides,
  };
}

function order(clock: TestClock, ageMs: number, id: string): TrackedOrder {
  return {
    clientOrderId: id,
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: parseFixed('0.010'),
    price: parseFixed('43000.10'),
    reduceOnly: false,
    state: 'OPEN',
    executedQty: 0n,
    purpose: 'strategy',
    createdAt: clock.now() - ageMs,
    updatedAt: clock.now() - ageMs,
  };
}

function incident(id: string, detectedAt: number, overrides: Partial<Incident> = {}): Incident {
  return {
    id,
    type: 'WS_STALE',
    severity: 'CRIT',
    summary: `summary ${id}`,
    firstEvidenceAt: detectedAt - 1000,
    firstEvidence: 'last message',
    detectedAt,
    actions: [],
    status: 'OPEN',
    acknowledgements: [],
    ...overrides,
  };
}

function readings(clock: TestClock, overrides: Partial<DashboardReadings> = {}): DashboardReadings {
  return {
    now: clock.now(),
    startedAt: clock.now() - 65_000,
    status: {
      mode: 'LIVE',
      running: true,
      tradingState: 'ACTIVE',
      killSwitch: 'ARMED',
      equity: parseFixed('10000.5'),
      drawdown: undefined,
      positions: [],
    },
    referencePrice: () => undefined,
    streams: [stream()],
    reconnectsToday: new Map(),
    latency: undefined,
    orders: [],
    incidents: [],
    history: [],
    ...overrides,
  };
}

describe('buildDashboardSnapshot', () => {
  it('healthy engine → ok, state and kill switch as read, equity as a 2-decimal string, uptime in seconds', () => {
    const clock = new TestClock();
    const snapshot = buildDashboardSnapshot(readings(clock), LIMITS);
    expect(snapshot).toMatchObject({
      at: clock.now(),
      health: 'ok',
      mode: 'LIVE',
      trading_state: 'ACTIVE',
      kill_switch: 'ARMED',
      equity: '10000.50',
      uptime_s: 65,
      drawdown: null,
      latency: null,
    });
  });

  it('kill switch TRIPPED → halted; a stream not open → degraded', () => {
    const clock = new TestClock();
    const base = readings(clock);
    expect(
      buildDashboardSnapshot(
        { ...base, status: { ...base.status, killSwitch: 'TRIPPED', tradingState: 'HALTED' } },
        LIMITS,
      ).health,
    ).toBe('halted');
    expect(buildDashboardSnapshot({ ...base, streams: [stream({ state: 'reconnecting' })] }, LIMITS).health).toBe(
      'degraded',
    );
  });

  it('long and short positions → unrealized PnL from the reference price with the right sign; flat ones hidden', () => {
    const clock = new TestClock();
    const base = readings(clock);
    const marks: Record<string, string> = { BTCUSDT: '43100', ETHUSDT: '2300.12345678' };
    const snapshot = buildDashboardSnapshot(
      {
        ...base,
        status: {
          ...base.status,
          positions: [
            {
              symbol: 'BTCUSDT',
              amount: parseFixed('0.5'),
              entryPrice: parseFixed('43000'),
              realizedPnl: parseFixed('-1.5'),
            },
            { symbol: 'ETHUSDT', amount: parseFixed('-2'), entryPrice: parseFixed('2250'), realizedPnl: 0n },
            { symbol: 'SOLUSDT', amount: 0n, entryPrice: 0n, realizedPnl: parseFixed('3') },
            { symbol: 'XRPUSDT', amount: parseFixed('10'), entryPrice: parseFixed('0.5'), realizedPnl: 0n },
          ],
        },
        referencePrice: (symbol) => (marks[symbol] === undefined ? undefined : parseFixed(marks[symbol])),
      },
      LIMITS,
    );
    expect(snapshot.positions).toEqual([
      {
        symbol: 'BTCUSDT',
        amount: '0.5',
        entry_price: '43000.00',
        mark_price: '43100.00',
        unrealized_pnl: '50.00', // (43100 − 43000.004) × 0.5 = 49.998, shown to the cent
        realized_pnl: '-1.50',
      },
      {
        symbol: 'ETHUSDT',
        amount: '-2',
        entry_price: '2250.00',
        mark_price: '2300.12',
        unrealized_pnl: '-100.25', // (2300.12345678 − 2250) × −2, a short losing as the mark rises
        realized_pnl: '0.00',
      },
      {
        symbol: 'XRPUSDT',
        amount: '10',
        entry_price: '0.500000',
        mark_price: null,
        unrealized_pnl: null,
        realized_pnl: '0.00',
      },
    ]);
  });

  it('order age at max_order_age_s → stuck; one millisecond younger → not stuck; oldest first', () => {
    const clock = new TestClock();
    const snapshot = buildDashboardSnapshot(
      readings(clock, { orders: [order(clock, 299_999, 'young'), order(clock, 300_000, 'old')] }),
      LIMITS,
    );
    expect(snapshot.orders.map((o) => [o.client_order_id, o.age_s, o.stuck])).toEqual([
      ['old', 300, true],
      ['young', 299, false],
    ]);
    expect(snapshot.orders[0]).toMatchObject({ quantity: '0.01', price: '43000.1', executed_qty: '0', state: 'OPEN' });
    expect(snapshot.max_order_age_s).toBe(300);
  });

  it('drawdown 1.5 % of a 2 % limit → percent strings, 0.75 of the limit used, breach as the engine read it', () => {
    const clock = new TestClock();
    const base = readings(clock);
    const drawdown = {
      day: '2026-01-01',
      baseline: parseFixed('10000'),
      drawdown: parseFixed('0.015'),
      breached: false,
    };
    const snapshot = buildDashboardSnapshot({ ...base, status: { ...base.status, drawdown } }, LIMITS);
    expect(snapshot.drawdown).toEqual({
      day: '2026-01-01',
      baseline: '10000.00',
      pct: '1.50',
      limit_pct: '2.00',
      used_of_limit: 0.75,
      breached: false,
    });
    const breached = buildDashboardSnapshot(
      { ...base, status: { ...base.status, drawdown: { ...drawdown, drawdown: parseFixed('0.021'), breached: true } } },
      LIMITS,
    );
    expect(breached.drawdown).toMatchObject({ pct: '2.10', used_of_limit: 1.05, breached: true });
  });

  it('streams → receive age in seconds, stale from websocket.stale_warn_s, reconnects today from the day counter', () => {
    const clock = new TestClock();
    const snapshot = buildDashboardSnapshot(
      readings(clock, {
        streams: [
          stream({ receiveAgeMs: 29_999, reconnects: 5 }),
          stream({ stream: 'userData', connection: 'user', receiveAgeMs: 30_000 }),
          stream({ stream: 'ethusdt@bookTicker', receiveAgeMs: undefined }),
        ],
        reconnectsToday: new Map([['btcusdt@bookTicker', 2]]),
      }),
      LIMITS,
    );
    expect(snapshot.streams.map((s) => [s.stream, s.receive_age_s, s.stale, s.reconnects_today])).toEqual([
      ['btcusdt@bookTicker', 30, false, 2],
      ['userData', 30, true, 0],
      ['ethusdt@bookTicker', null, false, 0],
    ]);
    expect(snapshot.stale_warn_s).toBe(30);
  });

  it('latency → p95 rounded to ms with its sample count', () => {
    const clock = new TestClock();
    const summary = (p95Ms: number, count: number) => ({ count, p50Ms: 1, p95Ms, p99Ms: p95Ms, maxMs: p95Ms });
    const snapshot = buildDashboardSnapshot(
      readings(clock, { latency: { rest: summary(123.6, 40), ws: summary(8.2, 900) } }),
      LIMITS,
    );
    expect(snapshot.latency).toEqual({ rest: { p95_ms: 124, count: 40 }, ws: { p95_ms: 8, count: 900 } });
  });

  it('incidents in any order → newest first, with acknowledgements by/at and the last action', () => {
    const clock = new TestClock();
    const t = clock.now();
    const snapshot = buildDashboardSnapshot(
      readings(clock, {
        incidents: [
          incident('INC-1', t - 60_000, {
            status: 'RESOLVED',
            resolvedAt: t - 30_000,
            acknowledgements: [{ by: 'alice', at: t - 50_000 }],
          }),
          incident('INC-2', t - 10_000, {
            symbol: 'BTCUSDT',
            actions: [
              { at: t - 9_000, action: 'hold new orders', result: 'ok' },
              { at: t - 8_000, action: 'trip kill switch', result: 'started' },
            ],
          }),
        ],
      }),
      LIMITS,
    );
    expect(snapshot.incidents.map((i) => i.id)).toEqual(['INC-2', 'INC-1']);
    expect(snapshot.incidents[0]).toMatchObject({
      symbol: 'BTCUSDT',
      status: 'OPEN',
      last_action: 'trip kill switch: started',
      acknowledgements: [],
      contained_at: null,
    });
    expect(snapshot.incidents[1]).toMatchObject({
      symbol: null,
      status: 'RESOLVED',
      resolved_at: t - 30_000,
      acknowledgements: [{ by: 'alice', at: t - 50_000 }],
      last_action: null,
    });
  });

  it('history longer than maxChartPoints → thinned evenly to at most that many, newest kept; drawdown as %', () => {
    const clock = new TestClock();
    const history: EquityPoint[] = Array.from({ length: 250 }, (_, i) => ({
      at: clock.now() + i * 2000,
      equity: parseFixed(String(10_000 + i)),
      drawdown: i === 0 ? undefined : parseFixed('0.0125'),
    }));
    const snapshot = buildDashboardSnapshot(readings(clock, { history }), LIMITS);
    expect(snapshot.history.t.length).toBeLessThanOrEqual(100);
    expect(snapshot.history.t.length).toBeGreaterThan(50);
    expect(snapshot.history.equity.at(-1)).toBe(10_249);
    expect(snapshot.history.t.at(-1)).toBe(Math.round((clock.now() + 249 * 2000) / 1000));
    expect(snapshot.history.drawdown_pct.at(-1)).toBeCloseTo(1.25, 10);
    const short = buildDashboardSnapshot(readings(clock, { history: history.slice(0, 3) }), LIMITS);
    expect(short.history).toEqual({
      t: history.slice(0, 3).map((p) => Math.round(p.at / 1000)),
      equity: [10_000, 10_001, 10_002],
      drawdown_pct: [null, 1.25, 1.25],
    });
  });
});
