import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import { ApiError, apiErrors } from '../api-error.ts';
import type { Exchange } from '../exchange/exchange.ts';
import type { ControlHandler, FaultGate } from '../faults/fault-gate.ts';
import type { MarketFeed } from '../market/market-feed.ts';
import type { ListenKeys } from '../ws/listen-keys.ts';
import { type Endpoint, type EndpointContext, endpointWeight, type RestSessionState } from './endpoint.ts';
import { findEndpoint } from './endpoint-table.ts';
import { RateLimiter, type RateLimitOptions } from './rate-limiter.ts';
import { RequestParams } from './request-params.ts';
import { type ApiCredentials, checkSecurity } from './request-security.ts';

export { DEFAULT_RATE_LIMITS, type RateLimitOptions } from './rate-limiter.ts';

/**
 * The simulator's REST transport: one function for node:http's 'request' event. Per request:
 * read the body, route, ask the fault gate, count the rate limits, check the security type, run
 * the endpoint, then reply (after the injected latency, on the Clock). Nothing a client sends may
 * crash the process: every failure becomes a JSON `{code, msg}` (reference §2.6).
 */

export interface RestHandlerDeps {
  readonly clock: Clock;
  readonly market: MarketFeed;
  readonly exchange: Exchange;
  readonly listenKeys: ListenKeys;
  readonly faults: FaultGate;
  readonly credentials: ApiCredentials;
  readonly rateLimits: RateLimitOptions;
  readonly control: ControlHandler;
}

export interface RestHandler {
  (request: IncomingMessage, response: ServerResponse): void;
  /** On stop: destroys hung sockets ('hang' fault) and the sockets of replies still waiting out latency. */
  close(): void;
  /** For `server.on('clientError', …)`: malformed HTTP (e.g. oversized headers) gets a JSON error, not a bare close. */
  onClientError(error: Error & { code?: string }, socket: Duplex): void;
}

interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

// Binance bodies are small; anything this large is abuse or a client bug.
const MAX_BODY_BYTES = 256 * 1024;
const JSON_CONTENT_TYPE = 'application/json';

