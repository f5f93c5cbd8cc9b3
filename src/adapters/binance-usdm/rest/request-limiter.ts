import type { Clock } from '../../../lib/clock.ts';

/**
 * The client-side limiter (issue 3, point 1; reference §2.8): keeps request weight per minute and
 * order counts per 10 s and per minute below `share` of each published limit, so normal operation
 * never meets a 429 (and never earns the 418 ban that follows one, §2.7).
 *
 * Our own sends are counted in a sliding window: any of Binance's fixed, clock-aligned windows lies
 * inside some sliding window, so staying under the cap there keeps every venue window under it too,
 * whatever the offset between our clock and theirs. The venue's `x-mbx-*` headers also count other
 * processes on the same IP or account; a reported value for the current venue window is honoured
 * until that window ends.
 */

export interface RateLimits {
  readonly requestWeightPerMinute: number;
  readonly ordersPer10Seconds: number;
  readonly ordersPerMinute: number;
}

/** Binance's published USDⓈ-M limits (§2.8), used until exchangeInfo says otherwise. */
export const DEFAULT_BINANCE_RATE_LIMITS: RateLimits = {
  requestWeightPerMinute: 2400,
  ordersPer10Seconds: 300,
  ordersPerMinute: 1200,
};

export interface RequestCost {
  readonly weight: number;
  readonly orders10s: number;
  readonly orders1m: number;
}

export interface UsageReport {
  readonly usedWeight1m: number | undefined;
  readonly orderCount10s: number | undefined;
  readonly orderCount1m: number | undefined;
}

const MINUTE_MS = 60_000;
const TEN_SECONDS_MS = 10_000;

