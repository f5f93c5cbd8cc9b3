import type { MarketEvent } from '../../../domain/market-event.ts';
import type { UserEvent } from '../../../domain/user-event.ts';
import { SystemClock } from '../../../lib/system-clock.ts';
import type { StreamHandlers, StreamLifecycleEvent } from '../../../ports/exchange-streams.ts';

/**
 * Test support for the stream layer's loopback tests: handlers that record everything, and bounded
 * waits on wall time for real socket I/O (simulated thresholds are compressed, never slept for).
 */

const wallClock = new SystemClock();

export function wallSleep(ms: number): Promise<void> {
  return new Promise((resolve) => wallClock.setTimeout(resolve, ms));
}

/** Polls `find` every 10 ms until it returns a value; rejects after `timeoutMs` naming `what`. */
export async function eventually<T>(find: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = wallClock.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined && found !== false) return found;
    if (wallClock.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await wallSleep(10);
  }
}

export class RecordingHandlers implements StreamHandlers {
  readonly market: MarketEvent[] = [];
  readonly user: UserEvent[] = [];
  readonly lifecycle: StreamLifecycleEvent[] = [];

  onMarket(event: MarketEvent): void {
    this.market.push(event);
  }
  onUser(event: UserEvent): void {
    this.user.push(event);
  }
  onLifecycle(event: StreamLifecycleEvent): void {
    this.lifecycle.push(event);
  }

  /** Market events of one kind (optionally after index `from`). */
  marketOf<K extends MarketEvent['kind']>(kind: K, from = 0): Extract<MarketEvent, { kind: K }>[] {
    return this.market.slice(from).filter((event): event is Extract<MarketEvent, { kind: K }> => event.kind === kind);
  }

  lifecycleOf<K extends StreamLifecycleEvent['kind']>(kind: K): Extract<StreamLifecycleEvent, { kind: K }>[] {
    return this.lifecycle.filter((event): event is Extract<StreamLifecycleEvent, { kind: K }> => event.kind === kind);
  }
}
