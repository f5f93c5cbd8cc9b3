import type { StreamSocket, StreamSocketEvents, StreamSocketFactory } from './stream-socket.ts';

/** Test double of one socket: records what the client sent, and lets a test play the server. */
export class FakeStreamSocket implements StreamSocket {
  readonly url: string;
  readonly events: StreamSocketEvents;
  readonly sent: string[] = [];
  readonly pings: string[] = [];
  closedWith: { code: number; reason: string } | undefined;
  terminated = false;
  #ended = false;

  constructor(url: string, events: StreamSocketEvents) {
    this.url = url;
    this.events = events;
  }

  // ── the client's side ──
  send(text: string): void {
    this.sent.push(text);
  }
  ping(payload: string): void {
    this.pings.push(payload);
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.#end(code, reason);
  }
  terminate(): void {
    this.terminated = true;
    this.#end(1006, '');
  }

  // ── the server's side ──
  open(): void {
    this.events.onOpen();
  }
  receive(frame: unknown): void {
    this.events.onText(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
  pong(payload = this.pings.at(-1) ?? ''): void {
    this.events.onPong(payload);
  }
  drop(): void {
    this.#end(1006, '');
  }
  reject(status: number, body: string): void {
    this.events.onRejected(status, body);
    this.#end(1006, `upgrade refused with HTTP ${status}`);
  }
  /** Control frames the client sent, parsed. */
  controls(): { method: string; params: string[]; id: number }[] {
    return this.sent.map((text) => JSON.parse(text) as { method: string; params: string[]; id: number });
  }
  /** Acknowledges every control frame sent so far that was not acknowledged yet. */
  ackAll(): void {
    for (const control of this.controls().slice(this.#acked)) this.receive({ result: null, id: control.id });
    this.#acked = this.sent.length;
  }
  #acked = 0;

  get ended(): boolean {
    return this.#ended;
  }

  #end(code: number, reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.events.onClose(code, reason);
  }
}

/** A socket factory that keeps every socket it made, newest last. */
export class FakeStreamSockets {
  readonly all: FakeStreamSocket[] = [];

  readonly factory: StreamSocketFactory = (url, events) => {
    const socket = new FakeStreamSocket(url, events);
    this.all.push(socket);
    return socket;
  };

  get last(): FakeStreamSocket {
    const socket = this.all.at(-1);
    if (socket === undefined) throw new Error('no socket was opened');
    return socket;
  }

  at(index: number): FakeStreamSocket {
    const socket = this.all[index];
    if (socket === undefined) throw new Error(`no socket #${index} (only ${this.all.length})`);
    return socket;
  }
}
