import type { Clock, TimerHandle } from '../lib/clock.ts';

/**
 * The exchange's own clock: the real one plus the clock-skew fault's offset. Timestamps move,
 * timers do not (a skewed exchange still ticks at the same rate).
 */
export class SkewedClock implements Clock {
  readonly #base: Clock;
  readonly #skewMs: () => number;

  constructor(base: Clock, skewMs: () => number) {
    this.#base = base;
    this.#skewMs = skewMs;
  }

  now(): number {
    return this.#base.now() + this.#skewMs();
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.#base.setTimeout(callback, delayMs);
  }

  setInterval(callback: () => void, intervalMs: number): TimerHandle {
    return this.#base.setInterval(callback, intervalMs);
  }

  clearTimer(handle: TimerHandle | undefined): void {
    this.#base.clearTimer(handle);
  }
}
