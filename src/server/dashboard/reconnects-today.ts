import { utcDay } from '../../engine/daily-drawdown.ts';
import type { StreamHealth } from '../../ports/exchange-streams.ts';

/**
 * Reconnects per stream since 00:00 UTC (playbook §1 reads the reconnect rate per day). The streams
 * count reconnects since the engine started; this keeps each counter's value at the first reading of
 * a new UTC day and reports the difference. The first day's baseline is zero: the counters start
 * with the engine, which started that day.
 */
export class ReconnectsToday {
  #day: string | undefined;
  readonly #baseline = new Map<string, number>();

  observe(now: number, streams: readonly Pick<StreamHealth, 'stream' | 'reconnects'>[]): ReadonlyMap<string, number> {
    const day = utcDay(now);
    if (this.#day !== undefined && day !== this.#day) {
      for (const stream of streams) this.#baseline.set(stream.stream, stream.reconnects);
    }
    this.#day = day;
    return new Map(
      streams.map((stream) => [
        stream.stream,
        Math.max(0, stream.reconnects - (this.#baseline.get(stream.stream) ?? 0)),
      ]),
    );
  }
}
