import type { Decision, Strategy, StrategyContext } from '../strategy.ts';
import { fullTargetQuantity, referenceOf } from './strategy-sizing.ts';

export type ChurnPattern = 'alternate' | 'long';

/**
 * NOT a trading strategy: a load generator for drills and crash tests. `alternate` flips every
 * decision between a long full-size target and flat, so orders are always in flight; `long` holds a
 * full-size long, so a drill has exposure to protect.
 */
export function createChurn(pattern: ChurnPattern = 'alternate'): Strategy {
  let long = false;
  return {
    name: 'churn',
    decide(context: StrategyContext): Decision {
      long = pattern === 'long' ? true : !long;
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
