import type { EquityBaseline } from '../domain/equity-baseline.ts';
import type { Clock } from '../lib/clock.ts';
import { divFixed, FIXED_SCALE, type Fixed } from '../lib/fixed.ts';
import type { Store } from '../ports/store.ts';

export interface DrawdownReading {
  readonly day: string;
  readonly baseline: Fixed;
  readonly equity: Fixed;
  /** (baseline − equity) / baseline, 0 when equity is above the baseline. */
  readonly drawdown: Fixed;
  readonly breached: boolean;
}

/** "YYYY-MM-DD" of an epoch-ms instant, in UTC. */
export function utcDay(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
}

/**
 * Daily drawdown on equity (wallet + unrealized) against the day's 00:00 UTC baseline (playbook §5).
 * The baseline is persisted, so a restart does not reset the day; the first reading of a new UTC
 * day becomes that day's baseline.
 */
export class DailyDrawdown {
  readonly #clock: Clock;
  readonly #store: Store;
  readonly #limit: Fixed;

  constructor(deps: { clock: Clock; store: Store; maxDailyDrawdown: Fixed }) {
    this.#clock = deps.clock;
    this.#store = deps.store;
    this.#limit = deps.maxDailyDrawdown;
  }

  baseline(): EquityBaseline | undefined {
    return this.#store.getEquityBaseline();
  }

  update(equity: Fixed): DrawdownReading {
    const now = this.#clock.now();
    const day = utcDay(now);
    let baseline = this.#store.getEquityBaseline();
    if (baseline === undefined || baseline.day !== day) {
      baseline = { day, equity, capturedAt: now };
      this.#store.setEquityBaseline(baseline);
      this.#store.appendEvent({ type: 'EquityBaselineSet', at: now, payload: { day, equity } });
    }
    const drawdown =
      baseline.equity > 0n && equity < baseline.equity ? divFixed(baseline.equity - equity, baseline.equity) : 0n;
    // Exact: (baseline − equity) / baseline > limit, cross-multiplied; the rounded `drawdown` is for display.
    const breached = baseline.equity > 0n && (baseline.equity - equity) * FIXED_SCALE > this.#limit * baseline.equity;
    return { day, baseline: baseline.equity, equity, drawdown, breached };
  }
}