function jsonReply(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Reply {
  return { status, headers: { 'Content-Type': JSON_CONTENT_TYPE, ...headers }, body: JSON.stringify(body ?? null) };
}

function errorReply(error: ApiError, headers: Readonly<Record<string, string>> = {}): Reply {
  return jsonReply(error.httpStatus, error.toBody(), { ...headers, ...retryAfterHeader(error) });
}

function retryAfterHeader(error: ApiError): Record<string, string> {
  const retryAfter = error.headers['retry-after'];
  return retryAfter === undefined ? {} : { 'Retry-After': retryAfter };
}

function internalErrorReply(): Reply {
  return errorReply(apiErrors.unknown());
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

type BodyResult = { readonly kind: 'ok'; readonly text: string } | { readonly kind: 'too-large' };

function readBody(request: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.removeAllListeners('data');
        request.pause();
        resolve({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve({ kind: 'ok', text: Buffer.concat(chunks).toString('utf8') }));
    request.on('error', reject);
  });
}

export function createRestHandler(deps: RestHandlerDeps): RestHandler {
  const limiter = new RateLimiter(deps.clock, deps.rateLimits);
  const state: RestSessionState = { listenKey: undefined, maxNotionalBySymbol: new Map() };
  const hungSockets = new Set<Duplex>();
  const delayedReplies = new Map<TimerHandle, ServerResponse>();

  function send(response: ServerResponse, reply: Reply): void {
    if (response.writableEnded || response.destroyed) return;
    try {
      response.writeHead(reply.status, reply.headers);
      response.end(reply.body);
    } catch {
      response.destroy();
    }
  }

  /** Applies the latency fault: the reply waits on the Clock, so tests drive it with advance(). */
  function deliver(response: ServerResponse, reply: Reply): void {
    const latency = deps.faults.restLatencyMs();
    if (!(latency > 0)) {
      send(response, reply);
      return;
    }
    const handle = deps.clock.setTimeout(() => {
      delayedReplies.delete(handle);
      send(response, reply);
    }, latency);
    delayedReplies.set(handle, response);
  }

  function serverTime(): number {
    return deps.clock.now() + deps.faults.clockSkewMs();
  }

  function usageHeaders(endpoint: Endpoint | undefined): Record<string, string> {
    const countsOrders = (endpoint?.orders10s ?? 0) > 0 || (endpoint?.orders1m ?? 0) > 0;
    return limiter.usageHeaders(countsOrders);
  }

  function execute(endpoint: Endpoint, params: RequestParams, request: IncomingMessage, raw: RawRequest): Reply {
    const admission = limiter.admit({
      weight: safeWeight(endpoint, params),
      orders10s: endpoint.orders10s ?? 0,
      orders1m: endpoint.orders1m ?? 0,
    });
    if (!admission.admitted) return errorReply(admission.error, usageHeaders(endpoint));
    try {
      const now = serverTime();
      checkSecurity({
        security: endpoint.security,
        headers: request.headers,
        params,
        rawQuery: raw.query,
        rawBody: raw.signedBody,
        credentials: deps.credentials,
        serverTime: now,
      });
      const context: EndpointContext = {
        params,
        serverTime: now,
        market: deps.market,
        exchange: deps.exchange,
        listenKeys: deps.listenKeys,
        rateLimits: deps.rateLimits,
        state,
      };
      return jsonReply(200, endpoint.handle(context), usageHeaders(endpoint));
    } catch (error) {
      const failure = error instanceof ApiError ? error : apiErrors.unknown();
      return errorReply(failure, usageHeaders(endpoint));
    }
  }

  async function handleControl(raw: RawRequest, method: string, response: ServerResponse): Promise<void> {
    try {
      const result = await deps.control({
        method,
        path: raw.path.slice('/_sim'.length),
        query: new URLSearchParams(raw.query),
        body: raw.body,
      });
      send(response, jsonReply(result.status, result.body));
    } catch {
      send(response, internalErrorReply());
    }
  }

  function dispatch(request: IncomingMessage, response: ServerResponse, raw: RawRequest): void {
    const method = request.method ?? 'GET';
    const lookup = findEndpoint(method, raw.path);
    if (lookup.kind !== 'found') {
      // Unknown routes cost nothing, but a banned client is still refused (§2.7 "during a ban…").
      const admission = limiter.admit({ weight: 0, orders10s: 0, orders1m: 0 });
      if (!admission.admitted) {
        send(response, errorReply(admission.error, usageHeaders(undefined)));
      } else if (lookup.kind === 'not-found') {
        send(response, errorReply(new ApiError(404, -1000, 'Not found.'), usageHeaders(undefined)));
      } else {
        const allow = { Allow: lookup.allowed.join(', '), ...usageHeaders(undefined) };
        send(response, errorReply(new ApiError(405, -1000, `Method ${method} is not allowed here.`), allow));
      }
      return;
    }
    const endpoint = lookup.endpoint;
    const params = RequestParams.fromRaw(raw.query, raw.signedBody);
    const verdict = deps.faults.restVerdict({
      method,
      path: raw.path,
      isOrderMutation: endpoint.isOrderMutation === true,
      isReduceOnly: endpoint.isReduceOnly?.(params) === true,
    });
    switch (verdict.kind) {
      case 'pass':
        deliver(response, execute(endpoint, params, request, raw));
        return;
      case 'hang':
        hungSockets.add(request.socket);
        request.socket.once('close', () => hungSockets.delete(request.socket));
        return;
      case 'respond': {
        // §2.7 variant 1: the order really executes, only its reply is lost.
        if (verdict.executeFirst) execute(endpoint, params, request, raw);
        const contentType = looksLikeJson(verdict.body) ? JSON_CONTENT_TYPE : 'text/html';
        deliver(response, {
          status: verdict.status,
          headers: { 'Content-Type': contentType, ...usageHeaders(endpoint), ...verdict.headers },
          body: verdict.body,
        });
        return;
      }
      default: {
        const unreachable: never = verdict;
        throw new Error(`unknown fault verdict ${JSON.stringify(unreachable)}`);
      }
    }
  }

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
    const body = await readBody(request);
    if (body.kind === 'too-large') {
      response.setHeader('Connection', 'close');
      send(response, errorReply(new ApiError(413, -1000, 'Request body too large.')));
      return;
    }
    const method = request.method ?? 'GET';
    const raw: RawRequest = { path, query, body: body.text, signedBody: carriesParams(request) ? body.text : '' };
    if (path === '/_sim' || path.startsWith('/_sim/')) {
      await handleControl(raw, method, response);
      return;
    }
    dispatch(request, response, raw);
  }

  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    response.on('error', () => response.destroy());
    handleRequest(request, response).catch(() => {
      try {
        send(response, internalErrorReply());
      } catch {
        response.destroy();
      }
    });
  };

  return Object.assign(handler, {
    close(): void {
      for (const socket of hungSockets) socket.destroy();
      hungSockets.clear();
      for (const [handle, response] of delayedReplies) {
        deps.clock.clearTimer(handle);
        response.destroy();
      }
      delayedReplies.clear();
    },
    onClientError(error: Error & { code?: string }, socket: Duplex): void {
      if (error.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = JSON.stringify({ code: -1000, msg: 'Malformed HTTP request.' });
      socket.end(
        `HTTP/1.1 ${status} Bad Request\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });
}

interface RawRequest {
  readonly path: string;
  readonly query: string;
  /** The whole body as received. */
  readonly body: string;
  /** The body that carries parameters and is signed: empty for GET. */
  readonly signedBody: string;
}

/**
 * Whether the body holds parameters (and is part of the signed text): only on non-GET requests
 * (§2.2: GET parameters live in the query string) and only for a urlencoded body. A missing
 * Content-Type is read as urlencoded, as some clients omit it.
 */
function carriesParams(request: IncomingMessage): boolean {
  if ((request.method ?? 'GET') === 'GET') return false;
  const contentType = request.headers['content-type'];
  return contentType === undefined || contentType.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Weight functions read raw text and should not throw; if one does, charge 1 rather than fail. */
function safeWeight(endpoint: Endpoint, params: RequestParams): number {
  try {
    return endpointWeight(endpoint, params);
  } catch {
    return 1;
  }
}
