import { ExchangeError, type ExchangeErrorCode } from '../../domain/exchange-error.ts';
import type { Clock } from '../../lib/clock.ts';
import type { ExchangeRest } from '../../ports/exchange-rest.ts';

/** What one REST call came to, as the playbook §2 detector counts it. */
export interface RestOutcome {
  readonly at: number;
  readonly ok: boolean;
  readonly code?: ExchangeErrorCode;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  /** Epoch ms when a Retry-After hold or a 418 ban ends. */
  readonly until?: number;
  /** "METHOD /path" from the error, or the port method's name for a success. */
  readonly endpoint?: string;
  /**
   * Refused by the REST client itself during its global Retry-After hold: the request never reached
   * the venue, so it is no new evidence (counting it would turn one 429 into a storm).
   */
  readonly notSent?: boolean;
}

/**
 * The codes §2 counts: the venue did not answer properly (429, 418, 503, 504, timeouts, resets).
 * EXCHANGE_REJECTED is an answer (the venue said no); authentication, clock skew and bad replies are
 * other incidents.
 */
const COUNTED_CODES: ReadonlySet<ExchangeErrorCode> = new Set([
  'EXCHANGE_RATE_LIMITED',
  'EXCHANGE_IP_BANNED',
  'EXCHANGE_UNAVAILABLE',
  'EXCHANGE_UNKNOWN_OUTCOME',
  'EXCHANGE_NETWORK',
]);

export function isCountedRestError(outcome: RestOutcome): boolean {
  return !outcome.ok && outcome.notSent !== true && outcome.code !== undefined && COUNTED_CODES.has(outcome.code);
}

/** The outcome of a call that threw `error` (anything: a non-ExchangeError carries no code). */
export function outcomeOfError(error: unknown, at: number, method: string): RestOutcome {
  if (!(error instanceof ExchangeError)) return { at, ok: false, endpoint: method };
  const { details } = error;
  const holdRefusal =
    (error.code === 'EXCHANGE_RATE_LIMITED' || error.code === 'EXCHANGE_IP_BANNED') && details.httpStatus === undefined;
  return {
    at,
    ok: false,
    code: error.code,
    endpoint: details.endpoint ?? method,
    ...(details.httpStatus !== undefined && { httpStatus: details.httpStatus }),
    ...(details.retryAfterMs !== undefined && { retryAfterMs: details.retryAfterMs }),
    ...(details.until !== undefined && { until: details.until }),
    ...(holdRefusal && { notSent: true }),
  };
}

/**
 * A decorator over the REST port that reports every call's outcome (playbook §2: "check error rate
 * (last 1 minute)"), so the detector sees every request the engine makes without each caller having
 * to report. Results and errors pass through unchanged. `status()` is the client's own state, not a
 * request: passed through unobserved.
 */
export function observeRest(rest: ExchangeRest, onOutcome: (outcome: RestOutcome) => void, clock: Clock): ExchangeRest {
  const report = (outcome: RestOutcome): void => {
    // A listener that throws must never turn a good reply into a failure.
    try {
      onOutcome(outcome);
    } catch {
      // ignored on purpose
    }
  };
  async function observe<T>(method: string, call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      report({ at: clock.now(), ok: true, endpoint: method });
      return result;
    } catch (error) {
      report(outcomeOfError(error, clock.now(), method));
      throw error;
    }
  }
  return {
    ping: () => observe('ping', () => rest.ping()),
    getServerTime: () => observe('getServerTime', () => rest.getServerTime()),
    getExchangeInfo: () => observe('getExchangeInfo', () => rest.getExchangeInfo()),
    getAccount: () => observe('getAccount', () => rest.getAccount()),
    getPositions: () => observe('getPositions', () => rest.getPositions()),
    getPosition: (symbol) => observe('getPosition', () => rest.getPosition(symbol)),
    getOpenOrders: (symbol) => observe('getOpenOrders', () => rest.getOpenOrders(symbol)),
    getOrder: (symbol, ref) => observe('getOrder', () => rest.getOrder(symbol, ref)),
    placeOrder: (request) => observe('placeOrder', () => rest.placeOrder(request)),
    placeOrders: async (requests) => {
      const results = await observe('placeOrders', () => rest.placeOrders(requests));
      // Each batch element succeeds or fails on its own; a throttled or unknown element is evidence too.
      for (const result of results) {
        if (result instanceof ExchangeError) report(outcomeOfError(result, clock.now(), 'placeOrders'));
      }
      return results;
    },
    cancelOrder: (symbol, ref) => observe('cancelOrder', () => rest.cancelOrder(symbol, ref)),
    cancelAllOpenOrders: (symbol) => observe('cancelAllOpenOrders', () => rest.cancelAllOpenOrders(symbol)),
    getMyTrades: (symbol, range) => observe('getMyTrades', () => rest.getMyTrades(symbol, range)),
    setLeverage: (symbol, leverage) => observe('setLeverage', () => rest.setLeverage(symbol, leverage)),
    getCandles: (symbol, interval, limit) => observe('getCandles', () => rest.getCandles(symbol, interval, limit)),
    getDepthSnapshot: (symbol, limit) => observe('getDepthSnapshot', () => rest.getDepthSnapshot(symbol, limit)),
    status: () => rest.status(),
  };
}
