import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestClock } from '../../lib/test-clock.ts';
import type { ControlHandler } from '../faults/fault-gate.ts';
import { DEFAULT_RATE_LIMITS, type RateLimitOptions } from './rate-limiter.ts';
import { createRestHandler, type RestHandler } from './rest-handler.ts';
import { FakeExchange, FakeFaultGate, FakeListenKeys, FakeMarket } from './rest-test-fakes.ts';

/** A loopback server around the real REST handler and the fakes, plus a client-side signer, for tests. */

// Binance's documented example key pair.
export const TEST_API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
export const TEST_API_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

export interface TestRestServer {
  readonly baseUrl: string;
  readonly clock: TestClock;
  readonly exchange: FakeExchange;
  readonly listenKeys: FakeListenKeys;
  readonly faults: FakeFaultGate;
  readonly controlCalls: Parameters<ControlHandler>[0][];
  readonly handler: RestHandler;
  readonly server: Server;
  stop(): Promise<void>;
}

export async function startTestRestServer(
  options: { rateLimits?: RateLimitOptions; startMs?: number } = {},
): Promise<TestRestServer> {
  // 30 s into a minute, so rate-limit windows have a known remainder.
  const clock = new TestClock(options.startMs ?? Date.UTC(2026, 0, 1, 0, 0, 30));
  const exchange = new FakeExchange(clock);
  const listenKeys = new FakeListenKeys();
  const faults = new FakeFaultGate();
  const controlCalls: Parameters<ControlHandler>[0][] = [];
  const handler = createRestHandler({
    clock,
    market: new FakeMarket(clock),
    exchange,
    listenKeys,
    faults,
    credentials: { apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET },
    rateLimits: options.rateLimits ?? DEFAULT_RATE_LIMITS,
    control: async (request) => {
      controlCalls.push(request);
      return { status: 200, body: { ok: true, path: request.path } };
    },
  });
  const server = createServer(handler);
  server.on('clientError', handler.onClientError);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    clock,
    exchange,
    listenKeys,
    faults,
    controlCalls,
    handler,
    server,
    async stop() {
      handler.close();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export type Placement = 'query' | 'body' | 'mixed';

export interface SignedOptions {
  readonly placement?: Placement;
  readonly timestamp?: number | null;
  readonly apiKey?: string | null;
  readonly secret?: string;
  readonly recvWindow?: number;
}

/** Builds and signs a request the way a Binance client does: HMAC-SHA256 hex over query + body. */
export async function signed(
  server: TestRestServer,
  method: string,
  path: string,
  params: Record<string, string>,
  options: SignedOptions = {},
): Promise<Response> {
  const all: Record<string, string> = { ...params };
  if (options.timestamp !== null) all.timestamp = String(options.timestamp ?? server.clock.now());
  if (options.recvWindow !== undefined) all.recvWindow = String(options.recvWindow);
  const entries = Object.entries(all);
  const placement = options.placement ?? 'query';
  const split = placement === 'mixed' ? Math.ceil(entries.length / 2) : placement === 'query' ? entries.length : 0;
  let query = new URLSearchParams(entries.slice(0, split)).toString();
  let body = new URLSearchParams(entries.slice(split)).toString();
  const signature = createHmac('sha256', options.secret ?? TEST_API_SECRET)
    .update(query + body)
    .digest('hex');
  if (placement === 'query') query = query === '' ? `signature=${signature}` : `${query}&signature=${signature}`;
  else body = body === '' ? `signature=${signature}` : `${body}&signature=${signature}`;
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (options.apiKey !== null) headers['X-MBX-APIKEY'] = options.apiKey ?? TEST_API_KEY;
  return fetch(`${server.baseUrl}${path}?${query}`, {
    method,
    headers,
    ...(body !== '' && { body }),
    signal: AbortSignal.timeout(5000),
  });
}

/** A signed request whose JSON body is returned as is. */
export async function signedJson(
  server: TestRestServer,
  method: string,
  path: string,
  params: Record<string, string> = {},
): Promise<unknown> {
  return (await signed(server, method, path, params)).json();
}

export async function publicGet(server: TestRestServer, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.baseUrl}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.json() };
}

export function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  }
  return Object.fromEntries(Object.entries(value));
}

export function asList(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error(`expected an array, got ${JSON.stringify(value)}`);
  return value;
}
