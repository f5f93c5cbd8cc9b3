import type { MarketEvent, PriceLevel } from '../../../domain/market-event.ts';
import type { Clock, TimerHandle } from '../../../lib/clock.ts';
import { DepthBook } from '../wire/depth-book.ts';
import type { DepthDiff } from '../wire/stream-message-decoder.ts';

export type BookEvent = Extract<MarketEvent, { kind: 'book' }>;

export interface DepthSnapshot {
  readonly lastUpdateId: number;
  readonly bids: readonly PriceLevel[];
  readonly asks: readonly PriceLevel[];
}

export interface DepthBookSyncInit {
  readonly symbol: string;
  /** Levels per side in each `book` event. */
  readonly depth: number;
  readonly clock: Clock;
  /** GET /fapi/v1/depth (reference §3.3 step 2). */
  readonly fetchSnapshot: (symbol: string) => Promise<DepthSnapshot>;
  readonly onBook: (event: BookEvent) => void;
  /** The book was rebuilt after a gap; `reason` names the broken link. */
  readonly onResynced: (reason: string) => void;
  /** First retry delay of a failed or non-bridging snapshot, doubling up to `retryMaxMs`. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Diffs kept while waiting for a snapshot; older ones are dropped (the replay then refetches). */
  readonly maxBufferedDiffs: number;
}

/**
 * Keeps one symbol's local book by Binance USD-M's rules (reference §3.3): buffer the diffs, fetch
 * a REST snapshot, replay the buffer through DepthBook, then apply live diffs; on a gap (pu ≠ the
 * previous u) start over and report `onResynced` once the book is whole again. A book event is
 * emitted after each applied live diff, and once after a replay.
 */
export class DepthBookSync {
  readonly symbol: string;
  depth: number;
  readonly #init: DepthBookSyncInit;
  readonly #book: DepthBook;
  /** 'buffering' until a snapshot is loaded; 'live' after. */
  #phase: 'buffering' | 'live' = 'buffering';
  #buffer: DepthDiff[] = [];
  #fetching = false;
  #retryTimer: TimerHandle | undefined;
  #failures = 0;
  /** Set by a gap; reported when the rebuilt book has bridged its snapshot. */
  #resyncReason: string | undefined;
  #stopped = false;
  #snapshots = 0;

  constructor(init: DepthBookSyncInit) {
    this.symbol = init.symbol;
    this.depth = init.depth;
    this.#init = init;
    this.#book = new DepthBook(init.symbol);
  }

  /** Snapshots fetched so far (each costs request weight 20 at limit 1000). */
  get snapshots(): number {
    return this.#snapshots;
  }

  get isSynced(): boolean {
    return this.#phase === 'live' && this.#book.isSynced;
  }

  accept(diff: DepthDiff): void {
    if (this.#stopped) return;
    if (this.#phase === 'buffering') {
      this.#bufferDiff(diff);
      this.#requestSnapshot();
      return;
    }
    const before = this.#book.lastUpdateId;
    const result = this.#book.apply(diff);
    switch (result) {
      case 'applied':
        this.#emit(diff);
        return;
      case 'stale':
        return;
      case 'gap':
        this.#resyncReason = `gap: diff U=${diff.firstUpdateId} u=${diff.finalUpdateId} pu=${diff.previousFinalUpdateId} after book u=${before}`;
        this.#startOver([diff]);
        return;
      case 'awaiting-snapshot':
        this.#startOver([diff]);
        return;
      default: {
        const unreachable: never = result;
        throw new Error(`unhandled depth result ${String(unreachable)}`);
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#init.clock.clearTimer(this.#retryTimer);
    this.#buffer = [];
  }

  #startOver(buffer: DepthDiff[]): void {
    this.#book.reset();
    this.#phase = 'buffering';
    this.#buffer = buffer;
    this.#requestSnapshot();
  }

  #bufferDiff(diff: DepthDiff): void {
    this.#buffer.push(diff);
    if (this.#buffer.length > this.#init.maxBufferedDiffs) this.#buffer.shift();
  }

  #requestSnapshot(): void {
    if (this.#fetching || this.#retryTimer !== undefined || this.#stopped) return;
    this.#fetching = true;
    this.#snapshots += 1;
    this.#init.fetchSnapshot(this.symbol).then(
      (snapshot) => {
        this.#fetching = false;
        if (!this.#stopped) this.#onSnapshot(snapshot);
      },
      () => {
        this.#fetching = false;
        if (!this.#stopped) this.#retryLater();
      },
    );
  }

  #onSnapshot(snapshot: DepthSnapshot): void {
    this.#book.loadSnapshot(snapshot);
    let last: DepthDiff | undefined;
    for (let index = 0; index < this.#buffer.length; index += 1) {
      const diff = this.#buffer[index] as DepthDiff;
      const result = this.#book.apply(diff);
      if (result === 'applied') last = diff;
      else if (result === 'gap' || result === 'awaiting-snapshot') {
        // The snapshot predates the first buffered diff (U > lastUpdateId), or the buffer itself
        // has a hole: keep what is after the break and ask again.
        this.#buffer = this.#buffer.slice(index);
        this.#retryLater();
        return;
      }
    }
    this.#buffer = [];
    this.#phase = 'live';
    this.#failures = 0;
    if (last !== undefined) this.#emit(last);
  }

  #retryLater(): void {
    const delay = Math.min(this.#init.retryMaxMs, this.#init.retryInitialMs * 2 ** Math.min(this.#failures, 20));
    this.#failures += 1;
    this.#book.reset();
    this.#phase = 'buffering';
    this.#retryTimer = this.#init.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#requestSnapshot();
    }, delay);
  }

  #emit(diff: DepthDiff): void {
    const top = this.#book.top(this.depth);
    this.#init.onBook({
      kind: 'book',
      symbol: this.symbol,
      eventTime: diff.eventTime,
      receivedAt: this.#init.clock.now(),
      lastUpdateId: this.#book.lastUpdateId,
      bids: top.bids,
      asks: top.asks,
    });
    const reason = this.#resyncReason;
    if (reason !== undefined && this.#book.isSynced) {
      this.#resyncReason = undefined;
      this.#init.onResynced(reason);
    }
  }
}