/** Amounts sent in the last `windowMs`, oldest first. */
class SlidingWindow {
  readonly windowMs: number;
  #times: number[] = [];
  #amounts: number[] = [];
  #head = 0;
  #total = 0;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  used(now: number): number {
    this.#expire(now);
    return this.#total;
  }

  add(now: number, amount: number): void {
    if (amount <= 0) return;
    this.#times.push(now);
    this.#amounts.push(amount);
    this.#total += amount;
  }

  /** ms until `amount` more fits under `cap`; an amount larger than the cap fits only an empty window. */
  delayFor(now: number, amount: number, cap: number): number {
    this.#expire(now);
    if (amount <= 0 || this.#total + amount <= cap || (amount > cap && this.#total === 0)) return 0;
    const target = amount > cap ? 0 : cap - amount;
    let remaining = this.#total;
    for (let index = this.#head; index < this.#times.length; index += 1) {
      remaining -= this.#amounts[index] ?? 0;
      if (remaining <= target) return (this.#times[index] ?? now) + this.windowMs - now + 1;
    }
    return this.windowMs;
  }

  #expire(now: number): void {
    const horizon = now - this.windowMs;
    while (this.#head < this.#times.length && (this.#times[this.#head] ?? 0) <= horizon) {
      this.#total -= this.#amounts[this.#head] ?? 0;
      this.#head += 1;
    }
    // Compact now and then so the arrays do not grow for ever.
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#amounts = this.#amounts.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** The venue's last report for one fixed window. */
interface VenueCount {
  value: number;
  windowStart: number;
}

class Budget {
  readonly #local: SlidingWindow;
  readonly #venue: VenueCount = { value: 0, windowStart: Number.NEGATIVE_INFINITY };
  readonly #windowMs: number;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
    this.#local = new SlidingWindow(windowMs);
  }

  delayFor(now: number, venueNow: number, amount: number, cap: number): number {
    const local = this.#local.delayFor(now, amount, cap);
    const reported = this.#reported(venueNow);
    const venue =
      amount > 0 && reported > 0 && reported + amount > cap
        ? this.#venue.windowStart + this.#windowMs - venueNow + 1
        : 0;
    return Math.max(local, venue);
  }

  add(now: number, amount: number): void {
    this.#local.add(now, amount);
  }

  /**
   * A reply's count belongs to the venue window the request was counted in, somewhere between our
   * send and its receipt; when those straddle a window boundary we cannot tell which, so it is skipped.
   */
  observe(venueSentAt: number, venueReceivedAt: number, value: number): void {
    const windowStart = Math.floor(venueSentAt / this.#windowMs) * this.#windowMs;
    if (venueReceivedAt >= windowStart + this.#windowMs) return;
    if (windowStart > this.#venue.windowStart) {
      this.#venue.windowStart = windowStart;
      this.#venue.value = value;
    } else if (windowStart === this.#venue.windowStart && value > this.#venue.value) {
      this.#venue.value = value;
    }
  }

  /** What the venue last said for the window `venueNow` is in (0 once that window is over). */
  #reported(venueNow: number): number {
    return venueNow < this.#venue.windowStart + this.#windowMs ? this.#venue.value : 0;
  }

  reported(venueNow: number): number {
    return this.#reported(venueNow);
  }
}

export interface RequestLimiterOptions {
  readonly clock: Clock;
  /** Fraction of each limit to stay under (0 < share ≤ 1). */
  readonly share: number;
  readonly limits?: RateLimits;
  /** Local clock minus venue clock, for aligning the venue's fixed windows. */
  readonly offsetMs?: () => number;
}

export class RequestLimiter {
  readonly #clock: Clock;
  readonly #share: number;
  readonly #offsetMs: () => number;
  #limits: RateLimits;
  readonly #weight = new Budget(MINUTE_MS);
  readonly #orders10s = new Budget(TEN_SECONDS_MS);
  readonly #orders1m = new Budget(MINUTE_MS);

  constructor(options: RequestLimiterOptions) {
    if (!(options.share > 0 && options.share <= 1))
      throw new RangeError(`limiter share must be in (0, 1], got ${options.share}`);
    this.#clock = options.clock;
    this.#share = options.share;
    this.#limits = options.limits ?? DEFAULT_BINANCE_RATE_LIMITS;
    this.#offsetMs = options.offsetMs ?? (() => 0);
  }

  get limits(): RateLimits {
    return this.#limits;
  }

  setLimits(limits: RateLimits): void {
    this.#limits = limits;
  }

  /** ms to wait before a request of this cost may leave (0: now). */
  delayFor(cost: RequestCost): number {
    const now = this.#clock.now();
    const venueNow = now - this.#offsetMs();
    return Math.max(
      this.#weight.delayFor(now, venueNow, cost.weight, this.#cap(this.#limits.requestWeightPerMinute)),
      this.#orders10s.delayFor(now, venueNow, cost.orders10s, this.#cap(this.#limits.ordersPer10Seconds)),
      this.#orders1m.delayFor(now, venueNow, cost.orders1m, this.#cap(this.#limits.ordersPerMinute)),
    );
  }

  /** Counts a request that is leaving now. */
  record(cost: RequestCost): void {
    const now = this.#clock.now();
    this.#weight.add(now, cost.weight);
    this.#orders10s.add(now, cost.orders10s);
    this.#orders1m.add(now, cost.orders1m);
  }

  /** Waits (on the clock) until the cost fits, then counts it. */
  async acquire(cost: RequestCost): Promise<void> {
    for (;;) {
      const delay = this.delayFor(cost);
      if (delay <= 0) {
        this.record(cost);
        return;
      }
      await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, delay));
    }
  }

  /** The `x-mbx-used-weight-1m` / `x-mbx-order-count-*` values of a reply to a request sent at `sentAt` (local ms). */
  observe(report: UsageReport, sentAt: number): void {
    const offset = this.#offsetMs();
    const venueSentAt = sentAt - offset;
    const venueNow = this.#clock.now() - offset;
    if (report.usedWeight1m !== undefined) this.#weight.observe(venueSentAt, venueNow, report.usedWeight1m);
    if (report.orderCount10s !== undefined) this.#orders10s.observe(venueSentAt, venueNow, report.orderCount10s);
    if (report.orderCount1m !== undefined) this.#orders1m.observe(venueSentAt, venueNow, report.orderCount1m);
  }

  /** Usage as the venue last reported it for its current windows (0 once a window has passed). */
  usage(): { usedWeight1m: number; orderCount10s: number; orderCount1m: number } {
    const now = this.#clock.now();
    const venueNow = now - this.#offsetMs();
    return {
      usedWeight1m: this.#weight.reported(venueNow),
      orderCount10s: this.#orders10s.reported(venueNow),
      orderCount1m: this.#orders1m.reported(venueNow),
    };
  }

  #cap(limit: number): number {
    return Math.max(1, Math.floor(limit * this.#share));
  }
}
