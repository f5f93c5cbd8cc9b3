import { fixedToFloat } from '../../lib/fixed.ts';
import type { PriceShock, ShockScope } from './market-feed.ts';

interface ActiveShock {
  readonly shock: PriceShock;
  readonly move: number;
  readonly startedAt: number;
}

/**
 * The flash-crash faults in force (playbook §7). A shock ramps linearly to its full `move` over
 * `overMs`; with `revertAfterMs` it vanishes at that point after its start (the price snaps back to
 * its path, as after a real wick); without it the move stays until cancelled. Concurrent shocks add.
 */
export class PriceShocks {
  #active: ActiveShock[] = [];

  add(shock: PriceShock, now: number): () => void {
    const entry: ActiveShock = { shock, move: fixedToFloat(shock.move), startedAt: now };
    this.#active.push(entry);
    return () => {
      this.#active = this.#active.filter((active) => active !== entry);
    };
  }

  /** The summed fractional move applying to `symbol` in `scope` at `now` (0 when none). */
  factor(symbol: string, scope: ShockScope, now: number): number {
    if (this.#active.length === 0) return 0;
    this.#active = this.#active.filter(
      (active) => active.shock.revertAfterMs === undefined || now - active.startedAt < active.shock.revertAfterMs,
    );
    let total = 0;
    for (const active of this.#active) {
      if (active.shock.symbol !== symbol || active.shock.scope !== scope) continue;
      const elapsed = now - active.startedAt;
      const progress = active.shock.overMs > 0 ? Math.min(1, Math.max(0, elapsed / active.shock.overMs)) : 1;
      total += active.move * progress;
    }
    return total;
  }
}
