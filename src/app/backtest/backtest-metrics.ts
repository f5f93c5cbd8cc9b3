import { absFixed, divFixed, type Fixed, fixedToFloat } from '../../lib/fixed.ts';
import type { BacktestFill, BacktestResult, EquityPoint } from './backtest-runner.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DailyDrawdown {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  /** The day's first equity (the engine's 00:00 UTC baseline). */
  readonly baseline: Fixed;
  readonly low: Fixed;
  /** (baseline − low) / baseline, a fraction. */
  readonly drawdown: Fixed;
  readonly breached: boolean;
}

/** A round trip: from flat (or a flip) until flat again (or the next flip). */
export interface ClosedTrade {
  readonly symbol: string;
  readonly openedAt: number;
  readonly closedAt: number;
  readonly side: 'LONG' | 'SHORT';
  /** Realized PnL minus every commission of its fills. */
  readonly pnl: Fixed;
}

export interface BacktestMetrics {
  readonly initialEquity: Fixed;
  readonly finalEquity: Fixed;
  readonly netPnl: Fixed;
  readonly realizedPnl: Fixed;
  readonly fees: Fixed;
  readonly funding: Fixed;
  readonly maxDrawdown: Fixed;
  /** maxDrawdown / its peak, a fraction. */
  readonly maxDrawdownFraction: Fixed;
  readonly daily: readonly DailyDrawdown[];
  readonly worstDaily: DailyDrawdown | undefined;
  readonly limitBreaches: number;
  readonly orders: number;
  readonly fills: number;
  readonly trades: readonly ClosedTrade[];
  /** Wins / closed trades, undefined without closed trades. */
  readonly winRate: number | undefined;
  /** Gross wins / gross losses; undefined without losses. */
  readonly profitFactor: number | undefined;
  /** Mean / standard deviation of daily returns × √365 (crypto trades every day); undefined below 2 days. */
  readonly sharpe: number | undefined;
}

export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** Every headline figure from exact money; only the ratios (win rate, profit factor, Sharpe) are floats. */
export function computeMetrics(result: BacktestResult): BacktestMetrics {
  const last = result.equity.at(-1);
  const initialEquity = result.initialEquity;
  const finalEquity = last?.equity ?? initialEquity;
  const fees = result.fills.reduce((sum, fill) => sum + fill.commission, 0n);
  const realizedPnl = result.fills.reduce((sum, fill) => sum + fill.realizedPnl, 0n);
  const funding = result.funding.reduce((sum, payment) => sum + payment.amount, 0n);
  const { maxDrawdown, peak } = maxDrawdownOf(result.equity);
  const daily = dailyDrawdowns(result.equity, result.maxDailyDd);
  const worstDaily = daily.reduce<DailyDrawdown | undefined>(
    (worst, day) => (worst === undefined || day.drawdown > worst.drawdown ? day : worst),
    undefined,
  );
  const trades = closedTrades(result.fills);
  const wins = trades.filter((trade) => trade.pnl > 0n);
  const grossWin = wins.reduce((sum, trade) => sum + trade.pnl, 0n);
  const grossLoss = trades.filter((trade) => trade.pnl < 0n).reduce((sum, trade) => sum - trade.pnl, 0n);
  return {
    initialEquity,
    finalEquity,
    netPnl: finalEquity - initialEquity,
    realizedPnl,
    fees,
    funding,
    maxDrawdown,
    maxDrawdownFraction: peak > 0n ? divFixed(maxDrawdown, peak) : 0n,
    daily,
    worstDaily,
    limitBreaches: daily.filter((day) => day.breached).length,
    orders: result.orders.length,
    fills: result.fills.length,
    trades,
    winRate: trades.length === 0 ? undefined : wins.length / trades.length,
    profitFactor: grossLoss === 0n ? undefined : fixedToFloat(grossWin) / fixedToFloat(grossLoss),
    sharpe: sharpeOf(result.equity),
  };
}

function maxDrawdownOf(equity: readonly EquityPoint[]): { maxDrawdown: Fixed; peak: Fixed } {
  let peak: Fixed | undefined;
  let maxDrawdown = 0n;
  let peakAtMax = 0n;
  for (const point of equity) {
    if (peak === undefined || point.equity > peak) peak = point.equity;
    const drawdown = peak - point.equity;
    if (drawdown > maxDrawdown) {
      maxDrawdown = drawdown;
      peakAtMax = peak;
    }
  }
  return { maxDrawdown, peak: peakAtMax };
}

function dailyDrawdowns(equity: readonly EquityPoint[], limit: number): DailyDrawdown[] {
  const days: DailyDrawdown[] = [];
  let current: { day: string; baseline: Fixed; low: Fixed } | undefined;
  const limitFixed = BigInt(Math.round(limit * 1e8));
  const close = () => {
    if (current === undefined) return;
    const drawdown = current.baseline > 0n ? divFixed(current.baseline - current.low, current.baseline) : 0n;
    days.push({ ...current, drawdown, breached: drawdown > limitFixed });
  };
  for (const point of equity) {
    const day = utcDay(point.at);
    if (current === undefined || current.day !== day) {
      close();
      current = { day, baseline: point.equity, low: point.equity };
    } else if (point.equity < current.low) {
      current.low = point.equity;
    }
  }
  close();
  return days;
}

export function closedTrades(fills: readonly BacktestFill[]): ClosedTrade[] {
  const trades: ClosedTrade[] = [];
  const open = new Map<string, { amount: Fixed; openedAt: number; pnl: Fixed }>();
  for (const fill of fills) {
    const signed = fill.side === 'BUY' ? fill.qty : -fill.qty;
    const state = open.get(fill.symbol) ?? { amount: 0n, openedAt: fill.at, pnl: 0n };
    if (state.amount === 0n) {
      state.openedAt = fill.at;
      state.pnl = 0n;
    }
    const before = state.amount;
    state.amount += signed;
    state.pnl += fill.realizedPnl - fill.commission;
    const flipped = before !== 0n && state.amount !== 0n && before > 0n !== state.amount > 0n;
    if (before !== 0n && (state.amount === 0n || flipped)) {
      trades.push({
        symbol: fill.symbol,
        openedAt: state.openedAt,
        closedAt: fill.at,
        side: before > 0n ? 'LONG' : 'SHORT',
        pnl: state.pnl,
      });
      state.openedAt = fill.at;
      state.pnl = 0n;
    }
    open.set(fill.symbol, state);
  }
  return trades;
}

/** Daily returns: the run's opening equity, then each UTC day's closing equity. */
function sharpeOf(equity: readonly EquityPoint[]): number | undefined {
  const closes = new Map<string, Fixed>();
  for (const point of equity) closes.set(utcDay(point.at), point.equity);
  const series = [equity[0]?.equity ?? 0n, ...closes.values()];
  const returns: number[] = [];
  for (let index = 1; index < series.length; index += 1) {
    const previous = series[index - 1] as Fixed;
    if (previous === 0n) continue;
    returns.push(fixedToFloat(divFixed((series[index] as Fixed) - previous, absFixed(previous))));
  }
  if (returns.length < 2) return undefined;
  const mean = returns.reduce((sum, value) => sum + value, 0) / returns.length;
  const variance = returns.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (returns.length - 1);
  if (variance === 0) return undefined;
  return (mean / Math.sqrt(variance)) * Math.sqrt(365);
}
