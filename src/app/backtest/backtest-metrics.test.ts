import { describe, expect, it } from 'vitest';
import { formatFixedTrimmed, parseFixed } from '../../lib/fixed.ts';
import { closedTrades, computeMetrics } from './backtest-metrics.ts';
import type { BacktestFill, BacktestResult } from './backtest-runner.ts';

const f = parseFixed;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 9, 1);

function fill(at: number, side: 'BUY' | 'SELL', qty: string, realizedPnl = '0', commission = '1'): BacktestFill {
  return {
    at,
    symbol: 'BTCUSDT',
    side,
    price: f('100'),
    qty: f(qty),
    commission: f(commission),
    realizedPnl: f(realizedPnl),
    clientOrderId: `c${at}`,
  };
}

function result(fields: Partial<BacktestResult>): BacktestResult {
  return {
    symbol: 'BTCUSDT',
    from: T0,
    to: T0 + 2 * DAY,
    events: 0,
    initialEquity: f('1000'),
    orders: [],
    fills: [],
    equity: [],
    funding: [],
    incidents: [],
    alerts: [],
    maxDailyDd: 0.02,
    ...fields,
  };
}

describe('closedTrades', () => {
  it('open, add, close; then a flip → one trade per round trip, PnL net of every commission', () => {
    const trades = closedTrades([
      fill(1, 'BUY', '1'),
      fill(2, 'BUY', '1'),
      fill(3, 'SELL', '2', '10'),
      fill(4, 'SELL', '1'),
      fill(5, 'BUY', '2', '-4'),
      fill(6, 'SELL', '1', '3'),
    ]);
    expect(trades.map((t) => [t.side, t.openedAt, t.closedAt, formatFixedTrimmed(t.pnl)])).toEqual([
      ['LONG', 1, 3, '7'],
      ['SHORT', 4, 5, '-6'],
      ['LONG', 5, 6, '2'],
    ]);
  });
});

describe('computeMetrics', () => {
  it('equity path → net PnL, max drawdown from the running peak, daily drawdown against the day’s first equity, breaches', () => {
    const metrics = computeMetrics(
      result({
        equity: [
          { at: T0, equity: f('1000') },
          { at: T0 + 1000, equity: f('1100') },
          { at: T0 + 2000, equity: f('990') },
          { at: T0 + DAY, equity: f('1000') },
          { at: T0 + DAY + 1000, equity: f('985') },
        ],
        fills: [fill(1, 'BUY', '1', '0', '0.5'), fill(2, 'SELL', '1', '-8', '0.5')],
        funding: [{ at: T0 + 1, symbol: 'BTCUSDT', amount: f('-0.25') }],
      }),
    );
    expect(formatFixedTrimmed(metrics.netPnl)).toBe('-15');
    expect(formatFixedTrimmed(metrics.fees)).toBe('1');
    expect(formatFixedTrimmed(metrics.funding)).toBe('-0.25');
    expect(formatFixedTrimmed(metrics.maxDrawdown)).toBe('115');
    expect(formatFixedTrimmed(metrics.maxDrawdownFraction)).toBe('0.10454545');
    expect(metrics.daily.map((d) => [d.day, formatFixedTrimmed(d.drawdown), d.breached])).toEqual([
      ['2025-10-01', '0.01', false],
      ['2025-10-02', '0.015', false],
    ]);
    expect(metrics.worstDaily?.day).toBe('2025-10-02');
    expect(metrics.trades).toHaveLength(1);
    expect(metrics.winRate).toBe(0);
    expect(metrics.profitFactor).toBe(0);
    // Daily returns from the opening equity and each day's close: 1000 → 990 → 985.
    // (Returns are exact decimals to 8 places, hence 2 digits of agreement with the float formula.)
    const [r1, r2] = [-10 / 1000, -5 / 990];
    const mean = (r1 + r2) / 2;
    const sd = Math.sqrt((r1 - mean) ** 2 + (r2 - mean) ** 2);
    expect(metrics.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(365), 2);
  });

  it('a day past risk_manager.max_daily_dd → a breach counted; no losing trade → profit factor n/a', () => {
    const metrics = computeMetrics(
      result({
        maxDailyDd: 0.02,
        equity: [
          { at: T0, equity: f('1000') },
          { at: T0 + 5000, equity: f('979.99') },
        ],
        fills: [fill(1, 'BUY', '1', '0', '0'), fill(2, 'SELL', '1', '5', '0')],
      }),
    );
    expect(metrics.limitBreaches).toBe(1);
    expect(metrics.winRate).toBe(1);
    expect(metrics.profitFactor).toBeUndefined();
    expect(metrics.sharpe).toBeUndefined();
  });
});
