import { ExchangeError } from '../../../domain/exchange-error.ts';
import type { Clock, TimerHandle } from '../../../lib/clock.ts';
import type { StreamConnectionState, StreamHealth, StreamLifecycleEvent } from '../../../ports/exchange-streams.ts';
import { type ConnectionEvent, transitionConnection } from './connection-transitions.ts';
import { backoffDelay } from './reconnect-backoff.ts';
import { RotationHandoff } from './rotation-handoff.ts';
import { type ControlMethod, SocketSlot } from './socket-slot.ts';
import type { ClassifiedFrame, StreamConnectionInit, StreamConnectionOptions } from './stream-connection-options.ts';
import { openWsSocket, type StreamSocketFactory } from './stream-socket.ts';

export type { ClassifiedFrame, StreamConnectionInit } from './stream-connection-options.ts';

type DataFrame<M> = Extract<ClassifiedFrame<M>, { kind: 'data' }>;

import { SubscriptionWaiters } from './subscription-waiters.ts';

/**
 * One logical stream connection that survives its sockets (issue 3 point 6): client ping with a pong
 * deadline, receive age per stream, a silence watchdog, reconnect with capped exponential backoff
 * and jitter (no attempt limit), resubscribe then `reconnected`, and rotation before the 24 h cut
 * with the new socket up before the old one closes. All timers run on the injected Clock.
 */
export class StreamConnection<M> {
  readonly name: string;
  readonly #init: StreamConnectionInit<M>;
  readonly #clock: Clock;
  readonly #options: StreamConnectionOptions;
  readonly #factory: StreamSocketFactory;
  #state: StreamConnectionState = 'idle';
  /** Wanted streams → last receive time. */
  readonly #streams = new Map<string, number | undefined>();
  #primary: SocketSlot | undefined;
  #incoming: SocketSlot | undefined;
  #incomingReady = false;
  /** During and just after a rotation: hands each stream from the outgoing socket to the incoming one. */
  #handoff: RotationHandoff<DataFrame<M>> | undefined;
  #handoffFrom: SocketSlot | undefined;
  #nextSlotId = 1;
  #attempt = 0;
  #rotationFailures = 0;
  #reconnects = 0;
  #downSince: number | undefined;
  #lastDataAt = 0;
  #backoffTimer: TimerHandle | undefined;
  #silenceTimer: TimerHandle | undefined;
  #rotationTimer: TimerHandle | undefined;
  #overlapTimer: TimerHandle | undefined;
  #closeTimer: TimerHandle | undefined;
  readonly #waiters = new SubscriptionWaiters();
  readonly #closedWaiters: (() => void)[] = [];

  constructor(init: StreamConnectionInit<M>) {
    this.name = init.name;
    this.#init = init;
    this.#clock = init.clock;
    this.#options = init.options;
    this.#factory = init.socketFactory ?? openWsSocket;
  }

