import { fixedToFloat } from '../../lib/fixed.ts';
import type { Decision, Strategy, StrategyContext } from '../strategy.ts';
import { fullTargetQuantity, referenceOf } from './strategy-sizing.ts';

export interface MomentumParams {
  /** Candles to look back. */
  readonly lookback: number;
  /** Return over the lookback (percent) that opens a position; inside ±threshold the target is flat. */
  readonly thresholdPct: number;
}

/** Long after a rise of more than `thresholdPct` over `lookback` closed 1m candles, short after a fall. */
export function createMomentum(params: MomentumParams): Strategy {
  if (!(params.lookback >= 1 && params.thresholdPct >= 0)) {
    throw new RangeError(
      `momentum: need lookback ≥ 1 and threshold_pct ≥ 0, got ${params.lookback}, ${params.thresholdPct}`,
    );
  }
  return {
    name: 'momentum',
    decide(context: StrategyContext): Decision {
      const targets = context.symbols.map((symbol) => {
        const candles = context.market.get(symbol)?.candles ?? [];
        const last = candles.at(-1);
        const first = candles.at(-1 - params.lookback);
        if (last === undefined || first === undefined)
          return { symbol, quantity: context.positions.get(symbol)?.amount ?? 0n };
        const change = (fixedToFloat(last.close) / fixedToFloat(first.close) - 1) * 100;
        const size = fullTargetQuantity(context, symbol, referenceOf(context, symbol));
        return { symbol, quantity: change > params.thresholdPct ? size : change < -params.thresholdPct ? -size : 0n };
      });
      return { targets, note: `momentum ${params.lookback} × 1m, ±${params.thresholdPct} %` };
    },
  };
}
