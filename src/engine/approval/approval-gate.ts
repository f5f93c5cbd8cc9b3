import {
  type BacktestFact,
  type CritIncident,
  type DryRunFact,
  dryRunSessionProblem,
  type EngineSession,
  evaluateGate,
  GATE_RELEASE_ACTION,
  type GateEntry,
  type GateEvaluation,
  type GateItem,
  type GateRules,
  gateActionName,
} from '../../domain/approval-gate.ts';
import type { Incident } from '../../domain/incident.ts';
import type { KillSwitchRecord } from '../../domain/kill-switch-record.ts';
import type { Clock } from '../../lib/clock.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import type { ApprovalStore } from '../../ports/approval-store.ts';
import type { IncidentStore } from '../../ports/incident-store.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Store } from '../../ports/store.ts';
import type { IncidentManager } from '../incident-manager.ts';

/** The DRY_RUN engine's store, read by the gate (another file in the same state_dir). */
export interface DryRunEvidence {
  /** DRY_RUN sessions, newest first; throws a YunminError when the dry-run state cannot be read. */
  sessions(): readonly EngineSession[];
  /** CRIT incidents of the dry-run store detected within [from, to]. */
  critIncidents(from: number, to: number): readonly CritIncident[];
}

export interface ApprovalGateDeps {
  readonly clock: Clock;
  /** The LIVE store: the kill switch record, its incident, the gate's items. */
  readonly store: Pick<Store, 'getKillSwitch' | 'appendEvent' | 'getValue' | 'setValue'> &
    ApprovalStore &
    IncidentStore;
  readonly incidents: IncidentManager;
  readonly logger: Logger;
  /** `approval.required`: false → `check()` always passes (status still shows the items). */
  readonly required: boolean;
  readonly approverRole: string;
  readonly dryRunMinMs: number;
  /** configHash() of the config about to go live (this process's config). */
  readonly configHash: string;
  /** The recorded backtest run's config hash; throws a YunminError (unknown or unreadable run). */
  readonly backtestConfigHash: (runId: string) => string;
  readonly dryRun: DryRunEvidence;
}

export type GateAddition =
  | { readonly item: 'root-cause'; readonly text: string; readonly by: string }
  | { readonly item: 'backtest'; readonly runId: string; readonly by: string }
  | { readonly item: 'dry-run'; readonly sessionId?: string; readonly by?: string }
  | { readonly item: 'approver'; readonly name: string; readonly role: string }
  | { readonly item: 'briefing'; readonly by: string };

export type GateStatus =
  | { readonly state: 'ARMED'; readonly required: boolean }
  | {
      readonly state: 'TRIPPED';
      readonly required: boolean;
      readonly trippedAt: number;
      readonly reason: string;
      /** The trip's KILL_SWITCH incident; undefined when no record of it exists (items cannot be recorded). */
      readonly incidentId: string | undefined;
      readonly evaluation: GateEvaluation;
    };

/**
 * After a gated release: the config hash that passed. The next LIVE start must run it (a release on
 * one config followed by a start on another would skip the gate), and clears it when it does.
 */
export const APPROVED_CONFIG_KEY = 'approval.approved_config_hash';

const MAX_TEXT = 2_000;
const NO_INCIDENT = 'no KILL_SWITCH incident records this trip (was it resolved by hand?)';
/** How many non-qualifying sessions `add dry-run` explains. */
const EXPLAINED_SESSIONS = 5;

type Tripped = Extract<KillSwitchRecord, { state: 'TRIPPED' }>;

function text(value: string, field: string, what: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new YunminError('APPROVAL_INVALID', `${field}: expected ${what}, got an empty string`);
  if (trimmed.length > MAX_TEXT) throw new YunminError('APPROVAL_INVALID', `${field}: at most ${MAX_TEXT} characters`);
  return trimmed;
}

const operator = (name: string): string => (name.includes(':') ? name : `operator:${name}`);

/**
 * The resumption gate of the current kill switch trip (playbook §5 step 5, issue 8 point 5): records
 * each item against the trip's KILL_SWITCH incident (mirrored as an incident action) and evaluates the
 * gate from the records and the facts read at that moment — the backtest's config hash and the dry-run
 * session are read again on every evaluation, so a config changed after recording fails the gate.
 */
export class ApprovalGate {
  readonly #deps: ApprovalGateDeps;

  constructor(deps: ApprovalGateDeps) {
    this.#deps = deps;
  }

  get required(): boolean {
    return this.#deps.required;
  }

  get configHash(): string {
    return this.#deps.configHash;
  }

  get approverRole(): string {
    return this.#deps.approverRole;
  }

  get dryRunMinMs(): number {
    return this.#deps.dryRunMinMs;
  }