  get state(): StreamConnectionState {
    return this.#state;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  get streams(): readonly string[] {
    return [...this.#streams.keys()];
  }

  start(): void {
    if (this.#dispatch('connect')) this.#openPrimary();
  }

  /** Adds streams; resolves once the venue acknowledged them (now, or after the next reconnect). */
  subscribe(streams: readonly string[]): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return Promise.reject(closedError(this.name));
    const fresh = streams.filter((stream) => !this.#streams.has(stream));
    for (const stream of fresh) this.#streams.set(stream, undefined);
    const promise = this.#waitFor(streams);
    if (this.#init.subscription === 'frames' && fresh.length > 0) {
      for (const slot of [this.#primary, this.#incoming]) if (slot?.isOpen === true) this.#sendStreams(slot, fresh);
    } else if (this.#init.subscription === 'url') {
      for (const slot of [this.#primary, this.#incoming]) if (slot?.isOpen === true) this.#ack(slot, fresh);
    }
    if (this.#state === 'idle') this.start();
    return promise;
  }

  unsubscribe(streams: readonly string[]): Promise<void> {
    const known = streams.filter((stream) => this.#streams.delete(stream));
    this.#waiters.settle(known);
    if (this.#init.subscription === 'frames' && known.length > 0) {
      for (const slot of [this.#primary, this.#incoming]) {
        if (slot?.isOpen !== true) continue;
        for (const stream of known) slot.acked.delete(stream);
        // Not awaited: the streams are gone from the set either way, so no later socket asks for them.
        this.#control(slot, 'UNSUBSCRIBE', known, () => undefined);
      }
    }
    return Promise.resolve();
  }

  /** force: drop every socket and connect at once. Otherwise a graceful rotation (no gap). */
  reconnect(force: boolean): void {
    if (!force) {
      if (this.#state === 'open') this.#rotate();
      return;
    }
    const wasOpen = this.#state === 'open';
    if (!this.#dispatch('forceReconnect')) return;
    this.#clock.clearTimer(this.#backoffTimer);
    if (this.#state === 'reconnecting') {
      this.#primary?.terminate();
      this.#wentDown('forced reconnect', wasOpen);
      this.#dispatch('connect');
    }
    this.#attempt = 0;
    this.#openPrimary();
  }

  close(): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#closedWaiters.push(resolve));
    if (this.#state !== 'closing' && this.#dispatch('close')) {
      this.#abandonRotation();
      this.#stopTimers();
      // From connecting or open there is a socket to close; from idle or reconnecting there is none.
      if (this.state === 'closing') {
        const slot = this.#primary;
        // A socket still in its handshake cannot take a close frame: cut it now.
        if (slot?.isOpen === true) slot.closeAndReport(1000, 'client stop');
        else slot?.drop();
        this.#closeTimer = this.#clock.setTimeout(() => slot?.drop(), this.#options.closeTimeoutMs);
        if (slot === undefined || slot.retired) this.#finishClose();
      } else {
        this.#finishClose();
      }
    }
    return done;
  }

  health(): StreamHealth[] {
    const now = this.#clock.now();
    return [...this.#streams].map(([stream, lastMessageAt]) => ({
      stream,
      connection: this.name,
      state: this.#state,
      receiveAgeMs: lastMessageAt === undefined ? undefined : now - lastMessageAt,
      reconnects: this.#reconnects,
      lastMessageAt,
    }));
  }

  // ── sockets ──────────────────────────────────────────────────────────────────────────────────

  #openSlot(): SocketSlot {
    return new SocketSlot({
      id: this.#nextSlotId++,
      url: this.#init.url(),
      clock: this.#clock,
      timings: this.#options,
      factory: this.#factory,
      hooks: {
        onOpen: (slot) => this.#onOpen(slot),
        onText: (slot, text) => this.#onText(slot, text),
        onRejected: (_slot, status, body) => this.#init.onRejected?.(status, body),
        onClose: (slot, reason) => this.#onClose(slot, reason),
        onPongTimeout: (slot) => this.#onPongTimeout(slot),
      },
    });
  }

  #openPrimary(): void {
    this.#primary = this.#openSlot();
  }

  #onOpen(slot: SocketSlot): void {
    if (slot === this.#primary) {
      if (!this.#dispatch('opened')) return;
      this.#emit({ kind: 'connected', connection: this.name, at: this.#clock.now() });
      this.#lastDataAt = this.#clock.now();
      this.#startSilenceWatch();
      this.#scheduleRotation(this.#options.maxConnectionAgeMs);
      this.#resubscribe(slot, () => this.#onPrimaryReady());
    } else if (slot === this.#incoming) {
      this.#handoff = new RotationHandoff(this.#streams.keys());
      this.#handoffFrom = this.#primary;
      this.#resubscribe(slot, () => {
        this.#incomingReady = true;
        if (this.#handoff?.complete === true) this.#finishRotation();
        else this.#overlapTimer = this.#clock.setTimeout(() => this.#finishRotation(), this.#options.rotationOverlapMs);
      });
    }
  }

  #onPrimaryReady(): void {
    if (this.#downSince === undefined) return;
    const now = this.#clock.now();
    this.#reconnects += 1;
    this.#emit({ kind: 'reconnected', connection: this.name, at: now, downtimeMs: now - this.#downSince });
    this.#downSince = undefined;
  }

  #onClose(slot: SocketSlot, reason: string): void {
    if (slot === this.#incoming) {
      this.#retryRotation();
      return;
    }
    if (slot !== this.#primary) return;
    if (this.#state === 'closing') {
      this.#dispatch('socketClosed');
      this.#finishClose();
      return;
    }
    const wasOpen = this.#state === 'open';
    if (!this.#dispatch('socketClosed')) return;
    this.#wentDown(reason, wasOpen);
    this.#scheduleReconnect();
  }

  #onPongTimeout(slot: SocketSlot): void {
    if (slot === this.#incoming) {
      this.#retryRotation();
    } else if (slot === this.#primary) {
      this.#dropPrimary('pongTimeout', `no pong within ${this.#options.pongTimeoutMs} ms`);
    }
  }

  #dropPrimary(event: ConnectionEvent, reason: string): void {
    if (!this.#dispatch(event)) return;
    this.#primary?.terminate();
    this.#wentDown(reason, true);
    this.#scheduleReconnect();
  }

  #wentDown(reason: string, wasOpen: boolean): void {
    // A socket that stayed up long enough was healthy: the backoff starts over.
    const openedAt = this.#primary?.openedAt;
    if (openedAt !== undefined && this.#clock.now() - openedAt >= this.#options.stableAfterMs) this.#attempt = 0;
    this.#abandonRotation();
    this.#clock.clearTimer(this.#silenceTimer);
    this.#clock.clearTimer(this.#rotationTimer);
    if (!wasOpen) return;
    const now = this.#clock.now();
    this.#downSince ??= now;
    this.#emit({ kind: 'disconnected', connection: this.name, at: now, reason });
  }

  #scheduleReconnect(): void {
    const delay = this.#backoffDelay(this.#attempt);
    this.#attempt += 1;
    this.#backoffTimer = this.#clock.setTimeout(() => {
      this.#backoffTimer = undefined;
      if (this.#dispatch('connect')) this.#openPrimary();
    }, delay);
  }

  #backoffDelay(attempt: number): number {
    return backoffDelay(attempt, this.#options, this.#init.random);
  }

  // ── data ─────────────────────────────────────────────────────────────────────────────────────

  #onText(slot: SocketSlot, text: string): void {
    const receivedAt = this.#clock.now();
    const frame = this.#init.classify(text, receivedAt);
    switch (frame.kind) {
      case 'control':
        slot.handleControlReply(frame.id, frame.error);
        return;
      case 'unrouted':
        if (slot !== this.#primary) return;
        this.#lastDataAt = receivedAt;
        this.#init.onMessage(frame.message);
        return;
      case 'data': {
        const handoff = this.#handoff;
        if (handoff === undefined) {
          if (slot === this.#primary) this.#deliver(frame, receivedAt);
          return;
        }
        const ready = slot === this.#handoffFrom ? handoff.fromOld(frame) : handoff.fromNew(frame);
        for (const each of ready) this.#deliver(each, receivedAt);
        if (!handoff.complete) return;
        if (this.#incoming === undefined)
          this.#handoff = undefined; // the old socket is gone: done
        else if (this.#incomingReady) this.#finishRotation();
        return;
      }
      default: {
        const unreachable: never = frame;
        throw new Error(`unhandled frame ${JSON.stringify(unreachable)}`);
      }
    }
  }

  #deliver(frame: DataFrame<M>, receivedAt: number): void {
    if (this.#streams.has(frame.stream)) this.#streams.set(frame.stream, receivedAt);
    this.#lastDataAt = receivedAt;
    this.#init.onMessage(frame.message);
  }

  #startSilenceWatch(): void {
    const limit = this.#options.silenceReconnectMs;
    if (limit <= 0) return;
    this.#clock.clearTimer(this.#silenceTimer);
    const every = Math.max(50, Math.min(1_000, Math.floor(limit / 4)));
    this.#silenceTimer = this.#clock.setInterval(() => {
      if (this.#state !== 'open' || this.#streams.size === 0) return;
      const silentMs = this.#clock.now() - this.#lastDataAt;
      if (silentMs >= limit) this.#dropPrimary('silenceTimeout', `no data for ${silentMs} ms`);
    }, every);
  }

  // ── subscriptions ────────────────────────────────────────────────────────────────────────────

  #resubscribe(slot: SocketSlot, ready: () => void): void {
    const streams = [...this.#streams.keys()];
    if (this.#init.subscription === 'url' || streams.length === 0) {
      this.#ack(slot, streams);
      ready();
      return;
    }
    let outstanding = 0;
    for (let start = 0; start < streams.length; start += this.#options.subscribeChunkSize) {
      outstanding += 1;
      this.#control(slot, 'SUBSCRIBE', streams.slice(start, start + this.#options.subscribeChunkSize), () => {
        outstanding -= 1;
        if (outstanding === 0) ready();
      });
    }
  }

  #sendStreams(slot: SocketSlot, streams: readonly string[]): void {
    for (let start = 0; start < streams.length; start += this.#options.subscribeChunkSize) {
      this.#control(slot, 'SUBSCRIBE', streams.slice(start, start + this.#options.subscribeChunkSize), () => undefined);
    }
  }

  #control(slot: SocketSlot, method: ControlMethod, streams: readonly string[], after: () => void): void {
    slot.sendControl(method, streams, (error) => {
      if (method === 'SUBSCRIBE') {
        if (error === undefined) this.#ack(slot, streams);
        else this.#rejectStreams(streams, error);
      }
      after();
    });
  }

