import type { Fixed } from '../../lib/fixed.ts';

/**
 * One side of the synthetic book: `levels` contiguous price levels from the best price outwards,
 * kept in a ring buffer indexed by tick index mod `levels`. A level leaving one end of the window
 * frees exactly the slot the level entering the other end needs, so a move of k ticks costs O(k)
 * and never re-sorts the side. Changed levels are collected for the next depth diff.
 */
export class BookLadder {
  readonly levels: number;
  /** -1 for bids (prices fall with depth), +1 for asks. */
  readonly direction: 1 | -1;
  #best: number;
  readonly #qty: Fixed[];
  readonly #stamp: Int32Array;
  #generation = 1;
  #changedSlots: number[] = [];
  #removed: number[] = [];

  constructor(levels: number, direction: 1 | -1, best: number, qtyAt: (index: number, depth: number) => Fixed) {
    this.levels = levels;
    this.direction = direction;
    this.#best = best;
    this.#qty = new Array<Fixed>(levels).fill(0n);
    this.#stamp = new Int32Array(levels);
    for (let depth = 0; depth < levels; depth += 1) {
      const index = best + direction * depth;
      this.#qty[this.#slot(index)] = qtyAt(index, depth);
    }
  }

  get best(): number {
    return this.#best;
  }

  get hasChanges(): boolean {
    return this.#changedSlots.length > 0 || this.#removed.length > 0;
  }

  /** Lowest and highest tick index on the ladder. */
  get low(): number {
    return this.direction === 1 ? this.#best : this.#best - this.levels + 1;
  }

  get high(): number {
    return this.low + this.levels - 1;
  }

  /** Quantity at `depth` levels from the best (0 = best). */
  qtyAtDepth(depth: number): Fixed {
    return this.#qty[this.#slot(this.#best + this.direction * depth)] ?? 0n;
  }

  /** Quantity at a tick index; 0 off the ladder. */
  qtyAt(index: number): Fixed {
    return index < this.low || index > this.high ? 0n : (this.#qty[this.#slot(index)] ?? 0n);
  }

  setAtDepth(depth: number, qty: Fixed): void {
    const slot = this.#slot(this.#best + this.direction * depth);
    if (this.#qty[slot] === qty) return;
    this.#qty[slot] = qty;
    this.#mark(slot);
  }

  /** Moves the best price; levels leaving the window are deleted, entering ones priced by `qtyAt`. */
  moveTo(best: number, qtyAt: (index: number, depth: number) => Fixed): void {
    if (best === this.#best) return;
    const oldLow = this.low;
    const oldHigh = this.high;
    this.#best = best;
    const newLow = this.low;
    const newHigh = this.high;
    for (let index = oldLow; index <= oldHigh; index += 1) {
      if (index >= newLow && index <= newHigh) {
        index = newHigh; // the overlap stays; skip past it
        continue;
      }
      this.#removed.push(index);
    }
    for (let index = newLow; index <= newHigh; index += 1) {
      if (index >= oldLow && index <= oldHigh) {
        index = oldHigh;
        continue;
      }
      const slot = this.#slot(index);
      this.#qty[slot] = qtyAt(index, (index - best) * this.direction);
      this.#mark(slot);
    }
  }

  /**
   * Tick indexes changed since the last call, ascending. A removed index is off the ladder (so its
   * quantity reads 0) and a changed one is on it, so `qtyAt` gives each its absolute quantity.
   */
  takeChangedIndexes(): Float64Array {
    const changed = new Float64Array(this.#removed.length + this.#changedSlots.length);
    let count = 0;
    for (const index of this.#removed) changed[count++] = index;
    const low = this.low;
    const lowSlot = this.#slot(low);
    for (const slot of this.#changedSlots) changed[count++] = low + ((slot - lowSlot + this.levels) % this.levels);
    this.#removed = [];
    this.#changedSlots = [];
    this.#generation += 1;
    return changed.sort();
  }

  #mark(slot: number): void {
    if (this.#stamp[slot] === this.#generation) return;
    this.#stamp[slot] = this.#generation;
    this.#changedSlots.push(slot);
  }

  #slot(index: number): number {
    return ((index % this.levels) + this.levels) % this.levels;
  }
}
