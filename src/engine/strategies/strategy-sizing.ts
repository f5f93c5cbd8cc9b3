import type { Fixed } from '../../lib/fixed.ts';
import { divFixed, mulFixed, roundToStep } from '../../lib/fixed.ts';
import type { StrategyContext } from '../strategy.ts';

/**
 * The full-size target for a symbol: 90 % of the position limit (max_position_pct × equity), in
 * quantity at the reference price, on the step grid. 0 when nothing is known yet.
 */
export function fullTargetQuantity(context: StrategyContext, symbol: string, price: Fixed | undefined): Fixed {
  const instrument = context.instruments.get(symbol);
  if (instrument === undefined || price === undefined || price <= 0n) return 0n;
  const budget = mulFixed(mulFixed(context.equity, context.maxPositionFraction), 90_000_000n);
  return roundToStep(divFixed(budget, price, 'down'), instrument.stepSize, 'down');
}

export function referenceOf(context: StrategyContext, symbol: string): Fixed | undefined {
  const market = context.market.get(symbol);
  return market?.mark ?? market?.candles.at(-1)?.close;
}
