import type { EngineSession } from '../../domain/approval-gate.ts';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import type { EngineSessionStore } from '../../ports/engine-session-store.ts';

export interface EngineSessionRecorderDeps {
  readonly clock: Clock;
  readonly store: EngineSessionStore;
  readonly mode: EngineSession['mode'];
  /** configHash() of the config this engine runs. */
  readonly configHash: string;
  /** Default 60 s: a crashed session is credited at most this much less than it ran. */
  readonly heartbeatMs?: number;
}

export const SESSION_HEARTBEAT_MS = 60_000;

/**
 * Records this engine run in its store (start, a heartbeat every minute, stop) so the resumption
 * gate can prove a DRY_RUN period on the config about to go live (playbook §5 step 5). The session's
 * length is start → last heartbeat: a session that was killed counts only what it proved.
 */
export class EngineSessionRecorder {
  readonly #deps: EngineSessionRecorderDeps;
  #session: EngineSession | undefined;
  #timer: TimerHandle | undefined;

  constructor(deps: EngineSessionRecorderDeps) {
    this.#deps = deps;
  }

  start(): EngineSession {
    if (this.#session !== undefined) return this.#session;
    const { clock, store, mode, configHash } = this.#deps;
    const at = clock.now();
    const session: EngineSession = {
      // The start time names it; the count keeps two starts within one millisecond apart.
      id: `SES-${at.toString(36).toUpperCase()}-${store.engineSessions().length + 1}`,
      mode,
      configHash,
      startedAt: at,
      lastHeartbeatAt: at,
    };
    store.startEngineSession(session);
    this.#session = session;
    this.#timer = clock.setInterval(() => this.heartbeat(), this.#deps.heartbeatMs ?? SESSION_HEARTBEAT_MS);
    return session;
  }

  heartbeat(): void {
    if (this.#session === undefined) return;
    this.#deps.store.heartbeatEngineSession(this.#session.id, this.#deps.clock.now());
  }

  /** A clean stop: the last heartbeat is now, and the session is marked stopped. */
  stop(): void {
    const session = this.#session;
    if (session === undefined) return;
    this.#deps.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#session = undefined;
    this.#deps.store.heartbeatEngineSession(session.id, this.#deps.clock.now(), true);
  }
}
