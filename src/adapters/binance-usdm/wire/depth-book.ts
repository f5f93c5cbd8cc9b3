import type { PriceLevel } from '../../../domain/market-event.ts';
import type { Fixed } from '../../../lib/fixed.ts';
import type { DepthDiff } from './stream-message-decoder.ts';

/**
 * - applied: the diff is in the book;
 * - stale: it ends before the book's update id and was dropped (rule 3);
 * - gap: it does not chain (U > snapshot id on the first diff, or pu ≠ previous u): the book is
 *   cleared and waits for a new snapshot; the caller buffers this diff and the ones after it;
 * - awaiting-snapshot: no snapshot loaded yet (or since the gap): the caller buffers the diff.
 */
export type DepthApplyResult = 'applied' | 'stale' | 'gap' | 'awaiting-snapshot';

type BookState = 'awaiting-snapshot' | 'snapshot-loaded' | 'synced';

/**
 * A local order book kept by Binance USD-M's rules (reference §3.3, which differ from spot's):
 *  1. buffer the diffs; 2. fetch GET /fapi/v1/depth; 3. drop diffs with u < lastUpdateId;
 *  4. the first applied diff must satisfy U ≤ lastUpdateId ≤ u; 5. each next one must have
 *  pu == the previous u, else resync; 6. quantities are absolute and 0 deletes the level.
 *
 * Each side is a sorted array of levels, best first, searched by binary search: apply costs
 * O(changed levels × log n) plus a memmove per insert or delete (splice), and top(n) is one slice.
 * (Measured on the simulator's diffs: keeping the best level last, or merging sorted diffs into a
 * new array, was no faster.)
 */
export class DepthBook {
  readonly symbol: string;
  #state: BookState = 'awaiting-snapshot';
  #lastUpdateId = 0;
  /** Descending by price. */
  #bids: PriceLevel[] = [];
  /** Ascending by price. */
  #asks: PriceLevel[] = [];

  constructor(symbol: string) {
    this.symbol = symbol;
  }

  /** The last update id in the book: the snapshot's, then each applied diff's u. */
  get lastUpdateId(): number {
    return this.#lastUpdateId;
  }

  /** True once a diff has bridged the snapshot (rule 4) and every diff since has chained (rule 5). */
  get isSynced(): boolean {
    return this.#state === 'synced';
  }

  /** Loads GET /fapi/v1/depth (any order, zero quantities skipped); buffered diffs are then applied by apply(). */
  loadSnapshot(snapshot: { lastUpdateId: number; bids: readonly PriceLevel[]; asks: readonly PriceLevel[] }): void {
    this.#bids = snapshot.bids.filter((level) => level.qty > 0n).sort((a, b) => compareAscending(b.price, a.price));
    this.#asks = snapshot.asks.filter((level) => level.qty > 0n).sort((a, b) => compareAscending(a.price, b.price));
    this.#lastUpdateId = snapshot.lastUpdateId;
    this.#state = 'snapshot-loaded';
  }

  apply(diff: DepthDiff): DepthApplyResult {
    switch (this.#state) {
      case 'awaiting-snapshot':
        return 'awaiting-snapshot';
      case 'snapshot-loaded':
        if (diff.finalUpdateId < this.#lastUpdateId) return 'stale';
        // U > lastUpdateId: diffs between the snapshot and this one were missed.
        if (diff.firstUpdateId > this.#lastUpdateId) return this.#gap();
        break;
      case 'synced':
        // A repeat of what is already applied (a replayed buffer) is dropped, not a gap.
        if (diff.finalUpdateId <= this.#lastUpdateId) return 'stale';
        if (diff.previousFinalUpdateId !== this.#lastUpdateId) return this.#gap();
        break;
      default: {
        const unreachable: never = this.#state;
        return unreachable;
      }
    }
    applyBids(this.#bids, diff.bids);
    applyAsks(this.#asks, diff.asks);
    this.#lastUpdateId = diff.finalUpdateId;
    this.#state = 'synced';
    return 'applied';
  }

  /** Best first: bids descending, asks ascending. The level objects are shared, never mutated. */
  top(levels: number): { bids: readonly PriceLevel[]; asks: readonly PriceLevel[] } {
    const count = Math.max(0, Math.floor(levels));
    return { bids: this.#bids.slice(0, count), asks: this.#asks.slice(0, count) };
  }

  /** Forgets the book: the next diff gets 'awaiting-snapshot' (e.g. after a reconnect). */
  reset(): void {
    this.#bids = [];
    this.#asks = [];
    this.#lastUpdateId = 0;
    this.#state = 'awaiting-snapshot';
  }

  #gap(): DepthApplyResult {
    // The book can no longer be trusted: nothing is better than a wrong book for the engine.
    this.reset();
    return 'gap';
  }
}

function compareAscending(a: Fixed, b: Fixed): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sets each changed level: replace, insert at its sorted place, or delete on quantity 0. One loop
 * per side rather than a comparator argument: this is the hot path of every depth frame.
 */
function applyBids(side: PriceLevel[], changes: readonly PriceLevel[]): void {
  for (let change = 0; change < changes.length; change += 1) {
    const level = changes[change] as PriceLevel;
    const price = level.price;
    let low = 0;
    let high = side.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((side[middle] as PriceLevel).price > price) low = middle + 1;
      else high = middle;
    }
    setAt(side, low, level);
  }
}

function applyAsks(side: PriceLevel[], changes: readonly PriceLevel[]): void {
  for (let change = 0; change < changes.length; change += 1) {
    const level = changes[change] as PriceLevel;
    const price = level.price;
    let low = 0;
    let high = side.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((side[middle] as PriceLevel).price < price) low = middle + 1;
      else high = middle;
    }
    setAt(side, low, level);
  }
}

/** `index` is where `level.price` is or belongs. */
function setAt(side: PriceLevel[], index: number, level: PriceLevel): void {
  const found = index < side.length && (side[index] as PriceLevel).price === level.price;
  if (level.qty === 0n) {
    if (found) side.splice(index, 1);
  } else if (found) {
    side[index] = level;
  } else if (index === side.length) {
    side.push(level);
  } else {
    side.splice(index, 0, level);
  }
}
