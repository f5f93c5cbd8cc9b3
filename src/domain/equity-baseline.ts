import type { Fixed } from '../lib/fixed.ts';

/** Equity (wallet + unrealized) at 00:00 UTC of `day`: the daily drawdown reference (playbook §5). */
export interface EquityBaseline {
  /** "YYYY-MM-DD" in UTC. */
  readonly day: string;
  readonly equity: Fixed;
  readonly capturedAt: number;
}
