import type { Clock } from '../../lib/clock.ts';
import { type ApiError, apiErrors } from '../api-error.ts';

/**
 * Binance's REST limits (reference §2.8, §2.7): request weight per minute (per IP), order counts per
 * 10 seconds and per minute (per account), on fixed windows aligned to the clock. The first request
 * over the weight limit gets 429; another one in the same limited window earns an IP ban (418) that
 * doubles with each ban, from 2 minutes up to 3 days. The simulator serves one client, so there is
 * one IP and one account.
 */

export interface RateLimitOptions {
  readonly requestWeightPerMinute: number;
  readonly ordersPer10Seconds: number;
  readonly ordersPerMinute: number;
  readonly banBaseMs: number;
  readonly banMaxMs: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitOptions = {
  requestWeightPerMinute: 2400,
  ordersPer10Seconds: 300,
  ordersPerMinute: 1200,
  banBaseMs: 2 * 60_000,
  banMaxMs: 3 * 24 * 60 * 60_000,
};

export interface RequestCost {
  readonly weight: number;
  /** Counted against the 10-second order window. */
  readonly orders10s: number;
  /** Counted against the 1-minute order window. */
  readonly orders1m: number;
}

export type AdmitResult = { readonly admitted: true } | { readonly admitted: false; readonly error: ApiError };

const MINUTE_MS = 60_000;
const TEN_SECONDS_MS = 10_000;

class FixedWindowCounter {
  readonly #lengthMs: number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #count = 0;

  constructor(lengthMs: number) {
    this.#lengthMs = lengthMs;
  }

  count(now: number): number {
    this.#roll(now);
    return this.#count;
  }

  add(now: number, amount: number): number {
    this.#roll(now);
    this.#count += amount;
    return this.#count;
  }

  windowEnd(now: number): number {
    return Math.floor(now / this.#lengthMs) * this.#lengthMs + this.#lengthMs;
  }

  #roll(now: number): void {
    const start = Math.floor(now / this.#lengthMs) * this.#lengthMs;
    if (start !== this.#windowStart) {
      this.#windowStart = start;
      this.#count = 0;
    }
  }
}

function secondsUntil(targetMs: number, now: number): number {
  return Math.max(1, Math.ceil((targetMs - now) / 1000));
}

export class RateLimiter {
  readonly #clock: Clock;
  readonly #options: RateLimitOptions;
  readonly #weight = new FixedWindowCounter(MINUTE_MS);
  readonly #orders10s = new FixedWindowCounter(TEN_SECONDS_MS);
  readonly #orders1m = new FixedWindowCounter(MINUTE_MS);
  /** End of the minute window in which a 429 was already sent; a further request before it is banned. */
  #limitedUntil = Number.NEGATIVE_INFINITY;
  #bannedUntil = Number.NEGATIVE_INFINITY;
  #banCount = 0;

  constructor(clock: Clock, options: RateLimitOptions = DEFAULT_RATE_LIMITS) {
    this.#clock = clock;
    this.#options = options;
  }

  get options(): RateLimitOptions {
    return this.#options;
  }

  /** Counts the request; returns the 429/418 error to send when it must be refused. */
  admit(cost: RequestCost): AdmitResult {
    const now = this.#clock.now();
    if (now < this.#bannedUntil) {
      return { admitted: false, error: apiErrors.ipBanned(this.#bannedUntil, secondsUntil(this.#bannedUntil, now)) };
    }
    if (now < this.#limitedUntil) return { admitted: false, error: this.#ban(now) };

    const used = this.#weight.add(now, cost.weight);
    if (used > this.#options.requestWeightPerMinute) {
      this.#limitedUntil = this.#weight.windowEnd(now);
      const retryAfter = secondsUntil(this.#limitedUntil, now);
      return { admitted: false, error: apiErrors.tooManyRequests(this.#options.requestWeightPerMinute, retryAfter) };
    }

    // Order limits are per account and answer -1015; Binance does not ban IPs for them.
    if (cost.orders10s > 0 || cost.orders1m > 0) {
      const tenSeconds = this.#orders10s.add(now, cost.orders10s);
      const minute = this.#orders1m.add(now, cost.orders1m);
      if (tenSeconds > this.#options.ordersPer10Seconds) {
        const retryAfter = secondsUntil(this.#orders10s.windowEnd(now), now);
        return { admitted: false, error: apiErrors.tooManyOrders(this.#options.ordersPer10Seconds, '10s', retryAfter) };
      }
      if (minute > this.#options.ordersPerMinute) {
        const retryAfter = secondsUntil(this.#orders1m.windowEnd(now), now);
        return { admitted: false, error: apiErrors.tooManyOrders(this.#options.ordersPerMinute, '1m', retryAfter) };
      }
    }
    return { admitted: true };
  }

  /** `X-MBX-USED-WEIGHT-1M` on every response; the order counts on order endpoints. */
  usageHeaders(includeOrderCounts: boolean): Record<string, string> {
    const now = this.#clock.now();
    const headers: Record<string, string> = { 'X-MBX-USED-WEIGHT-1M': String(this.#weight.count(now)) };
    if (includeOrderCounts) {
      headers['X-MBX-ORDER-COUNT-10S'] = String(this.#orders10s.count(now));
      headers['X-MBX-ORDER-COUNT-1M'] = String(this.#orders1m.count(now));
    }
    return headers;
  }

  #ban(now: number): ApiError {
    const duration = Math.min(this.#options.banBaseMs * 2 ** this.#banCount, this.#options.banMaxMs);
    this.#banCount += 1;
    this.#bannedUntil = now + duration;
    this.#limitedUntil = Number.NEGATIVE_INFINITY;
    return apiErrors.ipBanned(this.#bannedUntil, secondsUntil(this.#bannedUntil, now));
  }
}
