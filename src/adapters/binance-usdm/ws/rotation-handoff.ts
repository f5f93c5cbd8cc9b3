/** A data frame as the handoff sees it: which stream, and a key equal for the same message on any socket. */
export interface HandoffFrame {
  readonly stream: string;
  /** The venue's sequence (update id, trade id, event time) or the raw text when there is none. */
  readonly key: string | number;
}

interface StreamHandoff<F> {
  /**
   * 'old': the outgoing socket delivers this stream; 'draining': the outgoing socket is gone but the
   * incoming one has not yet passed what it delivered; 'new': the incoming socket delivers.
   */
  phase: 'old' | 'draining' | 'new';
  /** Keys the outgoing socket delivered, oldest first, bounded. */
  readonly delivered: Set<string | number>;
  /** The newest key the outgoing socket delivered. */
  last: string | number | undefined;
  /** Frames the incoming socket received that the outgoing one has not delivered yet. */
  pending: F[];
}

/**
 * Hands every stream over from the outgoing socket to the incoming one during a rotation (reference
 * §3.2: each connection dies at 24 h, so we replace it first), with no message delivered twice and
 * none lost. Both sockets carry the same ordered sequence per stream:
 * - the incoming socket lags: its frames repeat what was delivered and are dropped; the stream
 *   switches when it reaches the newest frame the outgoing socket delivered;
 * - the incoming socket leads: its frames wait in `pending` until the outgoing socket delivers one of
 *   them → that one is delivered, the pending frames after it follow, and the stream switches.
 * `finish()` ends the overlap (the outgoing socket closes): pending frames are delivered, and a
 * stream still lagging keeps dropping repeats until it catches up (`complete` then turns true).
 */
export class RotationHandoff<F extends HandoffFrame> {
  readonly #streams = new Map<string, StreamHandoff<F>>();
  readonly #memory: number;

  constructor(streams: Iterable<string>, memory = 4_096) {
    this.#memory = memory;
    for (const stream of streams) this.#stateOf(stream);
  }

  /** A frame from the outgoing socket → the frames to deliver now, in order. */
  fromOld(frame: F): F[] {
    const state = this.#stateOf(frame.stream);
    if (state.phase !== 'old') return [];
    const match = state.pending.findIndex((candidate) => candidate.key === frame.key);
    if (match >= 0) {
      const after = state.pending.slice(match + 1);
      state.pending = [];
      state.phase = 'new';
      return [frame, ...after];
    }
    state.delivered.add(frame.key);
    state.last = frame.key;
    if (state.delivered.size > this.#memory) {
      const oldest = state.delivered.values().next();
      if (oldest.done !== true) state.delivered.delete(oldest.value);
    }
    return [frame];
  }

  /** A frame from the incoming socket → the frames to deliver now, in order. */
  fromNew(frame: F): F[] {
    const state = this.#stateOf(frame.stream);
    if (state.phase === 'new') return [frame];
    if (state.delivered.has(frame.key)) {
      // Already delivered by the outgoing socket; caught up once this is the newest of those.
      if (frame.key === state.last) {
        state.pending = [];
        state.phase = 'new';
      }
      return [];
    }
    if (state.phase === 'draining') {
      state.phase = 'new';
      return [frame];
    }
    state.pending.push(frame);
    return [];
  }

  /** Every stream is delivered by the incoming socket alone. */
  get complete(): boolean {
    for (const state of this.#streams.values()) if (state.phase !== 'new') return false;
    return true;
  }

  /** Ends the overlap: the incoming socket's frames not delivered yet, per stream in order. */
  finish(): F[] {
    const rest: F[] = [];
    for (const state of this.#streams.values()) {
      if (state.phase !== 'old') continue;
      if (state.pending.length > 0) {
        rest.push(...state.pending.filter((frame) => !state.delivered.has(frame.key)));
        state.phase = 'new';
      } else {
        state.phase = state.last === undefined ? 'new' : 'draining';
      }
      state.pending = [];
    }
    return rest;
  }

  #stateOf(stream: string): StreamHandoff<F> {
    let state = this.#streams.get(stream);
    if (state === undefined) {
      state = { phase: 'old', delivered: new Set(), last: undefined, pending: [] };
      this.#streams.set(stream, state);
    }
    return state;
  }
}
