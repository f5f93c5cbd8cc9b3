import { VirtualClock } from './virtual-clock.ts';

/**
 * A Clock that only moves when a test says so. `advance` fires due timers in deadline order
 * (ties in scheduling order), each seeing `now()` equal to its own deadline; time never goes back.
 * The timer queue is the backtest's VirtualClock: tests and replays schedule time the same way.
 */
export class TestClock extends VirtualClock {
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    super(startMs);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`TestClock cannot go back in time (advance ${ms})`);
    this.advanceTo(this.now() + ms);
  }

  /** Moves time forward to `targetMs`, firing every timer due at or before it. */
  advanceTo(targetMs: number): void {
    if (targetMs < this.now()) {
      throw new RangeError(`TestClock cannot go back in time (${targetMs} < ${this.now()})`);
    }
    while (this.fireNext(targetMs) !== undefined) {
      // each call fires one timer at its own deadline; a callback may schedule more
    }
    this.setTime(targetMs);
  }
}
