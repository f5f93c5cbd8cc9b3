import type { Clock, TimerHandle } from './clock.ts';

interface ScheduledTimer {
  readonly id: number;
  due: number;
  readonly intervalMs: number | undefined;
  readonly callback: () => void;
  readonly sequence: number;
}

/**
 * A Clock that only moves when a test says so. `advance` fires due timers in deadline order
 * (ties in scheduling order), each seeing `now()` equal to its own deadline; time never goes back.
 */
export class TestClock implements Clock {
  #now: number;
  #nextId = 1;
  #sequence = 0;
  readonly #timers = new Map<number, ScheduledTimer>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.#schedule(callback, delayMs, undefined);
  }

  setInterval(callback: () => void, intervalMs: number): TimerHandle {
    return this.#schedule(callback, intervalMs, Math.max(1, intervalMs));
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.#timers.delete(handle.id);
  }

  /** Number of timers still scheduled. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`TestClock cannot go back in time (advance ${ms})`);
    this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to `targetMs`, firing every timer due at or before it. */
  advanceTo(targetMs: number): void {
    if (targetMs < this.#now) {
      throw new RangeError(`TestClock cannot go back in time (${targetMs} < ${this.#now})`);
    }
    for (;;) {
      const next = this.#nextDue(targetMs);
      if (next === undefined) break;
      this.#now = next.due;
      if (next.intervalMs === undefined) this.#timers.delete(next.id);
      else next.due += next.intervalMs;
      next.callback();
    }
    this.#now = targetMs;
  }

  #nextDue(limit: number): ScheduledTimer | undefined {
    let best: ScheduledTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.due > limit) continue;
      if (best === undefined || timer.due < best.due || (timer.due === best.due && timer.sequence < best.sequence)) {
        best = timer;
      }
    }
    return best;
  }

  #schedule(callback: () => void, delayMs: number, intervalMs: number | undefined): TimerHandle {
    const id = this.#nextId++;
    const delay = Math.max(0, Number.isFinite(delayMs) ? delayMs : 0);
    this.#timers.set(id, { id, due: this.#now + delay, intervalMs, callback, sequence: this.#sequence++ });
    return { id };
  }
}
