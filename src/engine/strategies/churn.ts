import type { Decision, Strategy, StrategyContext } from '../strategy.ts';
import { fullTargetQuantity, referenceOf } from './strategy-sizing.ts';

/**
 * NOT a trading strategy: a load generator for drills and crash tests. It alternates every decision
 * between a long full-size target and flat on each symbol, so that orders are always in flight.
 */
export function createChurn(): Strategy {
  let long = false;
  return {
    name: 'churn',
    decide(context: StrategyContext): Decision {
      long = !long;
      const targets = context.symbols.map((symbol) => ({
        symbol,
        quantity: long
          ? fullTargetQuantity(context, symbol, referenceOf(context, symbol) ?? context.market.get(symbol)?.bid)
          : 0n,
      }));
      return { targets, note: long ? 'churn: long' : 'churn: flat' };
    },
  };
}
