import type { StreamConnectionState } from '../../../ports/exchange-streams.ts';

/**
 * The lifecycle of one logical WebSocket connection (STYLE habit 4: a literal table plus one pure
 * function). A logical connection outlives its sockets: drops, dead links and rotations replace the
 * socket underneath while subscriptions stay.
 */
export type ConnectionEvent =
  /** Start connecting (first start, or the backoff delay ran out). */
  | 'connect'
  /** The socket's upgrade succeeded. */
  | 'opened'
  /** The socket closed or failed without us asking (drop, refused upgrade, connect timeout). */
  | 'socketClosed'
  /** Our ping got no pong in time: the link is dead even if TCP has not noticed (sieblyio habit). */
  | 'pongTimeout'
  /** Open, but no data on any subscribed stream for too long (playbook §1b "connected but silent"). */
  | 'silenceTimeout'
  /** `reconnect({ force: true })`: drop now and connect again at once. */
  | 'forceReconnect'
  /** Replace the socket before Binance's 24 h cut (reference §3.2), new one up before the old closes. */
  | 'rotate'
  /** Stop for good. */
  | 'close'
  /** The socket we asked to close has closed. */
  | 'closed';

export const CONNECTION_EVENTS: readonly ConnectionEvent[] = [
  'connect',
  'opened',
  'socketClosed',
  'pongTimeout',
  'silenceTimeout',
  'forceReconnect',
  'rotate',
  'close',
  'closed',
];

export const CONNECTION_STATES: readonly StreamConnectionState[] = [
  'idle',
  'connecting',
  'open',
  'reconnecting',
  'closing',
  'closed',
];

type TransitionTable = {
  readonly [S in StreamConnectionState]: Partial<Readonly<Record<ConnectionEvent, StreamConnectionState>>>;
};

export const CONNECTION_TRANSITIONS: TransitionTable = {
  idle: {
    connect: 'connecting',
    // Stopped before it ever started: nothing to close.
    close: 'closed',
  },
  connecting: {
    opened: 'open',
    // Refused upgrade (HTTP 503 during maintenance / ws-refuse), reset, or our connect timeout.
    socketClosed: 'reconnecting',
    // Abandon the attempt in progress and start a fresh one at once.
    forceReconnect: 'reconnecting',
    close: 'closing',
  },
  open: {
    socketClosed: 'reconnecting',
    pongTimeout: 'reconnecting',
    silenceTimeout: 'reconnecting',
    forceReconnect: 'reconnecting',
    // Rotation keeps the connection open: the replacement socket is opened beside the current one.
    rotate: 'open',
    close: 'closing',
  },
  reconnecting: {
    connect: 'connecting',
    // Skip the rest of the backoff delay.
    forceReconnect: 'connecting',
    // No socket exists while waiting out the backoff, so there is nothing to wait for.
    close: 'closed',
  },
  closing: {
    closed: 'closed',
    // The drop raced our close frame: same outcome.
    socketClosed: 'closed',
  },
  closed: {},
};

export type ConnectionTransition =
  | { readonly ok: true; readonly state: StreamConnectionState }
  | { readonly ok: false; readonly reason: string };

/** The next state for `event` in `state`, or a rejection naming the pair (never throws). */
export function transitionConnection(state: StreamConnectionState, event: ConnectionEvent): ConnectionTransition {
  const next = CONNECTION_TRANSITIONS[state][event];
  if (next === undefined) return { ok: false, reason: `event ${event} is not allowed in state ${state}` };
  return { ok: true, state: next };
}
