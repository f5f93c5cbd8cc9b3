import type { Clock, TimerHandle } from './clock.ts';

interface VirtualTimer {
  readonly id: number;
  due: number;
  readonly intervalMs: number | undefined;
  readonly callback: () => void;
  readonly sequence: number;
}

/**
 * The backtest's clock: time moves only when the replay says so, one timer at a time, so the caller
 * can let each timer's work finish before the next fires or the next market event is delivered.
 * Unlike TestClock the earliest deadline is cached: the replay asks "is a timer due before this
 * event?" once per event, millions of times per run.
 */
export class VirtualClock implements Clock {
  #now: number;
  #nextId = 1;
  #sequence = 0;
  readonly #timers = new Map<number, VirtualTimer>();
  #earliest: VirtualTimer | undefined;

  constructor(startMs: number) {
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
    if (handle === undefined || !this.#timers.delete(handle.id)) return;
    if (this.#earliest?.id === handle.id) this.#earliest = this.#findEarliest();
  }

  /** Deadline of the next timer, or +∞ when none is scheduled. */
  get nextDue(): number {
    return this.#earliest?.due ?? Number.POSITIVE_INFINITY;
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /**
   * Fires the earliest timer if it is due at or before `limit` (ties in scheduling order), with
   * `now()` at its deadline; returns its id, or undefined when none is due.
   */
  fireNext(limit: number): number | undefined {
    const timer = this.#earliest;
    if (timer === undefined || timer.due > limit) return undefined;
    if (timer.due > this.#now) this.#now = timer.due;
    if (timer.intervalMs === undefined) this.#timers.delete(timer.id);
    else timer.due += timer.intervalMs;
    this.#earliest = this.#findEarliest();
    timer.callback();
    return timer.id;
  }

  /** Moves time to `targetMs` without firing anything; a timer due before it is a caller bug. */
  setTime(targetMs: number): void {
    if (targetMs < this.#now) throw new RangeError(`VirtualClock cannot go back in time (${targetMs} < ${this.#now})`);
    if (this.nextDue < targetMs) throw new RangeError(`VirtualClock: a timer is due at ${this.nextDue} < ${targetMs}`);
    this.#now = targetMs;
  }

  #findEarliest(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (best === undefined || timer.due < best.due || (timer.due === best.due && timer.sequence < best.sequence)) {
        best = timer;
      }
    }
    return best;
  }

  #schedule(callback: () => void, delayMs: number, intervalMs: number | undefined): TimerHandle {
    const id = this.#nextId++;
    const delay = Math.max(0, Number.isFinite(delayMs) ? delayMs : 0);
    const timer: VirtualTimer = { id, due: this.#now + delay, intervalMs, callback, sequence: this.#sequence++ };
    this.#timers.set(id, timer);
    const earliest = this.#earliest;
    if (earliest === undefined || timer.due < earliest.due) this.#earliest = timer;
    return { id };
  }
}
