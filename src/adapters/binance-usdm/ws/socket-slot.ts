import type { Clock, TimerHandle } from '../../../lib/clock.ts';
import type { StreamSocket, StreamSocketFactory } from './stream-socket.ts';

export interface SocketSlotTimings {
  /** Client ping cadence; the pong must come within `pongTimeoutMs` or the link is dead. */
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  /** An upgrade not done by then is abandoned (a hung TCP handshake never errors by itself). */
  readonly connectTimeoutMs: number;
  /** A SUBSCRIBE/UNSUBSCRIBE not acknowledged by then means the socket is not listening. */
  readonly controlReplyTimeoutMs: number;
  /**
   * Spacing of control frames: Binance disconnects above 10 incoming messages per second per
   * connection (reference §3.2), and our pings count too.
   */
  readonly controlFrameIntervalMs: number;
}

export interface SocketSlotHooks {
  onOpen(slot: SocketSlot): void;
  onText(slot: SocketSlot, text: string): void;
  onRejected(slot: SocketSlot, status: number, body: string): void;
  /** The socket ended without us retiring it first (drop, refusal, connect timeout, control timeout). */
  onClose(slot: SocketSlot, reason: string): void;
  onPongTimeout(slot: SocketSlot): void;
}

export type ControlMethod = 'SUBSCRIBE' | 'UNSUBSCRIBE';
/** undefined on success, else the venue's error text. */
export type ControlDone = (error: string | undefined) => void;

interface PendingControl {
  readonly done: ControlDone;
  readonly timer: TimerHandle;
}

/**
 * One physical socket of a logical stream connection: its ping/pong deadline, connect timeout and
 * the JSON control frames sent on it with their replies. Once retired (replaced or stopped) it
 * reports nothing more, so late events of a dead socket never reach the state machine.
 */
export class SocketSlot {
  readonly id: number;
  /** Clock time the upgrade completed; undefined while connecting. */
  openedAt: number | undefined;
  /** Streams this socket has confirmed (SUBSCRIBE acknowledged, or carried in its URL). */
  readonly acked = new Set<string>();
  #retired = false;
  readonly #socket: StreamSocket;
  readonly #clock: Clock;
  readonly #timings: SocketSlotTimings;
  readonly #hooks: SocketSlotHooks;
  #connectTimer: TimerHandle | undefined;
  #pingTimer: TimerHandle | undefined;
  #pongDeadline: TimerHandle | undefined;
  #pingPayload = '';
  #pingCount = 0;
  #nextControlId = 1;
  readonly #pending = new Map<number, PendingControl>();
  readonly #outbox: string[] = [];
  #outboxTimer: TimerHandle | undefined;
  #lastControlAt = Number.NEGATIVE_INFINITY;

  constructor(init: {
    id: number;
    url: string;
    clock: Clock;
    timings: SocketSlotTimings;
    factory: StreamSocketFactory;
    hooks: SocketSlotHooks;
  }) {
    this.id = init.id;
    this.#clock = init.clock;
    this.#timings = init.timings;
    this.#hooks = init.hooks;
    this.#connectTimer = this.#clock.setTimeout(() => {
      this.#connectTimer = undefined;
      if (this.openedAt === undefined) this.drop();
    }, this.#timings.connectTimeoutMs);
    this.#socket = init.factory(init.url, {
      onOpen: () => this.#onOpen(),
      onText: (text) => {
        if (!this.#retired) this.#hooks.onText(this, text);
      },
      onPong: (payload) => this.#onPong(payload),
      onRejected: (status, body) => {
        if (!this.#retired) this.#hooks.onRejected(this, status, body);
      },
      onClose: (code, reason) => {
        if (this.#retired) return;
        this.#retire();
        this.#hooks.onClose(this, `closed (${code}${reason === '' ? '' : ` ${reason}`})`);
      },
    });
  }

  get retired(): boolean {
    return this.#retired;
  }

  get isOpen(): boolean {
    return this.openedAt !== undefined && !this.#retired;
  }

