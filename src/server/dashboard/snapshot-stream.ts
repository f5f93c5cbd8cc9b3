import type { ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../../lib/clock.ts';

const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Server-sent events for the dashboard: every client gets the current snapshot at once, then one
 * every `intervalMs` on the Clock. One timer runs while anyone listens and the snapshot is built
 * once per tick for all clients. `closeAll` ends every response so the server can close: an open
 * event stream would otherwise keep `fastify.close()` waiting forever.
 */
export class SnapshotStream {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #snapshot: () => string;
  readonly #clients = new Set<ServerResponse>();
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: { readonly clock: Clock; readonly intervalMs: number; readonly snapshot: () => string }) {
    if (!(options.intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${options.intervalMs}`);
    this.#clock = options.clock;
    this.#intervalMs = options.intervalMs;
    this.#snapshot = options.snapshot;
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Takes over a response: event-stream headers, the first snapshot now, the rest on the timer. */
  add(response: ServerResponse): void {
    if (this.#closed) {
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"server is closing"}');
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // A reverse proxy must not buffer the stream (nginx honours this header).
      'x-accel-buffering': 'no',
    });
    // EventSource retries after this many ms when the stream drops (e.g. an engine restart).
    response.write('retry: 2000\n\n');
    this.#clients.add(response);
    response.on('close', () => this.#remove(response));
    this.#send(response, this.#snapshot());
    this.#timer ??= this.#clock.setInterval(() => this.#broadcast(), this.#intervalMs);
  }

  /** Pushes a snapshot to every client now (e.g. after a state change), outside the timer. */
  broadcast(): void {
    this.#broadcast();
  }

  closeAll(): void {
    this.#closed = true;
    for (const response of this.#clients) response.end();
    this.#clients.clear();
    this.#stopTimer();
  }

  #broadcast(): void {
    if (this.#clients.size === 0) return;
    const data = this.#snapshot();
    for (const response of this.#clients) this.#send(response, data);
  }

  #send(response: ServerResponse, data: string): void {
    // A client that stopped reading (a laptop asleep behind a proxy) must not grow our memory.
    if (response.writableLength > MAX_BUFFERED_BYTES) {
      response.destroy();
      return;
    }
    // JSON.stringify never emits a newline, so one `data:` line carries the whole snapshot.
    response.write(`data: ${data}\n\n`);
  }

  #remove(response: ServerResponse): void {
    this.#clients.delete(response);
    if (this.#clients.size === 0) this.#stopTimer();
  }

  #stopTimer(): void {
    this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}
