import { describe, expect, it } from 'vitest';
import type { Instrument } from '../../domain/instrument.ts';
import { fixedFromFloat, formatFixedTrimmed, parseFixed } from '../../lib/fixed.ts';
import type { Candle, SymbolMarket } from '../market-state.ts';
import type { StrategyContext } from '../strategy.ts';
import { createEmaCrossover } from './ema-crossover.ts';
import { createMomentum } from './momentum.ts';

const f = parseFixed;
const instrument = { symbol: 'BTCUSDT', stepSize: f('0.001') } as Instrument;
const candles = (closes: number[]): Candle[] =>
  closes.map((close, i) => ({
    openTime: i * 60_000,
    closeTime: i * 60_000 + 59_999,
    open: fixedFromFloat(close),
    high: fixedFromFloat(close),
    low: fixedFromFloat(close),
    close: fixedFromFloat(close),
    volume: 1n,
  }));
const context = (closes: number[]): StrategyContext => {
  const market: SymbolMarket = {
    symbol: 'BTCUSDT',
    mark: fixedFromFloat(closes.at(-1) ?? 1),
    candles: candles(closes),
  };
  return {
    now: 0,
    symbols: ['BTCUSDT'],
    market: new Map([['BTCUSDT', market]]),
    positions: new Map(),
    instruments: new Map([['BTCUSDT', instrument]]),
    equity: f('10000'),
    maxPositionFraction: f('0.05'),
  };
};
const target = (strategy: ReturnType<typeof createMomentum>, closes: number[]) =>
  formatFixedTrimmed(strategy.decide(context(closes)).targets?.[0]?.quantity ?? 99n);

describe('example strategies', () => {
  const rising = Array.from({ length: 30 }, (_, i) => 100_000 + i * 100);
  const falling = Array.from({ length: 30 }, (_, i) => 100_000 - i * 100);

  it('ema crossover: rising closes → long 90 % of the limit; falling → short; too few candles → hold', () => {
    const strategy = createEmaCrossover({ fast: 5, slow: 20 });
    expect(target(strategy, rising)).toBe('0.004'); // 10000 × 0.05 × 0.9 / 102900 = 0.00437 → 0.004
    expect(target(strategy, falling)).toBe('-0.004');
    expect(target(strategy, rising.slice(0, 10))).toBe('0');
    expect(() => createEmaCrossover({ fast: 20, slow: 5 })).toThrow(RangeError);
  });

  it('momentum: move beyond the threshold → follow it; inside → flat', () => {
    const strategy = createMomentum({ lookback: 10, thresholdPct: 0.5 });
    expect(target(strategy, rising)).toBe('0.004');
    expect(target(strategy, falling)).toBe('-0.004');
    expect(
      target(
        strategy,
        Array.from({ length: 30 }, () => 100_000),
      ),
    ).toBe('0');
  });
});
