/**
 * The resumption gate after a kill switch trip (playbook §5 step 5, DESIGN "Approval gate"): trading
 * goes LIVE again only when the root cause is identified, the fix is tested in backtest and in
 * dry-run, the approver (the CTO by default) approves and the team is briefed. Each item is recorded
 * against the trip's KILL_SWITCH incident with who and when; `evaluateGate` decides, from those
 * records and the facts read at that moment, what is still missing. Pure: no clock, no I/O.
 */
export const GATE_ITEMS = ['root-cause', 'backtest', 'dry-run', 'approver', 'briefing'] as const;
export type GateItem = (typeof GATE_ITEMS)[number];

/** What each item means, in the playbook's words (status output and the postmortem). */
export const GATE_ITEM_TITLES: { readonly [item in GateItem]: string } = {
  'root-cause': 'Root cause identified',
  backtest: 'Fix tested in backtest',
  'dry-run': 'Fix tested in dry-run',
  approver: 'Approval',
  briefing: 'Team briefed',
};

/** One recorded item. Recording an item again replaces it (the incident's actions keep the history). */
export interface GateEntry {
  readonly incidentId: string;
  readonly item: GateItem;
  /** root-cause: the text; backtest: the run id; dry-run: the session id; approver: the name; briefing: "". */
  readonly value: string;
  /** approver only: the role the approver holds. */
  readonly role?: string;
  /** Who recorded it ("operator:ana"); for the approver, the approver. */
  readonly by: string;
  readonly at: number;
}

/** An engine run as it recorded itself: start, heartbeats every minute, and the config it ran. */
export interface EngineSession {
  readonly id: string;
  readonly mode: 'LIVE' | 'DRY_RUN';
  /** configHash() of the config it ran (src/app/config/config-hash.ts). */
  readonly configHash: string;
  readonly startedAt: number;
  /** The last heartbeat: a session that crashed ends here (conservative: never longer than proven). */
  readonly lastHeartbeatAt: number;
  readonly stoppedAt?: number;
}

/** A CRIT incident of the dry-run store, as the gate quotes it. */
export interface CritIncident {
  readonly id: string;
  readonly summary: string;
  readonly detectedAt: number;
}

/** The recorded backtest run as read now, or why it cannot be read. */
export type BacktestFact =
  | { readonly runId: string; readonly configHash: string }
  | { readonly runId: string; readonly error: string };

/** The recorded dry-run session as read now (with the CRIT incidents of its window), or why not. */
export type DryRunFact =
  | { readonly session: EngineSession; readonly critIncidents: readonly CritIncident[] }
  | { readonly sessionId: string; readonly error: string };

export interface GateRules {
  /** When the kill switch tripped: dry-run evidence must come after it. */
  readonly trippedAt: number;
  /** configHash() of the config about to go live. */
  readonly liveConfigHash: string;
  /** `approval.approver_role` (default CTO). */
  readonly approverRole: string;
  /** `approval.dry_run_min_s` in ms. */
  readonly dryRunMinMs: number;
}

export interface GateFacts extends GateRules {
  readonly backtest?: BacktestFact;
  readonly dryRun?: DryRunFact;
}

export interface GateItemStatus {
  readonly item: GateItem;
  readonly ok: boolean;
  /** The recorded entry, when there is one (even if it no longer holds). */
  readonly entry?: GateEntry;
  /** What holds ("run bt-… on this config") or what is missing or invalid. */
  readonly detail: string;
}

export interface GateEvaluation {
  readonly complete: boolean;
  /** One per GATE_ITEMS entry, in that order. */
  readonly items: readonly GateItemStatus[];
  /** "item: reason" for every item that does not hold. */
  readonly missing: readonly string[];
}

const short = (hash: string): string => hash.slice(0, 12);

/**
 * Why a session does not prove the fix on paper, or undefined when it does. It must be a DRY_RUN
 * session that started after the trip, ran the config about to go live, lasted at least the minimum
 * (start → last heartbeat) and had no CRIT incident detected between its start and its last heartbeat.
 */