  #ack(slot: SocketSlot, streams: readonly string[]): void {
    for (const stream of streams) if (this.#streams.has(stream)) slot.acked.add(stream);
    if (slot !== this.#primary) return;
    this.#waiters.settle(streams);
  }

  /** The venue refused a SUBSCRIBE: those streams are dropped and their callers told why. */
  #rejectStreams(streams: readonly string[], error: string): void {
    for (const stream of streams) this.#streams.delete(stream);
    this.#waiters.reject(
      streams,
      new ExchangeError('EXCHANGE_REJECTED', `SUBSCRIBE ${streams.join(',')} refused: ${error}`),
    );
  }

  #waitFor(streams: readonly string[]): Promise<void> {
    const acked = this.#primary?.isOpen === true ? this.#primary.acked : undefined;
    return this.#waiters.wait(new Set(streams.filter((stream) => acked?.has(stream) !== true)));
  }

  // ── rotation ─────────────────────────────────────────────────────────────────────────────────

  #scheduleRotation(delayMs: number): void {
    this.#clock.clearTimer(this.#rotationTimer);
    this.#rotationTimer = this.#clock.setTimeout(() => this.#rotate(), Math.max(0, delayMs));
  }

  #rotate(): void {
    if (this.#incoming !== undefined || !this.#dispatch('rotate')) return;
    this.#incomingReady = false;
    this.#incoming = this.#openSlot();
  }

  #finishRotation(): void {
    const incoming = this.#incoming;
    const handoff = this.#handoff;
    const outgoing = this.#primary;
    if (incoming === undefined || handoff === undefined || this.#state !== 'open') return;
    this.#clock.clearTimer(this.#overlapTimer);
    const now = this.#clock.now();
    for (const frame of handoff.finish()) this.#deliver(frame, now);
    // A stream whose new socket still lags keeps dropping repeats until it catches up.
    if (handoff.complete) this.#handoff = undefined;
    this.#incoming = undefined;
    this.#rotationFailures = 0;
    this.#primary = incoming;
    outgoing?.close(1000, 'rotated');
    const age = now - (incoming.openedAt ?? now);
    this.#scheduleRotation(this.#options.maxConnectionAgeMs - age);
    this.#emit({ kind: 'connected', connection: this.name, at: now });
  }

  /** The replacement socket failed: the current one keeps serving; try again after a backoff. */
  #retryRotation(): void {
    this.#abandonRotation();
    this.#scheduleRotation(this.#backoffDelay(this.#rotationFailures));
    this.#rotationFailures += 1;
  }

  #abandonRotation(): void {
    this.#clock.clearTimer(this.#overlapTimer);
    this.#incoming?.terminate();
    this.#incoming = undefined;
    this.#incomingReady = false;
    this.#handoff = undefined;
  }

  // ── plumbing ─────────────────────────────────────────────────────────────────────────────────

  #dispatch(event: ConnectionEvent): boolean {
    const result = transitionConnection(this.#state, event);
    if (!result.ok) return false;
    this.#state = result.state;
    return true;
  }

  #emit(event: StreamLifecycleEvent): void {
    this.#init.onLifecycle(event);
  }

  #stopTimers(): void {
    for (const timer of [this.#backoffTimer, this.#silenceTimer, this.#rotationTimer, this.#overlapTimer]) {
      this.#clock.clearTimer(timer);
    }
  }

  #finishClose(): void {
    if (this.#state === 'closing') this.#dispatch('closed');
    this.#clock.clearTimer(this.#closeTimer);
    this.#stopTimers();
    const failure = closedError(this.name);
    this.#waiters.rejectAll(failure);
    for (const resolve of this.#closedWaiters.splice(0)) resolve();
  }
}

function closedError(name: string): ExchangeError {
  return new ExchangeError('EXCHANGE_NETWORK', `stream connection ${name} is closed`);
}
