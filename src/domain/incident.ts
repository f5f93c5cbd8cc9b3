/**
 * An incident record (DESIGN "Incidents and reviews"): what was detected, the fault's first evidence,
 * every action with its time and result, and when it was contained and resolved. Time to detect and
 * time to contain are computed from these, never typed in.
 */
export type IncidentType =
  /** §1 a stream disconnected or its receive age passed websocket.stale_warn_s. */
  | 'WS_DISCONNECTED'
  /** §1b receive age past websocket.stale_kill_s: kill switch. */
  | 'WS_STALE'
  | 'WS_RECONNECT_RATE'
  /** §2 ≥ rest.error_threshold of 429/418/503/504/timeouts within rest.error_window_s. */
  | 'REST_ERRORS'
  /** §2 a hold that did not clear (3 failed retries, a 503 outlasting rest.unavailable_escalate_s). */
  | 'REST_UNAVAILABLE'
  /** §3 */
  | 'HIGH_LATENCY'
  /** §4 */
  | 'STUCK_ORDER'
  /** §5 */
  | 'DAILY_DRAWDOWN'
  /** §6 */
  | 'POSITION_MISMATCH'
  | 'BALANCE_MISMATCH'
  /** §7 a real move */
  | 'FLASH_CRASH'
  /** §7 one source alone moved: bad data, not a crash */
  | 'DATA_ERROR'
  /** §8 after a trip the exchange was not flat within killswitch.verify_s */
  | 'KILL_SWITCH_STUCK'
  /** The kill switch itself (its trip, actions and verification), with the trigger as evidence. */
  | 'KILL_SWITCH';

export type Severity = 'INFO' | 'WARN' | 'CRIT';

export interface IncidentAction {
  readonly at: number;
  /** e.g. "reconnect", "hold new orders", "cancel all BTCUSDT", "close ETHUSDT", "verify flat". */
  readonly action: string;
  readonly result: 'ok' | 'failed' | 'started';
  readonly detail?: string;
}

export interface Acknowledgement {
  readonly by: string;
  readonly at: number;
}

export type IncidentStatus = 'OPEN' | 'CONTAINED' | 'RESOLVED';

export interface Incident {
  readonly id: string;
  readonly type: IncidentType;
  readonly severity: Severity;
  readonly symbol?: string;
  readonly summary: string;
  /** When the fault first showed (e.g. the last message before silence, the first failed request). */
  readonly firstEvidenceAt: number;
  readonly firstEvidence: string;
  readonly detectedAt: number;
  readonly actions: readonly IncidentAction[];
  readonly containedAt?: number;
  readonly resolvedAt?: number;
  readonly status: IncidentStatus;
  readonly acknowledgements: readonly Acknowledgement[];
}

/** Time to detect (ms): detection minus the fault's first evidence. */
export function timeToDetect(incident: Incident): number {
  return incident.detectedAt - incident.firstEvidenceAt;
}

/** Time to contain (ms): containment minus detection; undefined while not contained. */
export function timeToContain(incident: Incident): number | undefined {
  return incident.containedAt === undefined ? undefined : incident.containedAt - incident.detectedAt;
}