export function dryRunSessionProblem(
  session: EngineSession,
  critIncidents: readonly CritIncident[],
  rules: GateRules,
): string | undefined {
  if (session.mode !== 'DRY_RUN') return `session ${session.id} ran ${session.mode}, not DRY_RUN`;
  if (session.startedAt < rules.trippedAt) return `session ${session.id} started before the kill switch tripped`;
  if (session.configHash !== rules.liveConfigHash) {
    return `session ${session.id} ran config ${short(session.configHash)}, but the config about to go live is ${short(rules.liveConfigHash)}`;
  }
  const ranMs = session.lastHeartbeatAt - session.startedAt;
  if (ranMs < rules.dryRunMinMs) {
    return `session ${session.id} ran ${Math.floor(ranMs / 1000)} s of the required ${Math.ceil(rules.dryRunMinMs / 1000)} s (approval.dry_run_min_s)`;
  }
  if (critIncidents.length > 0) {
    const listed = critIncidents.map((incident) => `${incident.id} (${incident.summary})`).join(', ');
    return `session ${session.id} had ${critIncidents.length} CRIT incident(s): ${listed}`;
  }
  return undefined;
}

function itemStatus(item: GateItem, entry: GateEntry | undefined, facts: GateFacts): GateItemStatus {
  if (entry === undefined) return { item, ok: false, detail: 'not recorded' };
  const result = (problem: string | undefined, holds: string): GateItemStatus =>
    problem === undefined ? { item, ok: true, entry, detail: holds } : { item, ok: false, entry, detail: problem };
  switch (item) {
    case 'root-cause':
      return result(entry.value.trim() === '' ? 'recorded empty' : undefined, entry.value);
    case 'backtest': {
      // Re-checked whenever evaluated: the config may have changed since the run was recorded.
      const fact = facts.backtest;
      if (fact === undefined || fact.runId !== entry.value) return result(`run ${entry.value} not read`, '');
      if ('error' in fact) return result(fact.error, '');
      return result(
        fact.configHash === facts.liveConfigHash
          ? undefined
          : `run ${fact.runId} tested config ${short(fact.configHash)}, but the config about to go live is ${short(facts.liveConfigHash)}`,
        `run ${fact.runId} on config ${short(fact.configHash)}`,
      );
    }
    case 'dry-run': {
      const fact = facts.dryRun;
      if (fact === undefined) return result(`session ${entry.value} not read`, '');
      if ('error' in fact) return result(fact.error, '');
      if (fact.session.id !== entry.value) return result(`session ${entry.value} not read`, '');
      const ranS = Math.floor((fact.session.lastHeartbeatAt - fact.session.startedAt) / 1000);
      return result(
        dryRunSessionProblem(fact.session, fact.critIncidents, facts),
        `session ${fact.session.id}: ${ranS} s on config ${short(fact.session.configHash)}, no CRIT incident`,
      );
    }
    case 'approver':
      return result(
        entry.role === facts.approverRole
          ? undefined
          : `${entry.value} approved as ${entry.role ?? 'no role'}; approval.approver_role is ${facts.approverRole}`,
        `${entry.value} (${entry.role ?? ''})`,
      );
    case 'briefing':
      return result(undefined, `acknowledged by ${entry.by}`);
    default: {
      const never: never = item;
      throw new Error(`unknown gate item ${String(never)}`);
    }
  }
}

/** Every item's status from the recorded entries (the newest per item counts) and today's facts. */
export function evaluateGate(entries: readonly GateEntry[], facts: GateFacts): GateEvaluation {
  const latest = new Map<GateItem, GateEntry>();
  for (const entry of entries) {
    const seen = latest.get(entry.item);
    if (seen === undefined || entry.at >= seen.at) latest.set(entry.item, entry);
  }
  const items = GATE_ITEMS.map((item) => itemStatus(item, latest.get(item), facts));
  const missing = items.filter((status) => !status.ok).map((status) => `${status.item}: ${status.detail}`);
  return { complete: missing.length === 0, items, missing };
}

/** The incident action that mirrors a recorded item, so `yunmin incidents show ID` and the postmortem show it. */
export function gateActionName(item: GateItem): string {
  return `approval ${item}`;
}

/** The incident action that records how the gate stood at release. */
export const GATE_RELEASE_ACTION = 'resumption gate';