  status(): GateStatus {
    const record = this.#deps.store.getKillSwitch();
    if (record.state !== 'TRIPPED') return { state: 'ARMED', required: this.#deps.required };
    const incident = this.#tripIncident(record);
    return {
      state: 'TRIPPED',
      required: this.#deps.required,
      trippedAt: record.at,
      reason: record.reason,
      incidentId: incident?.id,
      evaluation: this.#evaluate(record, incident),
    };
  }

  /** What release needs: complete, or every missing item. ARMED (nothing to release) reads as complete. */
  check(): GateEvaluation {
    const status = this.status();
    return status.state === 'ARMED' ? { complete: true, items: [], missing: [] } : status.evaluation;
  }

  /** True when release must be refused (gate required and incomplete). */
  blocks(evaluation: GateEvaluation): boolean {
    return this.#deps.required && !evaluation.complete;
  }

  /** Records one item (replacing an earlier recording of it); refuses what cannot count. */
  add(addition: GateAddition): GateStatus {
    const { store, clock, incidents, logger } = this.#deps;
    const record = store.getKillSwitch();
    if (record.state !== 'TRIPPED') {
      throw new YunminError('APPROVAL_NOT_TRIPPED', 'the kill switch is ARMED: no resumption gate is open');
    }
    const incident = this.#tripIncident(record);
    if (incident === undefined) throw new YunminError('APPROVAL_NO_INCIDENT', `cannot record: ${NO_INCIDENT}`);
    const entry = this.#entry(addition, record, incident.id, clock.now());
    store.saveGateEntry(entry);
    const shown = entry.item === 'approver' ? `${entry.value} (${entry.role ?? ''})` : entry.value;
    incidents.action(
      incident.id,
      gateActionName(entry.item),
      'ok',
      `by ${entry.by}${shown === '' ? '' : `: ${shown}`}`,
    );
    store.appendEvent({
      type: 'ApprovalItemRecorded',
      at: entry.at,
      payload: { incident: incident.id, item: entry.item, value: entry.value, role: entry.role ?? null, by: entry.by },
    });
    logger.info(`Resumption gate ${incident.id}: ${entry.item} recorded by ${entry.by}`);
    return this.status();
  }

  /**
   * Called by the kill switch once it is released, before its incident is resolved: records how the
   * gate stood (FORCED and what was missing, loudly) and, when it passed, the approved config hash.
   */
  released(by: string, evaluation: GateEvaluation, forced: boolean): void {
    const { store, incidents, logger, clock } = this.#deps;
    const incident = incidents.current('KILL_SWITCH');
    if (forced) {
      const detail = `forced by ${by}, missing: ${evaluation.missing.join('; ')}`;
      logger.crit(
        `KILL_SWITCH released with the resumption gate incomplete (FORCED by ${by}): ${evaluation.missing.join('; ')}`,
      );
      if (incident !== undefined) incidents.action(incident.id, GATE_RELEASE_ACTION, 'failed', detail);
      store.setValue(APPROVED_CONFIG_KEY, '');
    } else {
      if (incident !== undefined) {
        incidents.action(
          incident.id,
          GATE_RELEASE_ACTION,
          'ok',
          this.#deps.required
            ? `complete; released by ${by} for config ${this.#deps.configHash.slice(0, 12)}`
            : `not required (approval.required: false); released by ${by}`,
        );
      }
      store.setValue(APPROVED_CONFIG_KEY, this.#deps.required ? this.#deps.configHash : '');
    }
    store.appendEvent({
      type: 'ApprovalGateReleased',
      at: clock.now(),
      payload: { by, forced, missing: [...evaluation.missing], configHash: this.#deps.configHash },
    });
  }

  #rules(record: Tripped): GateRules {
    return {
      trippedAt: record.at,
      liveConfigHash: this.#deps.configHash,
      approverRole: this.#deps.approverRole,
      dryRunMinMs: this.#deps.dryRunMinMs,
    };
  }

  #evaluate(record: Tripped, incident: Incident | undefined): GateEvaluation {
    const rules = this.#rules(record);
    if (incident === undefined) {
      const evaluation = evaluateGate([], rules);
      return { ...evaluation, missing: [`incident: ${NO_INCIDENT}`, ...evaluation.missing] };
    }
    const entries = this.#deps.store.gateEntries(incident.id);
    const backtestEntry = entries.find((entry) => entry.item === 'backtest');
    const dryRunEntry = entries.find((entry) => entry.item === 'dry-run');
    return evaluateGate(entries, {
      ...rules,
      ...(backtestEntry !== undefined && { backtest: this.#backtestFact(backtestEntry.value) }),
      ...(dryRunEntry !== undefined && { dryRun: this.#dryRunFact(dryRunEntry.value) }),
    });
  }

  #backtestFact(runId: string): BacktestFact {
    try {
      return { runId, configHash: this.#deps.backtestConfigHash(runId) };
    } catch (error) {
      return { runId, error: error instanceof Error ? error.message : String(error) };
    }
  }

  #dryRunFact(sessionId: string): DryRunFact {
    try {
      const session = this.#deps.dryRun.sessions().find((candidate) => candidate.id === sessionId);
      if (session === undefined) return { sessionId, error: `session ${sessionId} is not in the dry-run state` };
      return { session, critIncidents: this.#deps.dryRun.critIncidents(session.startedAt, session.lastHeartbeatAt) };
    } catch (error) {
      return { sessionId, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The trip's KILL_SWITCH incident: the open one, else the first detected at or after the trip. */
  #tripIncident(record: Tripped): Incident | undefined {
    const open = this.#deps.incidents.current('KILL_SWITCH');
    if (open !== undefined) return open;
    return this.#deps.store
      .listIncidents({ limit: 500 })
      .filter((incident) => incident.type === 'KILL_SWITCH' && incident.detectedAt >= record.at)
      .at(-1);
  }

  #entry(addition: GateAddition, record: Tripped, incidentId: string, at: number): GateEntry {
    const base = { incidentId, at };
    const item: GateItem = addition.item;
    switch (addition.item) {
      case 'root-cause':
        return {
          ...base,
          item,
          value: text(addition.text, 'text', 'the root cause'),
          by: operator(text(addition.by, 'by', 'a name')),
        };
      case 'backtest': {
        const runId = text(addition.runId, 'run', 'a backtest run id (bt-…)');
        const hash = this.#deps.backtestConfigHash(runId);
        if (hash !== this.#deps.configHash) {
          throw new YunminError(
            'APPROVAL_BACKTEST_CONFIG_MISMATCH',
            `run: backtest ${runId} tested config ${hash.slice(0, 12)}, but the config about to go live is ${this.#deps.configHash.slice(0, 12)}; backtest this config (\`yunmin backtest\`) and record that run`,
          );
        }
        return { ...base, item, value: runId, by: operator(text(addition.by, 'by', 'a name')) };
      }
      case 'dry-run': {
        const session = this.#qualifyingSession(record, addition.sessionId);
        const by = addition.by === undefined ? 'automation:approval' : operator(text(addition.by, 'by', 'a name'));
        return { ...base, item, value: session.id, by };
      }
      case 'approver': {
        const name = text(addition.name, 'name', "the approver's name");
        const role = text(addition.role, 'role', "the approver's role");
        if (role !== this.#deps.approverRole) {
          throw new YunminError(
            'APPROVAL_WRONG_ROLE',
            `role: expected ${this.#deps.approverRole} (approval.approver_role), got "${role}"`,
          );
        }
        return { ...base, item, value: name, role, by: operator(name) };
      }
      case 'briefing':
        return { ...base, item, value: '', by: operator(text(addition.by, 'by', 'a name')) };
      default: {
        const never: never = addition;
        throw new YunminError('APPROVAL_INVALID', `unknown gate item ${JSON.stringify(never)}`);
      }
    }
  }

  /** The newest DRY_RUN session that qualifies (or the named one), else why none does. */
  #qualifyingSession(record: Tripped, sessionId: string | undefined): EngineSession {
    const rules = this.#rules(record);
    const all = this.#deps.dryRun.sessions();
    const candidates =
      sessionId === undefined
        ? all.filter((session) => session.startedAt >= record.at)
        : all.filter((session) => session.id === sessionId);
    if (sessionId !== undefined && candidates.length === 0) {
      throw new YunminError(
        'APPROVAL_DRY_RUN_UNKNOWN',
        `session: no DRY_RUN session ${sessionId} in the dry-run state`,
      );
    }
    const problems: string[] = [];
    for (const session of candidates) {
      const problem = dryRunSessionProblem(
        session,
        this.#deps.dryRun.critIncidents(session.startedAt, session.lastHeartbeatAt),
        rules,
      );
      if (problem === undefined) return session;
      problems.push(problem);
    }
    const need = `a DRY_RUN session started after the trip, on config ${this.#deps.configHash.slice(0, 12)}, for at least ${Math.ceil(this.#deps.dryRunMinMs / 1000)} s with no CRIT incident`;
    throw new YunminError(
      'APPROVAL_DRY_RUN_NOT_QUALIFIED',
      problems.length === 0
        ? `no DRY_RUN session since the kill switch tripped; the gate needs ${need} (\`yunmin engine --mode DRY_RUN\`)`
        : `no DRY_RUN session qualifies; the gate needs ${need}: ${problems.slice(0, EXPLAINED_SESSIONS).join('; ')}`,
    );
  }
}
