import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import { ExchangeError } from '../../../domain/exchange-error.ts';
import type { Clock, TimerHandle } from '../../../lib/clock.ts';
import { EndpointFailover, type FailoverOptions, type FailoverSwitch } from './endpoint-failover.ts';
import { RequestHold } from './request-hold.ts';
import { type RateLimits, type RequestCost, RequestLimiter } from './request-limiter.ts';
import type { RestClientEvent, TimeSyncReason } from './rest-client-event.ts';
import { badResponse, errorFromHttp, errorFromTransport, type RequestContext } from './rest-error-mapping.ts';

/**
 * One signed HTTP exchange with Binance, with everything that must hold for every request: the
 * global Retry-After hold, the client-side limiter, HMAC signing with the server-time offset, the
 * per-request timeout on the Clock, usage headers, latency, failover and error mapping.
 */

/** Keep-alive settings shared with the benchmark's raw baseline. */
export const REST_AGENT_OPTIONS: Agent.Options = {
  keepAliveTimeout: 60_000,
  keepAliveMaxTimeout: 600_000,
  connections: 64,
  pipelining: 1,
};

export type Security = 'public' | 'apiKey' | 'signed';
export type EndpointClass = 'order' | 'account' | 'market' | 'userStream';

export interface RestCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Already encoded ("symbol=BTCUSDT&side=BUY"), without timestamp, recvWindow or signature. */
  readonly query: string;
  readonly security: Security;
  readonly cost: RequestCost;
  readonly endpointClass: EndpointClass;
  readonly mutation: boolean;
  readonly clientOrderId?: string;
}

export interface RestTransportOptions {
  readonly clock: Clock;
  readonly endpoints: readonly string[];
  readonly credentials: { readonly apiKey: string; readonly apiSecret: string };
  readonly timeoutMs: number;
  readonly recvWindowMs: number;
  readonly limiterShare: number;
  readonly rateLimits?: RateLimits;
  readonly failover?: FailoverOptions;
  readonly latency?: { recordRest(endpointClass: string, ms: number): void };
  readonly onEvent?: (event: RestClientEvent) => void;
}

const CLOCK_SKEW_CODE = -1021;

