import type { Instrument } from '../domain/instrument.ts';
import type { OrderIntent } from '../domain/order-intent.ts';
import type { Position } from '../domain/position.ts';
import type { Fixed } from '../lib/fixed.ts';
import type { SymbolMarket } from './market-state.ts';

/** What a strategy sees every `decision_interval_s` (issue 4 point 3). */
export interface StrategyContext {
  readonly now: number;
  readonly symbols: readonly string[];
  readonly market: ReadonlyMap<string, SymbolMarket>;
  readonly positions: ReadonlyMap<string, Position>;
  readonly instruments: ReadonlyMap<string, Instrument>;
  /** Wallet + unrealized PnL (paper account in DRY_RUN). */
  readonly equity: Fixed;
  /** executor.max_position_pct as a fraction: the most a strategy should aim for per symbol. */
  readonly maxPositionFraction: Fixed;
}

/** Either target positions (signed quantities; the engine works out the orders) or explicit intents. */
export interface Decision {
  readonly targets?: readonly { readonly symbol: string; readonly quantity: Fixed }[];
  readonly intents?: readonly OrderIntent[];
  /** One line for the log: why. */
  readonly note?: string;
}

export interface Strategy {
  readonly name: string;
  decide(context: StrategyContext): Decision;
  onStart?(context: StrategyContext): void;
  onStop?(): void;
}
