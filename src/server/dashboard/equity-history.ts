import type { Clock, TimerHandle } from '../../lib/clock.ts';
import type { Fixed } from '../../lib/fixed.ts';

/** One sample for the dashboard's charts. */
export interface EquityPoint {
  readonly at: number;
  readonly equity: Fixed;
  /** Daily drawdown as a ratio (0.02 = 2 %), undefined before the day's baseline is known. */
  readonly drawdown: Fixed | undefined;
}

export interface EquityHistoryOptions {
  readonly clock: Clock;
  readonly sampleMs: number;
  /** Samples kept; the oldest is dropped first. */
  readonly capacity: number;
  /** The engine's equity and drawdown now; undefined equity (not yet known) is not sampled. */
  readonly read: () => { readonly equity: Fixed | undefined; readonly drawdown: Fixed | undefined };
}

/**
 * Equity and daily drawdown sampled on the Clock into a fixed-size ring buffer, for the dashboard's
 * charts. Sampling on a timer (not on every event) keeps the trading path untouched and the memory
 * bounded: 24 h at one sample every 2 s is 43,200 points.
 */
export class EquityHistory {
  readonly #options: EquityHistoryOptions;
  readonly #ring: (EquityPoint | undefined)[];
  #next = 0;
  #size = 0;
  #timer: TimerHandle | undefined;

  constructor(options: EquityHistoryOptions) {
    if (!(options.sampleMs > 0)) throw new RangeError(`sampleMs must be positive, got ${options.sampleMs}`);
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${options.capacity}`);
    }
    this.#options = options;
    this.#ring = new Array<EquityPoint | undefined>(options.capacity).fill(undefined);
  }

  /** Takes a sample now and then every `sampleMs`; a second call does nothing. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.sample();
    this.#timer = this.#options.clock.setInterval(() => this.sample(), this.#options.sampleMs);
  }

  stop(): void {
    this.#options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  sample(): void {
    const { equity, drawdown } = this.#options.read();
    if (equity === undefined) return;
    this.#ring[this.#next] = { at: this.#options.clock.now(), equity, drawdown };
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#size = Math.min(this.#size + 1, this.#ring.length);
  }

  /** Oldest first. */
  points(): readonly EquityPoint[] {
    const points: EquityPoint[] = [];
    const start = (this.#next - this.#size + this.#ring.length) % this.#ring.length;
    for (let i = 0; i < this.#size; i += 1) {
      const point = this.#ring[(start + i) % this.#ring.length];
      if (point !== undefined) points.push(point);
    }
    return points;
  }
}