  /**
   * Queues a control frame, sent no sooner than `controlFrameIntervalMs` after the previous one.
   * `done` runs once with the reply; with no reply in time the socket is dropped (`onClose`), and
   * `done` is not called for a retired socket: its streams are replayed on the next socket.
   */
  sendControl(method: ControlMethod, params: readonly string[], done: ControlDone): void {
    if (this.#retired) return;
    const id = this.#nextControlId++;
    this.#outbox.push(JSON.stringify({ method, params, id }));
    const timer = this.#clock.setTimeout(() => this.drop(), this.#timings.controlReplyTimeoutMs);
    this.#pending.set(id, { done, timer });
    this.#pumpOutbox();
  }

  /** A `{"result":…,"id":…}` or `{"error":…,"id":…}` frame; false when no control of ours has that id. */
  handleControlReply(id: number | null, error: string | undefined): boolean {
    if (id === null) return false;
    const pending = this.#pending.get(id);
    if (pending === undefined) return false;
    this.#pending.delete(id);
    this.#clock.clearTimer(pending.timer);
    pending.done(error);
    return true;
  }

  /** Retires the slot and closes the socket with a close frame. */
  close(code: number, reason: string): void {
    if (this.#retired) return;
    this.#retire();
    this.#socket.close(code, reason);
  }

  /** Retires the slot and cuts the socket. */
  terminate(): void {
    if (this.#retired) return;
    this.#retire();
    this.#socket.terminate();
  }

  /** Closes the socket gracefully but keeps reporting until it has closed (`onClose`). */
  closeAndReport(code: number, reason: string): void {
    if (!this.#retired) this.#socket.close(code, reason);
  }

  /** Cuts the socket as if the network had: `onClose` follows. */
  drop(): void {
    if (!this.#retired) this.#socket.terminate();
  }

  #onOpen(): void {
    if (this.#retired) return;
    this.#clock.clearTimer(this.#connectTimer);
    this.#connectTimer = undefined;
    this.openedAt = this.#clock.now();
    this.#pingTimer = this.#clock.setInterval(() => this.#ping(), this.#timings.pingIntervalMs);
    this.#hooks.onOpen(this);
    this.#pumpOutbox();
  }

  #ping(): void {
    // One outstanding ping at a time: its deadline is what detects the dead link.
    if (this.#retired || this.#pongDeadline !== undefined) return;
    this.#pingPayload = String(++this.#pingCount);
    this.#socket.ping(this.#pingPayload);
    this.#pongDeadline = this.#clock.setTimeout(() => {
      this.#pongDeadline = undefined;
      if (!this.#retired) this.#hooks.onPongTimeout(this);
    }, this.#timings.pongTimeoutMs);
  }

  #onPong(payload: string): void {
    // Pongs must echo the ping (reference §3.2); an unsolicited or stale pong proves nothing.
    if (this.#retired || payload !== this.#pingPayload) return;
    this.#clock.clearTimer(this.#pongDeadline);
    this.#pongDeadline = undefined;
  }

  #pumpOutbox(): void {
    if (!this.isOpen || this.#outboxTimer !== undefined || this.#outbox.length === 0) return;
    const wait = this.#lastControlAt + this.#timings.controlFrameIntervalMs - this.#clock.now();
    if (wait > 0) {
      this.#outboxTimer = this.#clock.setTimeout(() => {
        this.#outboxTimer = undefined;
        this.#pumpOutbox();
      }, wait);
      return;
    }
    const frame = this.#outbox.shift();
    if (frame === undefined) return;
    this.#lastControlAt = this.#clock.now();
    this.#socket.send(frame);
    this.#pumpOutbox();
  }

  #retire(): void {
    this.#retired = true;
    for (const timer of [this.#connectTimer, this.#pingTimer, this.#pongDeadline, this.#outboxTimer]) {
      this.#clock.clearTimer(timer);
    }
    for (const pending of this.#pending.values()) this.#clock.clearTimer(pending.timer);
    this.#pending.clear();
    this.#outbox.length = 0;
  }
}
