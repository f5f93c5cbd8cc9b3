import type { EngineSession } from '../domain/approval-gate.ts';

/** Engine runs as they recorded themselves (the resumption gate's dry-run evidence). */
export interface EngineSessionStore {
  startEngineSession(session: EngineSession): void;
  /** Moves the session's last heartbeat to `at` (and marks it stopped when `stopped`). */
  heartbeatEngineSession(id: string, at: number, stopped?: boolean): void;
  /** Newest start first. */
  engineSessions(filter?: { readonly mode?: EngineSession['mode']; readonly limit?: number }): readonly EngineSession[];
}
