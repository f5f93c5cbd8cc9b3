import { YunminError } from '../lib/yunmin-error.ts';

/**
 * What can go wrong talking to the exchange, by what the engine must do about it (DESIGN incident 2,
 * principle 4). Engines, alerts and metrics key on `code`, never on message text.
 */
export type ExchangeErrorCode =
  /** 429: wait `retryAfterMs`; no request leaves before then (Retry-After is global). */
  | 'EXCHANGE_RATE_LIMITED'
  /** 418: the IP is banned until `until`. */
  | 'EXCHANGE_IP_BANNED'
  /** The request may have executed: 503 "Unknown error", 504, timeout or reset on a mutation. Resolve by query, never resend blind. */
  | 'EXCHANGE_UNKNOWN_OUTCOME'
  /** Certain failure, safe to retry with backoff: 503 Service Unavailable / Internal error / -1008 throttled, other 5xx on reads. */
  | 'EXCHANGE_UNAVAILABLE'
  /** The venue said no (Binance code and message): not retried. */
  | 'EXCHANGE_REJECTED'
  /** Wrong key, secret or permissions (-2014, -2015, -1022): fatal until an operator acts. */
  | 'EXCHANGE_AUTHENTICATION'
  /** -1021 that persisted after a time re-sync. */
  | 'EXCHANGE_CLOCK_SKEW'
  /** A reply we could not understand (wire format changed?). */
  | 'EXCHANGE_BAD_RESPONSE'
  /** A read timed out or the connection failed before any reply (safe to retry). */
  | 'EXCHANGE_NETWORK';

export interface ExchangeErrorDetails {
  readonly httpStatus?: number;
  /** Binance's own code (-2019, -1003, …) when the body carried one. */
  readonly venueCode?: number;
  readonly venueMessage?: string;
  /** For rate limits and bans: how long until requests may leave again. */
  readonly retryAfterMs?: number;
  /** Epoch ms when a ban or hold ends. */
  readonly until?: number;
  /** The endpoint as "METHOD /path" (never with the query: it carries the signature). */
  readonly endpoint?: string;
  /** For order mutations: the client order id whose fate is in question. */
  readonly clientOrderId?: string;
}

export class ExchangeError extends YunminError {
  declare readonly code: ExchangeErrorCode;
  readonly details: ExchangeErrorDetails;

  constructor(
    code: ExchangeErrorCode,
    message: string,
    details: ExchangeErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'ExchangeError';
    this.details = details;
  }
}
