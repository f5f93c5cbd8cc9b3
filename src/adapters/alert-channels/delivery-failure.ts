import { YunminError } from '../../lib/yunmin-error.ts';

/**
 * Why one delivery attempt failed. `retryable` is false when sending the same request again cannot
 * help (HTTP 4xx other than 408/429: a wrong token, a revoked webhook, an invalid event), so the
 * channel gives up at once instead of hammering the provider. `retryAfterMs` carries a provider's
 * Retry-After / Telegram `retry_after` hint.
 */
export class DeliveryFailure extends YunminError {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: string,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number | undefined; cause?: unknown },
  ) {
    super(code, message, { cause: options.cause });
    this.name = 'DeliveryFailure';
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** HTTP statuses worth another try: timeouts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** `Retry-After` in seconds (the HTTP-date form is ignored: the exponential backoff applies). */
export function retryAfterMsFrom(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header.trim());
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
