import type { Clock } from '../../../lib/clock.ts';
import type { Random } from '../../../lib/random.ts';
import type { StreamLifecycleEvent } from '../../../ports/exchange-streams.ts';
import type { SocketSlotTimings } from './socket-slot.ts';
import type { StreamSocketFactory } from './stream-socket.ts';

/** How a StreamConnection is configured: its timings, and what its owner gives it. */

export interface StreamConnectionOptions extends SocketSlotTimings {
  /** Reconnect when no data arrived on any stream for this long (playbook §1 "> 10 s"); 0 = off. */
  readonly silenceReconnectMs: number;
  /** Exponential backoff: first delay, doubling per failed attempt up to the cap; no attempt limit. */
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** Share of each delay drawn at random (0.5: uniform in [delay/2, delay]) so clients do not stampede. */
  readonly backoffJitter: number;
  /** A socket open this long counts as healthy: the next drop starts the backoff from the beginning. */
  readonly stableAfterMs: number;
  /** Rotate before Binance's 24 h cut (reference §3.2). */
  readonly maxConnectionAgeMs: number;
  /** Longest overlap of the two sockets during a rotation (quiet streams switch at its end). */
  readonly rotationOverlapMs: number;
  /** Wait for the close handshake this long on stop, then cut. */
  readonly closeTimeoutMs: number;
  /** Streams per SUBSCRIBE frame. */
  readonly subscribeChunkSize: number;
}

export const DEFAULT_STREAM_CONNECTION_OPTIONS: StreamConnectionOptions = {
  // Binance pings every 3 min and waits 10 min for the pong; our own 10 s ping with a 5 s deadline
  // finds a dead link in 15 s instead (sieblyio `binance` pings every 10 s too).
  pingIntervalMs: 10_000,
  pongTimeoutMs: 5_000,
  connectTimeoutMs: 10_000,
  controlReplyTimeoutMs: 10_000,
  controlFrameIntervalMs: 250,
  silenceReconnectMs: 10_000,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  backoffJitter: 0.5,
  stableAfterMs: 30_000,
  maxConnectionAgeMs: 23.5 * 60 * 60 * 1000,
  rotationOverlapMs: 5_000,
  closeTimeoutMs: 2_000,
  subscribeChunkSize: 200,
};

/** What the owner makes of one text frame. */
export type ClassifiedFrame<M> =
  | { readonly kind: 'control'; readonly id: number | null; readonly error: string | undefined }
  /** `key`: equal for the same message on any socket (sequence or raw text), for the rotation handoff. */
  | { readonly kind: 'data'; readonly stream: string; readonly key: string | number; readonly message: M }
  /** Data with no stream name: delivered from the current socket only. */
  | { readonly kind: 'unrouted'; readonly message: M };

export interface StreamConnectionInit<M> {
  /** "public", "market", "userData": the `connection` of lifecycle events and health. */
  readonly name: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly options: StreamConnectionOptions;
  /** `frames`: streams are sent as JSON SUBSCRIBE after each open; `url`: the URL carries everything. */
  readonly subscription: 'frames' | 'url';
  /** Read at every (re)connect, so a renewed listenKey is picked up. */
  readonly url: () => string;
  readonly classify: (text: string, receivedAt: number) => ClassifiedFrame<M>;
  readonly onMessage: (message: M) => void;
  readonly onLifecycle: (event: StreamLifecycleEvent) => void;
  /** The upgrade was refused with plain HTTP (e.g. 400 -1125 for a dead listenKey). */
  readonly onRejected?: (status: number, body: string) => void;
  readonly socketFactory?: StreamSocketFactory;
}