function headerNumber(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export class RestTransport {
  readonly #clock: Clock;
  readonly #apiKey: string;
  readonly #apiSecret: string;
  readonly #recvWindow: string;
  readonly #agent: Agent;
  readonly #keyHeaders: Record<string, string>;
  readonly #latency: RestTransportOptions['latency'];
  readonly #onEvent: (event: RestClientEvent) => void;
  readonly hold: RequestHold;
  readonly limiter: RequestLimiter;
  readonly failover: EndpointFailover;
  #timeoutMs: number;
  /** Local clock minus venue clock (ms), from the last sync. */
  offsetMs = 0;
  #syncing: Promise<void> | undefined;

  constructor(options: RestTransportOptions) {
    this.#clock = options.clock;
    this.#apiKey = options.credentials.apiKey;
    this.#apiSecret = options.credentials.apiSecret;
    this.#recvWindow = String(options.recvWindowMs);
    this.#timeoutMs = options.timeoutMs;
    this.#agent = new Agent(REST_AGENT_OPTIONS);
    this.#keyHeaders = { 'X-MBX-APIKEY': this.#apiKey };
    this.#latency = options.latency;
    this.#onEvent = options.onEvent ?? (() => {});
    this.hold = new RequestHold(options.clock);
    this.limiter = new RequestLimiter({
      clock: options.clock,
      share: options.limiterShare,
      ...(options.rateLimits !== undefined && { limits: options.rateLimits }),
      offsetMs: () => this.offsetMs,
    });
    this.failover = new EndpointFailover(options.endpoints, options.failover);
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  setTimeoutMs(ms: number): void {
    if (!(ms > 0)) throw new RangeError(`timeout must be positive, got ${ms}`);
    this.#timeoutMs = ms;
  }

  emit(event: RestClientEvent): void {
    try {
      this.#onEvent(event);
    } catch {
      // A faulty listener must not break the request path.
    }
  }

  /**
   * Sends the call and returns the parsed JSON body. A -1021 on a signed call re-syncs the server
   * time and retries once (the request was rejected, so resending cannot duplicate); if the venue
   * still says -1021 it is EXCHANGE_CLOCK_SKEW.
   */
  send(call: RestCall): Promise<unknown> {
    const first = this.#sendOnce(call);
    return call.security === 'signed' ? first.catch((error: unknown) => this.#retryAfterClockSkew(call, error)) : first;
  }

  async #retryAfterClockSkew(call: RestCall, error: unknown): Promise<unknown> {
    if (!isClockSkew(error)) throw error;
    await this.syncTime('clock-skew');
    try {
      return await this.#sendOnce(call);
    } catch (retryError) {
      if (!isClockSkew(retryError)) throw retryError;
      throw new ExchangeError(
        'EXCHANGE_CLOCK_SKEW',
        `${call.method} ${call.path}: timestamp outside recvWindow after a time re-sync`,
        { ...(retryError as ExchangeError).details },
        { cause: retryError },
      );
    }
  }

  /** Measures the venue clock against ours (§2.2 timing) and keeps the offset for signing. */
  syncTime(reason: TimeSyncReason): Promise<void> {
    this.#syncing ??= this.#syncTime(reason).finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #syncTime(reason: TimeSyncReason): Promise<void> {
    const sentAt = this.#clock.now();
    let body: unknown;
    try {
      body = await this.#sendOnce(TIME_CALL);
    } catch (error) {
      this.emit({
        kind: 'timeSyncFailed',
        reason,
        code: error instanceof ExchangeError ? error.code : 'unknown',
        at: this.#clock.now(),
      });
      throw error;
    }
    const receivedAt = this.#clock.now();
    const serverTime = (body as { serverTime?: unknown } | null)?.serverTime;
    if (typeof serverTime !== 'number' || !Number.isSafeInteger(serverTime)) {
      throw badResponse({ endpoint: 'GET /fapi/v1/time', mutation: false }, 'serverTime is not an integer');
    }
    const previousOffsetMs = this.offsetMs;
    // The venue read its clock somewhere in the round trip: assume the middle.
    this.offsetMs = Math.round((sentAt + receivedAt) / 2 - serverTime);
    this.emit({ kind: 'timeSynced', reason, offsetMs: this.offsetMs, previousOffsetMs, at: receivedAt });
  }

  async #sendOnce(call: RestCall): Promise<unknown> {
    this.#throwIfHeld(call);
    if (this.limiter.delayFor(call.cost) > 0) {
      await this.limiter.acquire(call.cost);
      // The hold may have started while this request waited for the limiter.
      this.#throwIfHeld(call);
    } else {
      this.limiter.record(call.cost);
    }

    const endpoint = this.failover.active;
    let url = endpoint + call.path;
    if (call.security === 'signed') {
      const timestamp = this.#clock.now() - this.offsetMs;
      const payload = `${call.query === '' ? '' : `${call.query}&`}timestamp=${timestamp}&recvWindow=${this.#recvWindow}`;
      // §2.2: HMAC-SHA256 over the total params, hex, signature last.
      const signature = createHmac('sha256', this.#apiSecret).update(payload).digest('hex');
      url += `?${payload}&signature=${signature}`;
    } else if (call.query !== '') {
      url += `?${call.query}`;
    }

    const timeoutMs = this.#timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer: TimerHandle = this.#clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const sentAt = this.#clock.now();
    let status: number;
    let text: string;
    let headers: Record<string, string | string[] | undefined>;
    try {
      const response = await request(url, {
        method: call.method,
        dispatcher: this.#agent,
        signal: controller.signal,
        ...(call.security !== 'public' && { headers: this.#keyHeaders }),
      });
      status = response.statusCode;
      headers = response.headers;
      text = await response.body.text();
    } catch (error) {
      this.#clock.clearTimer(timer);
      const elapsed = this.#clock.now() - sentAt;
      this.#latency?.recordRest(call.endpointClass, elapsed);
      this.#switched(this.failover.recordFailure(endpoint));
      throw errorFromTransport(error, contextOf(call), timedOut ? timeoutMs : undefined);
    }
    this.#clock.clearTimer(timer);
    const now = this.#clock.now();
    const elapsed = now - sentAt;
    this.#latency?.recordRest(call.endpointClass, elapsed);
    this.limiter.observe(
      {
        usedWeight1m: headerNumber(headers['x-mbx-used-weight-1m']),
        orderCount10s: headerNumber(headers['x-mbx-order-count-10s']),
        orderCount1m: headerNumber(headers['x-mbx-order-count-1m']),
      },
      sentAt,
    );
    this.#switched(this.failover.recordLatency(endpoint, elapsed));

    if (status >= 200 && status < 300) {
      this.failover.recordSuccess(endpoint);
      try {
        return JSON.parse(text);
      } catch {
        throw badResponse(contextOf(call), `HTTP ${status} body is not JSON`, status);
      }
    }
    const context = contextOf(call);
    const error = errorFromHttp(
      { status, body: text, retryAfter: headerText(headers['retry-after']), now, offsetMs: this.offsetMs },
      context,
    );
    if (status >= 500 || status === 408) this.#switched(this.failover.recordFailure(endpoint));
    else this.failover.recordSuccess(endpoint);
    if (error.code === 'EXCHANGE_RATE_LIMITED' || error.code === 'EXCHANGE_IP_BANNED') {
      const reason = error.code === 'EXCHANGE_IP_BANNED' ? 'ip-banned' : 'rate-limited';
      const until = error.details.until ?? now;
      if (this.hold.extend(reason, until))
        this.emit({ kind: 'hold', reason, until, endpoint: context.endpoint, at: now });
    }
    throw error;
  }

  /** Requests during a hold fail at once, carrying its end, and never reach the venue. */
  #throwIfHeld(call: RestCall): void {
    const hold = this.hold.active();
    if (hold === undefined) return;
    const context = contextOf(call);
    const now = this.#clock.now();
    const details = {
      endpoint: context.endpoint,
      until: hold.until,
      retryAfterMs: hold.until - now,
      ...(context.clientOrderId !== undefined && { clientOrderId: context.clientOrderId }),
    };
    throw hold.reason === 'ip-banned'
      ? new ExchangeError('EXCHANGE_IP_BANNED', `${context.endpoint}: not sent, IP banned until ${hold.until}`, details)
      : new ExchangeError(
          'EXCHANGE_RATE_LIMITED',
          `${context.endpoint}: not sent, rate-limit hold until ${hold.until}`,
          details,
        );
  }

  #switched(change: FailoverSwitch | undefined): void {
    if (change !== undefined) this.emit({ kind: 'failover', ...change, at: this.#clock.now() });
  }

  /** The engine's latency mitigation (playbook §3): move to the next endpoint now. */
  switchEndpoint(): void {
    this.#switched(this.failover.switchNext('manual'));
  }

  /** Destroys the keep-alive Agent; requests still in flight fail. */
  close(): Promise<void> {
    return this.#agent.destroy();
  }
}

const TIME_CALL: RestCall = {
  method: 'GET',
  path: '/fapi/v1/time',
  query: '',
  security: 'public',
  cost: { weight: 1, orders10s: 0, orders1m: 0 },
  endpointClass: 'market',
  mutation: false,
};

/** Built only when something goes wrong: the hot path never needs it. */
function contextOf(call: RestCall): RequestContext {
  return {
    endpoint: `${call.method} ${call.path}`,
    mutation: call.mutation,
    ...(call.clientOrderId !== undefined && { clientOrderId: call.clientOrderId }),
  };
}

function isClockSkew(error: unknown): boolean {
  return (
    error instanceof ExchangeError && error.code === 'EXCHANGE_REJECTED' && error.details.venueCode === CLOCK_SKEW_CODE
  );
}
