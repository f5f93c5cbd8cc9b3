import { ExchangeError } from '../../../domain/exchange-error.ts';
import { parseBannedUntil, parseRetryAfterMs } from './request-hold.ts';

/**
 * Turns a failed REST exchange into an `ExchangeError` with a stable code (issue 3, point 3;
 * reference §2.6, §2.7). What an error means depends on whether the request could have changed
 * something: a lost reply to an order mutation is an unknown outcome, to a read it is a plain
 * failure. Messages name the endpoint as "METHOD /path" only: the query carries the signature.
 */

export interface RequestContext {
  /** "POST /fapi/v1/order": never the query. */
  readonly endpoint: string;
  /** POST/PUT/DELETE on orders: the outcome of a lost reply is unknown. */
  readonly mutation: boolean;
  readonly clientOrderId?: string;
}

/** §2.7 variant 1: reached the matching core, no reply — execution status UNKNOWN. */
export const UNKNOWN_ERROR_MESSAGE = 'Unknown error, please check your request or try again later.';

/** Codes that mean the key, secret or permissions are wrong (§2.6): fatal until an operator acts. */
const AUTHENTICATION_CODES: ReadonlySet<number> = new Set([-2014, -2015, -1022]);

interface VenueBody {
  readonly code?: number;
  readonly msg?: string;
}

function readVenueBody(text: string): VenueBody | undefined {
  if (text === '' || text.charCodeAt(0) !== 123 /* { */) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const record = parsed as Record<string, unknown>;
    return {
      ...(typeof record.code === 'number' && { code: record.code }),
      ...(typeof record.msg === 'string' && { msg: record.msg }),
    };
  } catch {
    return undefined;
  }
}

export interface HttpFailure {
  readonly status: number;
  readonly body: string;
  readonly retryAfter: string | undefined;
  /** Local clock now, and local minus venue clock, to turn a quoted ban end into local time. */
  readonly now: number;
  readonly offsetMs: number;
}

function withClientOrderId(context: RequestContext): { clientOrderId?: string } {
  return context.clientOrderId === undefined ? {} : { clientOrderId: context.clientOrderId };
}

/** An error for a non-2xx reply. */
export function errorFromHttp(failure: HttpFailure, context: RequestContext): ExchangeError {
  const { status } = failure;
  const body = readVenueBody(failure.body);
  const venue = {
    httpStatus: status,
    endpoint: context.endpoint,
    ...(body?.code !== undefined && { venueCode: body.code }),
    ...(body?.msg !== undefined && { venueMessage: body.msg }),
    ...withClientOrderId(context),
  };
  const where = context.endpoint;

  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(failure.retryAfter) ?? 60_000;
    return new ExchangeError('EXCHANGE_RATE_LIMITED', `${where}: rate limited for ${retryAfterMs} ms (HTTP 429)`, {
      ...venue,
      retryAfterMs,
      until: failure.now + retryAfterMs,
    });
  }
  if (status === 418) {
    // The body quotes the ban end in venue time; Retry-After is the fallback (bans start at 2 min, §2.7).
    const quoted = parseBannedUntil(body?.msg);
    const until =
      quoted !== undefined
        ? quoted + failure.offsetMs
        : failure.now + (parseRetryAfterMs(failure.retryAfter) ?? 120_000);
    return new ExchangeError('EXCHANGE_IP_BANNED', `${where}: IP banned until ${until} (HTTP 418)`, {
      ...venue,
      until,
      retryAfterMs: Math.max(0, until - failure.now),
    });
  }
  if (status === 503) {
    if (body?.msg === UNKNOWN_ERROR_MESSAGE) return unknownOrUnavailable(context, venue, 'HTTP 503 unknown error');
    // Service Unavailable, Internal error (-1001), throttled (-1008): certain failures (§2.7 variants 2–4).
    return new ExchangeError('EXCHANGE_UNAVAILABLE', `${where}: service unavailable (HTTP 503)`, venue);
  }
  if (status >= 500 || status === 408) {
    // §2.7: "do NOT treat this as a failure operation; the execution status is UNKNOWN".
    return unknownOrUnavailable(context, venue, `HTTP ${status}`);
  }
  if (body?.code !== undefined) {
    if (AUTHENTICATION_CODES.has(body.code)) {
      return new ExchangeError('EXCHANGE_AUTHENTICATION', `${where}: authentication failed (${body.code})`, venue);
    }
    return new ExchangeError('EXCHANGE_REJECTED', `${where}: rejected ${body.code} ${body.msg ?? ''}`.trim(), venue);
  }
  if (status === 401) return new ExchangeError('EXCHANGE_AUTHENTICATION', `${where}: HTTP 401`, venue);
  return new ExchangeError('EXCHANGE_BAD_RESPONSE', `${where}: HTTP ${status} without a Binance error body`, venue);
}

function unknownOrUnavailable(
  context: RequestContext,
  details: ConstructorParameters<typeof ExchangeError>[2],
  what: string,
): ExchangeError {
  return context.mutation
    ? new ExchangeError('EXCHANGE_UNKNOWN_OUTCOME', `${context.endpoint}: outcome unknown (${what})`, details)
    : new ExchangeError('EXCHANGE_UNAVAILABLE', `${context.endpoint}: unavailable (${what})`, details);
}

/** Connection errors that prove the request never left (so even a mutation did not happen). */
const NEVER_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET' && code !== 'UND_ERR_ABORTED') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return (error as { code?: unknown } | null)?.code as string | undefined;
}

/** An error for a request that got no reply: a timeout, reset or refused connection. */
export function errorFromTransport(
  error: unknown,
  context: RequestContext,
  timedOutAfterMs: number | undefined,
): ExchangeError {
  const code = errorCode(error);
  const details = { endpoint: context.endpoint, ...withClientOrderId(context) };
  // Keep only the code as the cause: transport errors can quote the request, and the query is signed.
  const cause = { cause: code ?? 'transport error' };
  if (timedOutAfterMs === undefined && code !== undefined && NEVER_SENT_CODES.has(code)) {
    return new ExchangeError('EXCHANGE_NETWORK', `${context.endpoint}: connection failed (${code})`, details, cause);
  }
  const what =
    timedOutAfterMs !== undefined ? `no reply within ${timedOutAfterMs} ms` : `connection lost (${code ?? 'unknown'})`;
  return context.mutation
    ? new ExchangeError('EXCHANGE_UNKNOWN_OUTCOME', `${context.endpoint}: outcome unknown, ${what}`, details, cause)
    : new ExchangeError('EXCHANGE_NETWORK', `${context.endpoint}: ${what}`, details, cause);
}

/** A 2xx reply we could not understand (wire format changed?). */
export function badResponse(context: RequestContext, problem: string, status = 200): ExchangeError {
  return new ExchangeError('EXCHANGE_BAD_RESPONSE', `${context.endpoint}: ${problem}`, {
    httpStatus: status,
    endpoint: context.endpoint,
    ...withClientOrderId(context),
  });
}
