/**
 * Test support (not shipped code): a real HTTP receiver on 127.0.0.1:0 that records every request,
 * and a driver that advances a TestClock while real loopback I/O completes.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as realDelay } from 'node:timers/promises';
import type { TestClock } from '../../lib/test-clock.ts';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The test clock's time when the request arrived (backoff is measured on it). */
  readonly at: number;
}

export type Reply =
  | { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | 'hang';

export interface HttpReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** `reply(request, index)` decides each answer; 'hang' never answers (the socket stays open). */
export async function startHttpReceiver(
  clock: { now(): number },
  reply: (request: ReceivedRequest, index: number) => Reply,
): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: clock.now(),
      };
      requests.push(received);
      const answer = reply(received, requests.length - 1);
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Awaits `promise`, advancing `clock` by `stepMs` each time real I/O has had a moment (5 ms) and
 * the promise is still pending: backoff sleeps and per-attempt timeouts fire on the test clock,
 * loopback requests complete for real. Bounded, so a hung delivery fails the test instead of hanging it.
 */
export async function settleOnClock<T>(
  clock: TestClock,
  promise: Promise<T>,
  stepMs: number,
  maxSteps = 400,
): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  for (let step = 0; step < maxSteps && !settled; step += 1) {
    await realDelay(5);
    if (!settled) clock.advance(stepMs);
  }
  if (!settled) throw new Error(`still pending after ${maxSteps} clock steps`);
  return tracked;
}
