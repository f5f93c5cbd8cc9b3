import WebSocket from 'ws';

/** A WebSocket client that records every text message, for assertions with bounded waits. */
export class RecordingSocket {
  readonly messages: unknown[] = [];
  readonly socket: WebSocket;
  closed = false;
  #waiters: { predicate: () => boolean; resolve: () => void }[] = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)));
      this.#check();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#check();
    });
  }

  static async open(url: string): Promise<RecordingSocket> {
    const socket = new WebSocket(url);
    const recorder = new RecordingSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused with HTTP ${response.statusCode}`)),
      );
    });
    return recorder;
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Resolves when `predicate` holds, or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      this.#waiters.push({
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Messages whose `e` (or wrapped `data.e`) equals `eventType`. */
  events(eventType: string): Record<string, unknown>[] {
    return this.messages.map((message) => unwrap(message)).filter((payload) => payload?.e === eventType) as Record<
      string,
      unknown
    >[];
  }

  close(): void {
    this.socket.terminate();
  }

  #check(): void {
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.predicate()) return true;
      waiter.resolve();
      return false;
    });
  }
}

function unwrap(message: unknown): Record<string, unknown> | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const record = message as Record<string, unknown>;
  if ('stream' in record && typeof record.data === 'object') return record.data as Record<string, unknown>;
  return record;
}
