import type { Fixed } from '../lib/fixed.ts';

/** What the engine needs from the configuration (the app maps the validated YAML onto this). */
export interface EngineSettings {
  readonly mode: 'LIVE' | 'DRY_RUN';
  readonly symbols: readonly string[];
  readonly decisionIntervalMs: number;
  readonly syncIntervalMs: number;
  readonly maxPositionFraction: Fixed;
  readonly maxOpenOrders: number;
  /** risk_manager.initial_capital: the paper account's opening balance in DRY_RUN. */
  readonly initialCapital: Fixed;
  /** risk_manager.max_daily_dd as a fraction (0.02). */
  readonly maxDailyDrawdown: Fixed;
  /** Leverage set on every traded symbol at start (undefined: leave the account's). */
  readonly leverage?: number;
  /** Position differences below this fraction are adopted silently (reconciliation.adopt_below_pct / 100). */
  readonly adoptBelowFraction: Fixed;
}
