import { type ApiError, apiErrors } from '../api-error.ts';
import type { RestVerdict } from './fault-gate.ts';
import type { FaultSpecOf } from './fault-spec.ts';

/**
 * The replies a REST fault sends, copied from Binance (reference §2.6, §2.7, §2.8). The engine tells
 * the 503 variants apart by `msg` alone, so the texts are Binance's to the letter.
 */

/** Binance's REQUEST_WEIGHT limit per minute, quoted in the -1003 message (§2.8). */
const REQUEST_WEIGHT_LIMIT = 2400;
const DEFAULT_RETRY_AFTER_SECONDS = { 429: 60, 418: 120 } as const;

export const SERVICE_UNAVAILABLE_MESSAGES = {
  /** Reached the matching core, no reply: execution status UNKNOWN (§2.7 variant 1). */
  unknown: { code: -1000, msg: 'Unknown error, please check your request or try again later.' },
  /** 100 % failure, retry with backoff (§2.7 variant 2). Binance names no code; -1000 is UNKNOWN. */
  unavailable: { code: -1000, msg: 'Service Unavailable.' },
  /** Failure, may resend at once (§2.7 variant 3). */
  internal: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' },
  /** Overload protection; reduce-only and close-position orders are exempt (§2.7 variant 4). */
  throttled: {
    code: -1008,
    msg: 'Request throttled by system-level protection. Reduce-only/close-position orders are exempt.',
  },
} as const;

/** §2.6 -1007 TIMEOUT: HTTP 408, execution status unknown. */
const BACKEND_TIMEOUT = {
  code: -1007,
  msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
};
/** §2.7: "5XX with msg 'Request occur unknown error.'". */
const SERVER_UNKNOWN = { code: -1000, msg: 'Request occur unknown error.' };

/**
 * A 504 is written by the gateway in front of the API, not by the API: no `{code,msg}`, just the
 * load balancer's HTML page (variant "html", the default), or no body at all (variant "empty").
 */
export const GATEWAY_TIMEOUT_HTML =
  '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n';

function jsonVerdict(
  status: number,
  body: { code: number; msg: string },
  executeFirst: boolean,
  headers: Readonly<Record<string, string>> = {},
): RestVerdict {
  // No Content-Type here: the transport derives it from the body (JSON, or HTML for a gateway 504).
  return {
    kind: 'respond',
    status,
    body: JSON.stringify(body),
    headers,
    executeFirst,
  };
}

function apiErrorVerdict(error: ApiError): RestVerdict {
  return jsonVerdict(error.httpStatus, error.toBody(), false, error.headers);
}

/** Exchange-wide maintenance: every request gets the plain 503 (§2.7 variant 2). */
export const MAINTENANCE_VERDICT: RestVerdict = jsonVerdict(503, SERVICE_UNAVAILABLE_MESSAGES.unavailable, false);

/**
 * The verdict a rest-error fault gives a request at `nowMs` (the 418 body quotes the ban's end).
 * Everything but the 418 is the same on every call, so callers may build it once.
 */
export function restErrorVerdict(spec: FaultSpecOf<'rest-error'>, nowMs: number): RestVerdict {
  const executeFirst = spec.executed === true;
  switch (spec.status) {
    case 429:
      return apiErrorVerdict(
        apiErrors.tooManyRequests(REQUEST_WEIGHT_LIMIT, spec.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS[429]),
      );
    case 418: {
      const retryAfter = spec.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS[418];
      return apiErrorVerdict(apiErrors.ipBanned(nowMs + retryAfter * 1000, retryAfter));
    }
    case 503: {
      // Validation allows only the 503 variants here; the plain "Service Unavailable." is the default.
      const variant =
        spec.variant === undefined || spec.variant === 'html' || spec.variant === 'empty'
          ? 'unavailable'
          : spec.variant;
      return jsonVerdict(503, SERVICE_UNAVAILABLE_MESSAGES[variant], executeFirst);
    }
    case 504:
      return spec.variant === 'empty'
        ? { kind: 'respond', status: 504, body: '', headers: {}, executeFirst }
        : {
            kind: 'respond',
            status: 504,
            body: GATEWAY_TIMEOUT_HTML,
            headers: {},
            executeFirst,
          };
    case 408:
      return jsonVerdict(408, BACKEND_TIMEOUT, executeFirst);
    case 500:
      return jsonVerdict(500, SERVER_UNKNOWN, executeFirst);
    default: {
      const unreachable: never = spec.status;
      throw new Error(`unhandled status ${String(unreachable)}`);
    }
  }
}
