import type { WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import type { StreamChannel } from '../faults/fault-gate.ts';
import type { StreamClass } from './stream-names.ts';

/** The connection rules of reference §3.2, compressible for tests. */
export interface ConnectionRules {
  /** The server pings this often, with a payload the pong must echo (Binance: 3 min). */
  readonly pingIntervalMs: number;
  /** No echoing pong this long after a ping → the socket is cut (Binance: 10 min). */
  readonly pongTimeoutMs: number;
  /** A connection lives at most this long (Binance: 24 h). */
  readonly maxConnectionMs: number;
  /** More incoming messages than this within one second → disconnect (Binance: 10). */
  readonly maxIncomingPerSecond: number;
}

export interface ConnectionHandlers {
  onText(connection: StreamConnection, text: string): void;
  onClosed(connection: StreamConnection): void;
}

interface QueuedMessage {
  readonly dueAt: number;
  readonly text: string;
}

/**
 * One client socket: its subscriptions, an ordered outgoing queue on the Clock (for injected
 * latency and the user-stream jitter), and the ping / pong / lifetime / rate rules. What a frame
 * means is the server's business; this class only moves bytes and enforces the rules.
 */
export class StreamConnection {
  readonly id: number;
  readonly channel: StreamChannel;
  /** `combined` property: wrap payloads as `{"stream":…,"data":…}`. */
  combined: boolean;
  /** Market streams as the client named them (LIST_SUBSCRIPTIONS order) → what they are. */
  readonly streams = new Map<string, StreamClass | undefined>();
  /** listenKey → `events` allow-list (undefined = all). */
  readonly userKeys = new Map<string, ReadonlySet<string> | undefined>();

  readonly #socket: WebSocket;
  readonly #clock: Clock;
  readonly #rules: ConnectionRules;
  readonly #handlers: ConnectionHandlers;
  readonly #queue: QueuedMessage[] = [];
  #queueHead = 0;
  #lastDueAt = 0;
  #flushTimer: TimerHandle | undefined;
  readonly #pingTimer: TimerHandle;
  readonly #lifetimeTimer: TimerHandle;
  #pongDeadline: TimerHandle | undefined;
  readonly #unansweredPings = new Set<string>();
  /** Arrival times of the last `maxIncomingPerSecond` messages (a ring). */
  readonly #arrivals: number[] = [];
  #arrivalIndex = 0;
  #ended = false;

  constructor(init: {
    id: number;
    socket: WebSocket;
    channel: StreamChannel;
    combined: boolean;
    clock: Clock;
    rules: ConnectionRules;
    handlers: ConnectionHandlers;
  }) {
    this.id = init.id;
    this.channel = init.channel;
    this.combined = init.combined;
    this.#socket = init.socket;
    this.#clock = init.clock;
    this.#rules = init.rules;
    this.#handlers = init.handlers;

    this.#socket.on('message', (data, isBinary) => {
      if (!this.#admitIncoming()) return;
      this.#handlers.onText(this, isBinary ? '' : rawDataToString(data));
    });
    // Client pings count towards the message limit (as on Spot); ws answers them with a pong itself.
    this.#socket.on('ping', () => this.#admitIncoming());
    this.#socket.on('pong', (data) => this.#onPong(data.toString()));
    this.#socket.on('error', () => this.terminate());
    this.#socket.on('close', () => this.#end());

    this.#pingTimer = this.#clock.setInterval(() => this.#ping(), this.#rules.pingIntervalMs);
    // Binance: "a single connection is only valid for 24 hours; expect to be disconnected".
    this.#lifetimeTimer = this.#clock.setTimeout(
      () => this.close(1001, 'Connection lifetime exceeded'),
      this.#rules.maxConnectionMs,
    );
  }

  /**
   * Sends `text` after `delayMs` of Clock time, never overtaking an earlier message: a message due
   * sooner than the one queued before it waits for it (Binance delivers each stream in order).
   */
  send(text: string, delayMs: number): void {
    if (this.#ended) return;
    const now = this.#clock.now();
    if (delayMs <= 0 && this.#queueHead === this.#queue.length) {
      this.#write(text);
      return;
    }
    const dueAt = Math.max(now + Math.max(0, delayMs), this.#lastDueAt);
    this.#lastDueAt = dueAt;
    this.#queue.push({ dueAt, text });
    if (this.#flushTimer === undefined) this.#scheduleFlush();
  }

  /** A graceful close frame (lifetime, rate limit). */
  close(code: number, reason: string): void {
    if (this.#ended) return;
    this.#socket.close(code, reason);
    this.#stopTimers();
  }

  /** An abrupt cut with no close frame (dead-peer detection, fault injection). */
  terminate(): void {
    if (this.#ended) return;
    this.#socket.terminate();
    this.#end();
  }

  #write(text: string): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(text);
  }

  #scheduleFlush(): void {
    const next = this.#queue[this.#queueHead];
    if (next === undefined) return;
    this.#flushTimer = this.#clock.setTimeout(() => this.#flush(), next.dueAt - this.#clock.now());
  }

  #flush(): void {
    this.#flushTimer = undefined;
    const now = this.#clock.now();
    for (;;) {
      const next = this.#queue[this.#queueHead];
      if (next === undefined || next.dueAt > now) break;
      this.#queueHead += 1;
      this.#write(next.text);
    }
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
      return;
    }
    // Under constant latency the queue never drains: drop the sent prefix now and then.
    if (this.#queueHead > 1_024) {
      this.#queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
    this.#scheduleFlush();
  }

  /** false (and the socket is closed) once more than the allowed messages arrived within a second. */
  #admitIncoming(): boolean {
    if (this.#ended) return false;
    const limit = Math.max(1, this.#rules.maxIncomingPerSecond);
    const now = this.#clock.now();
    const oldest = this.#arrivals[this.#arrivalIndex];
    if (this.#arrivals.length === limit && oldest !== undefined && now - oldest < 1_000) {
      // Binance disconnects a connection that sends too fast (§3.2).
      this.close(1008, 'Too many messages');
      return false;
    }
    this.#arrivals[this.#arrivalIndex] = now;
    this.#arrivalIndex = (this.#arrivalIndex + 1) % limit;
    return true;
  }

  #ping(): void {
    if (this.#ended) return;
    const payload = String(this.#clock.now());
    this.#unansweredPings.add(payload);
    this.#socket.ping(payload);
    // The deadline runs from the oldest unanswered ping.
    this.#pongDeadline ??= this.#clock.setTimeout(() => this.terminate(), this.#rules.pongTimeoutMs);
  }

  /** Only a pong echoing one of our pings counts; unsolicited pongs are allowed but prove nothing. */
  #onPong(payload: string): void {
    if (!this.#unansweredPings.has(payload)) return;
    this.#unansweredPings.clear();
    this.#clock.clearTimer(this.#pongDeadline);
    this.#pongDeadline = undefined;
  }

  #stopTimers(): void {
    this.#clock.clearTimer(this.#pingTimer);
    this.#clock.clearTimer(this.#lifetimeTimer);
    this.#clock.clearTimer(this.#pongDeadline);
    this.#clock.clearTimer(this.#flushTimer);
    this.#pongDeadline = undefined;
    this.#flushTimer = undefined;
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stopTimers();
    this.#queue.length = 0;
    this.#queueHead = 0;
    this.#handlers.onClosed(this);
  }
}

function rawDataToString(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
