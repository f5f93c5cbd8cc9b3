/** One `subscribe()` call waiting for the venue to acknowledge its streams. */
interface Waiter {
  readonly pending: Set<string>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * The callers of `subscribe()` still waiting for acknowledgements. A call resolves when every one of
 * its streams is confirmed on the current socket (now or after a reconnect), and fails when the venue
 * refuses one of them or the connection closes.
 */
export class SubscriptionWaiters {
  #waiters: Waiter[] = [];

  /** Resolves once `pending` streams are all confirmed (at once when there are none). */
  wait(pending: ReadonlySet<string>): Promise<void> {
    if (pending.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ pending: new Set(pending), resolve, reject }));
  }

  /** These streams are confirmed, or no longer wanted: callers waiting only on them resolve. */
  settle(streams: Iterable<string>): void {
    const settled = [...streams];
    this.#waiters = this.#waiters.filter((waiter) => {
      for (const stream of settled) waiter.pending.delete(stream);
      if (waiter.pending.size > 0) return true;
      waiter.resolve();
      return false;
    });
  }

  /** Callers waiting on any of these streams fail with `error`. */
  reject(streams: readonly string[], error: Error): void {
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!streams.some((stream) => waiter.pending.has(stream))) return true;
      waiter.reject(error);
      return false;
    });
  }

  /** Every caller fails with `error` (the connection closed). */
  rejectAll(error: Error): void {
    for (const waiter of this.#waiters) waiter.reject(error);
    this.#waiters = [];
  }
}
