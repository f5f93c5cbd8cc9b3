import type { Clock } from '../../../lib/clock.ts';

export type HoldReason = 'rate-limited' | 'ip-banned';

/**
 * Retry-After is global (issue 3, point 2; reference §2.7, §2.8): after a 429 or 418 no request may
 * leave until the hold has passed, because limits are per IP and every further request during a
 * limited window escalates towards a ban of up to 3 days. A longer hold always wins over a shorter one.
 */
export class RequestHold {
  readonly #clock: Clock;
  #until = Number.NEGATIVE_INFINITY;
  #reason: HoldReason = 'rate-limited';

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Returns true when this extends (or starts) the hold. */
  extend(reason: HoldReason, until: number): boolean {
    if (until <= this.#until) {
      if (reason === 'ip-banned') this.#reason = reason;
      return false;
    }
    this.#until = until;
    this.#reason = reason;
    return true;
  }

  /** The active hold, or undefined once it has passed. */
  active(): { readonly until: number; readonly reason: HoldReason } | undefined {
    return this.#clock.now() < this.#until ? { until: this.#until, reason: this.#reason } : undefined;
  }
}

/** Retry-After in ms from the header (seconds, §2.8), or undefined when absent or malformed. */
export function parseRetryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d{1,9}$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

/** The ban end quoted by a 418 body: "Way too many requests; IP banned until 1767225720000." (§2.6). */
export function parseBannedUntil(message: string | undefined): number | undefined {
  const match = message === undefined ? null : /banned until (\d{10,16})/.exec(message);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
