import { fixedToFloat } from '../../lib/fixed.ts';
import type { Decision, Strategy, StrategyContext } from '../strategy.ts';
import { fullTargetQuantity, referenceOf } from './strategy-sizing.ts';

export interface EmaCrossoverParams {
  readonly fast: number;
  readonly slow: number;
}

/**
 * Long while the fast EMA of closed 1m closes is above the slow one, short while below, flat until
 * enough candles exist. The averages are floats: they only decide a direction; sizes and prices
 * stay exact.
 */
export function createEmaCrossover(params: EmaCrossoverParams): Strategy {
  if (!(params.fast >= 1 && params.slow > params.fast)) {
    throw new RangeError(`ema_crossover: need 1 ≤ fast < slow, got fast=${params.fast} slow=${params.slow}`);
  }
  return {
    name: 'ema_crossover',
    decide(context: StrategyContext): Decision {
      const targets = context.symbols.map((symbol) => {
        const closes = (context.market.get(symbol)?.candles ?? []).map((candle) => fixedToFloat(candle.close));
        if (closes.length < params.slow) return { symbol, quantity: context.positions.get(symbol)?.amount ?? 0n };
        const fast = ema(closes, params.fast);
        const slow = ema(closes, params.slow);
        const size = fullTargetQuantity(context, symbol, referenceOf(context, symbol));
        return { symbol, quantity: fast > slow ? size : fast < slow ? -size : 0n };
      });
      return { targets, note: `ema ${params.fast}/${params.slow}` };
    },
  };
}

export function ema(values: readonly number[], period: number): number {
  const k = 2 / (period + 1);
  let average = values.slice(0, period).reduce((sum, value) => sum + value, 0) / Math.min(period, values.length);
  for (let i = period; i < values.length; i += 1) average = (values[i] as number) * k + average * (1 - k);
  return average;
}
