import type { Random } from '../../lib/random.ts';

/**
 * Where a symbol's mid price goes, one tick at a time. Paths work in binary floats (the only place
 * floats are allowed: generated data); the caller snaps every value to the tick grid once.
 */
export interface PricePath {
  /** The price after the last `next()` (or the start price). */
  readonly current: number;
  /** Advances one tick and returns the new price. */
  next(): number;
  /** Jumps the path to `price` (control API `setPrice`); the walk continues from there. */
  set(price: number): void;
}

/** Geometric random walk: each tick multiplies the price by exp(volatility × N(0,1)). */
export class RandomWalkPath implements PricePath {
  #current: number;
  readonly #volatility: number;
  readonly #random: Random;

  constructor(start: number, volatility: number, random: Random) {
    if (!(start > 0)) throw new RangeError(`a price path must start above 0, got ${start}`);
    this.#current = start;
    this.#volatility = volatility;
    this.#random = random;
  }

  get current(): number {
    return this.#current;
  }

  next(): number {
    this.#current *= Math.exp(this.#volatility * this.#random.normal());
    return this.#current;
  }

  set(price: number): void {
    if (!(price > 0)) throw new RangeError(`a price path cannot be set to ${price}`);
    this.#current = price;
  }
}
