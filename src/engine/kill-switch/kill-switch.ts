import type { GateEvaluation } from '../../domain/approval-gate.ts';
import type { KillSwitchRecord } from '../../domain/kill-switch-record.ts';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import type { IdGenerator } from '../../ports/id-generator.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Store } from '../../ports/store.ts';
import type { IncidentManager } from '../incident-manager.ts';
import {
  describeError,
  ExchangeFlattener,
  type ExchangeSnapshot,
  FLATTEN_PATHS,
  type FlattenExchange,
} from './exchange-flattener.ts';
import {
  describeVerification,
  type KillSwitchVerification,
  unreadable,
  verificationOf,
} from './kill-switch-verification.ts';

export type { KillSwitchVerification } from './kill-switch-verification.ts';

export interface KillSwitchDeps {
  readonly clock: Clock;
  readonly store: Store;
  readonly incidents: IncidentManager;
  readonly logger: Logger;
  readonly exchange: FlattenExchange;
  readonly ids: IdGenerator;
  /** The engine's part: trading state HALTED and the venue switched LIVE → DRY_RUN (the strategy keeps deciding on paper). */
  readonly onTripped: (reason: string) => void;
  /** `killswitch.verify_s`: the exchange must be verified flat within this after a trip (§8). */
  readonly verifyS: number;
  /** Traded symbols: read one by one when the all-symbols open-orders query fails. */
  readonly symbols: () => readonly string[];
  /** Pauses between attempts within verify_s (ms); the last repeats. */
  readonly retryBackoffMs?: readonly number[];
  /** Pause between attempts once stuck (ms). */
  readonly stuckRetryMs?: number;
  /**
   * The resumption gate (playbook §5 step 5, src/engine/approval/): given for the LIVE store when
   * `approval.required`; release is then refused until it is complete, unless forced.
   */
  readonly gate?: ReleaseGate | undefined;
}

/** What the kill switch needs of the resumption gate (ApprovalGate implements it). */
export interface ReleaseGate {
  check(): GateEvaluation;
  /** True when this evaluation must refuse a release. */
  blocks(evaluation: GateEvaluation): boolean;
  /** After the release is persisted, before the incident is resolved: record how the gate stood. */
  released(by: string, evaluation: GateEvaluation, forced: boolean): void;
}

export interface KillSwitchStatus {
  readonly record: KillSwitchRecord;
  readonly lastVerification?: KillSwitchVerification;
  /** Flatten attempts are still running (not yet verified flat). */
  readonly retrying: boolean;
  /** A KILL_SWITCH_STUCK incident is open for the current trip. */
  readonly stuck: boolean;
  readonly incidentId?: string;
}

export interface KillSwitchRelease {
  readonly record: KillSwitchRecord;
  /** True when the flat check was overridden (the exchange was not shown flat). */
  readonly forced: boolean;
  readonly verification: KillSwitchVerification;
  /** The resumption gate at release: absent when none applies; `forced` when its refusal was overridden. */
  readonly gate?: { readonly forced: boolean; readonly missing: readonly string[] };
}

const DEFAULT_BACKOFF_MS: readonly number[] = [0, 250, 500, 1_000, 2_000];
const DEFAULT_STUCK_RETRY_MS = 10_000;
/** A verification younger than this is the next attempt's input (no extra read). */
const SNAPSHOT_REUSE_MS = 1_000;

/** One trip's flatten-and-verify loop, from the first attempt until the exchange is verified flat. */
interface Cycle {
  readonly incidentId: string;
  readonly startedAt: number;
  active: boolean;
  attempts: number;
  deadline: TimerHandle | undefined;
  retry: TimerHandle | undefined;
  stuckIncidentId: string | undefined;
  firstFailure: { readonly at: number; readonly text: string } | undefined;
}

/**
 * The kill switch (DESIGN "Kill switch", issue 5 point 1, playbook §8). `trip` persists TRIPPED before
 * anything else (a restart comes back halted), halts the engine, then cancels every open order and
 * closes every position on the exchange with reduce-only MARKET orders, all symbols in one round trip,
 * and verifies against the exchange. Not flat → retry through the other paths (batch → single →
 * per-order) with short backoff; still not flat after verify_s → KILL_SWITCH_STUCK, CRIT, and keep
 * retrying at a slower cadence. Only an operator releases it, and only onto a flat exchange unless forced.
 */
export class KillSwitch {
  readonly #deps: KillSwitchDeps;
  readonly #flattener: ExchangeFlattener;
  readonly #backoffMs: readonly number[];
  readonly #stuckRetryMs: number;
  #tripping: Promise<KillSwitchStatus> | undefined;
  #cycle: Cycle | undefined;
  #lastVerification: KillSwitchVerification | undefined;

  constructor(deps: KillSwitchDeps) {
    this.#deps = deps;
    this.#flattener = new ExchangeFlattener({
      clock: deps.clock,
      exchange: deps.exchange,
      ids: deps.ids,
      symbols: () => [
        ...deps.symbols(),
        ...deps.store.activeOrders().map((order) => order.symbol),
        ...deps.store.positions().map((position) => position.symbol),
      ],
    });
    this.#backoffMs =
      deps.retryBackoffMs !== undefined && deps.retryBackoffMs.length > 0 ? deps.retryBackoffMs : DEFAULT_BACKOFF_MS;
    this.#stuckRetryMs = deps.stuckRetryMs ?? DEFAULT_STUCK_RETRY_MS;
  }

  /**
   * Idempotent: a call while a trip runs returns that trip's promise; a call when already TRIPPED
   * only re-checks the exchange and flattens again if it is not flat. Resolves after the first
   * attempt has been verified (flat or not); retries continue on the clock.
   */
  trip(reason: string, by: string): Promise<KillSwitchStatus> {
    if (this.#tripping !== undefined) return this.#tripping;
    const running = this.#runTrip(reason, by).finally(() => {
      this.#tripping = undefined;
    });
    this.#tripping = running;
    return running;
  }

  status(): KillSwitchStatus {
    const cycle = this.#cycle;
    return {
      record: this.#deps.store.getKillSwitch(),
      ...(this.#lastVerification !== undefined && { lastVerification: this.#lastVerification }),
      retrying: cycle?.active === true,
      stuck: cycle?.active === true && cycle.stuckIncidentId !== undefined,
      ...(cycle !== undefined && { incidentId: cycle.incidentId }),
    };
  }

  /**
   * An operator moves the kill switch back to ARMED, recorded with their name. Refused unless the
   * exchange shows no open orders and no positions, and (with a gate) the resumption gate is complete;
   * `force` overrides both (then CRIT, and the incident records what was overridden). The flat check
   * comes first: an exposed exchange is the more urgent thing to tell the operator.
   */
  async release(by: string, force: boolean): Promise<KillSwitchRelease> {
    const { store, clock, logger, incidents } = this.#deps;
    const record = store.getKillSwitch();
    if (record.state !== 'TRIPPED') {
      throw new YunminError('KILL_SWITCH_NOT_TRIPPED', 'the kill switch is ARMED: there is nothing to release');
    }
    if (this.#tripping !== undefined) {
      throw new YunminError('KILL_SWITCH_BUSY', 'a kill switch trip is still running; release after it has verified');
    }
    const verification = await this.#check();
    const overridden = !verification.flat;
    if (overridden && !force) {
      throw new YunminError(
        'KILL_SWITCH_NOT_FLAT',
        verification.error === undefined
          ? `release refused: the exchange is not flat (${describeVerification(verification)}); run \`yunmin flatten\` first, or release with --force`
          : `release refused: the exchange could not be read to prove it flat (${verification.error}); retry, or release with --force`,
      );
    }
    const gate = this.#deps.gate;
    const evaluation = gate?.check();
    const gateForced = gate !== undefined && evaluation !== undefined && gate.blocks(evaluation);
    if (gateForced && !force) {
      throw new YunminError(
        'APPROVAL_GATE_INCOMPLETE',
        `release refused: the resumption gate (playbook §5 step 5) is incomplete — ${evaluation.missing.join('; ')}. Record each with \`yunmin approval add\` (see \`yunmin approval status\`), or release with --force (recorded, CRIT)`,
      );
    }
    this.stop();
    const now = clock.now();
    const armed: KillSwitchRecord = {
      state: 'ARMED',
      releasedAt: now,
      releasedBy: by,
      forced: overridden || gateForced,
    };
    store.transaction(() => {
      store.setKillSwitch(armed);
      store.appendEvent({
        type: 'KillSwitchReleased',
        at: now,
        payload: {
          by,
          forced: overridden || gateForced,
          exchange: describeVerification(verification),
          trippedBy: record.by,
          ...(evaluation !== undefined && { gateMissing: gateForced ? [...evaluation.missing] : [] }),
        },
      });
    });
    if (gate !== undefined && evaluation !== undefined) gate.released(by, evaluation, gateForced);
    const detail = `${overridden ? 'FORCED ' : ''}by ${by}; exchange ${describeVerification(verification)}`;
    if (overridden)
      logger.crit(`KILL_SWITCH released by ${by} (FORCED): exchange ${describeVerification(verification)}`);
    else logger.info(`KILL_SWITCH released by ${by}: exchange flat`);
    for (const type of ['KILL_SWITCH_STUCK', 'KILL_SWITCH'] as const) {
      const open = incidents.current(type);
      if (open === undefined) continue;
      incidents.action(open.id, 'release', overridden ? 'failed' : 'ok', detail);
      incidents.resolve(open.id, `kill switch released ${detail}`);
    }
    return {
      record: armed,
      forced: overridden,
      verification,
      ...(evaluation !== undefined && { gate: { forced: gateForced, missing: gateForced ? evaluation.missing : [] } }),
    };
  }

  /** Stops retries and the stuck timer (engine shutdown, release). A restart re-checks through `trip`. */
  stop(): void {
    const cycle = this.#cycle;
    if (cycle === undefined) return;
    cycle.active = false;
    this.#deps.clock.clearTimer(cycle.deadline);
    this.#deps.clock.clearTimer(cycle.retry);
  }

  async #runTrip(reason: string, by: string): Promise<KillSwitchStatus> {
    const { store, clock, incidents, logger } = this.#deps;
    const current = store.getKillSwitch();
    if (current.state === 'TRIPPED') return this.#recheck(current);

    // (1) Persisted before anything else: a crash from here on restarts halted and re-checks.
    const at = clock.now();
    store.transaction(() => {
      store.setKillSwitch({ state: 'TRIPPED', reason, at, by });
      store.appendEvent({ type: 'KillSwitchTripped', at, payload: { reason, by } });
    });
    // (2) The engine halts and moves its venue to paper.
    let haltError: unknown;
    try {
      this.#deps.onTripped(reason);
    } catch (error) {
      haltError = error;
    }
    // (3)+(4) start with the read, which leaves now; the records below are written while it travels.
    const firstRead = this.#flattener.read();
    firstRead.catch(() => undefined);
    const incident = incidents.open({
      type: 'KILL_SWITCH',
      severity: 'CRIT',
      summary: `Kill switch tripped by ${by}: ${reason}`,
      firstEvidenceAt: at,
      firstEvidence: `trip requested by ${by}: ${reason}`,
    });
    incidents.action(incident.id, 'persist TRIPPED', 'ok', 'before any exchange call');
    incidents.action(
      incident.id,
      'halt trading, LIVE → DRY_RUN',
      haltError === undefined ? 'ok' : 'failed',
      haltError === undefined ? undefined : describeError(haltError),
    );
    const cycle = this.#startCycle(incident.id, at);
    // (5) verify against the exchange (inside the attempt).
    await this.#attempt(cycle, firstRead);
    // (6) the playbook's phrase (§5 "KILL_SWITCH activated"), once the first attempt is verified.
    const verification = this.#lastVerification;
    logger.crit(`KILL_SWITCH activated: ${reason}`, {
      by,
      incident: incident.id,
      flat: verification?.flat ?? false,
      exchange: verification === undefined ? 'unread' : describeVerification(verification),
      elapsedMs: clock.now() - at,
    });
    logger.flush();
    return this.status();
  }

  /** Already TRIPPED (a second trigger, or a restart): act again only if the exchange is not flat. */
  async #recheck(record: Extract<KillSwitchRecord, { state: 'TRIPPED' }>): Promise<KillSwitchStatus> {
    if (this.#cycle?.active === true) return this.status();
    const { incidents, clock } = this.#deps;
    let snapshot: ExchangeSnapshot | undefined;
    try {
      snapshot = await this.#flattener.read();
      this.#lastVerification = verificationOf(snapshot, 0);
    } catch (error) {
      this.#lastVerification = unreadable(clock.now(), 0, error);
    }
    if (snapshot?.flat === true) return this.status();
    const incident = incidents.open({
      type: 'KILL_SWITCH',
      severity: 'CRIT',
      summary: `Kill switch tripped by ${record.by}: ${record.reason}`,
      firstEvidenceAt: record.at,
      firstEvidence: `trip requested by ${record.by}: ${record.reason}`,
    });
    incidents.action(
      incident.id,
      'check while TRIPPED',
      'failed',
      `exchange not flat: ${describeVerification(this.#lastVerification)}`,
    );
    const cycle = this.#startCycle(incident.id, clock.now());
    await this.#attempt(cycle, snapshot === undefined ? this.#flattener.read() : Promise.resolve(snapshot));
    return this.status();
  }

  #startCycle(incidentId: string, startedAt: number): Cycle {
    this.stop();
    const cycle: Cycle = {
      incidentId,
      startedAt,
      active: true,
      attempts: 0,
      deadline: undefined,
      retry: undefined,
      stuckIncidentId: undefined,
      firstFailure: undefined,
    };
    cycle.deadline = this.#deps.clock.setTimeout(() => this.#declareStuck(cycle), this.#deps.verifyS * 1000);
    this.#cycle = cycle;
    return cycle;
  }

  /** One attempt on the next path: read (unless given), cancel and close, verify. */
  async #attempt(cycle: Cycle, read: Promise<ExchangeSnapshot> | undefined): Promise<void> {
    const { incidents, clock } = this.#deps;
    cycle.attempts += 1;
    const attempt = cycle.attempts;
    const path = FLATTEN_PATHS[(attempt - 1) % FLATTEN_PATHS.length] ?? 'batch';
    let snapshot: ExchangeSnapshot;
    try {
      snapshot = await (read ?? this.#flattener.read());
    } catch (error) {
      incidents.action(cycle.incidentId, `read exchange (attempt ${attempt})`, 'failed', describeError(error));
      this.#notFlat(cycle, unreadable(clock.now(), attempt, error), undefined);
      return;
    }
    if (!cycle.active) return;
    if (snapshot.flat) {
      this.#verified(cycle, verificationOf(snapshot, attempt));
      return;
    }
    const steps = await this.#flattener.act(path, snapshot);
    const verifying = this.#flattener.read();
    verifying.catch(() => undefined);
    for (const step of steps) incidents.action(cycle.incidentId, step.action, step.result, step.detail);
    let after: ExchangeSnapshot;
    try {
      after = await verifying;
    } catch (error) {
      const failed = unreadable(clock.now(), attempt, error, path);
      incidents.action(cycle.incidentId, `verify flat (attempt ${attempt}, ${path})`, 'failed', failed.error);
      this.#notFlat(cycle, failed, undefined);
      return;
    }
    const verification = verificationOf(after, attempt, path);
    incidents.action(
      cycle.incidentId,
      `verify flat (attempt ${attempt}, ${path})`,
      after.flat ? 'ok' : 'failed',
      describeVerification(verification),
    );
    if (after.flat) this.#verified(cycle, verification);
    else this.#notFlat(cycle, verification, after);
  }

  #verified(cycle: Cycle, verification: KillSwitchVerification): void {
    const { incidents, store } = this.#deps;
    this.#lastVerification = verification;
    if (!cycle.active) return;
    this.stop();
    const elapsed = verification.at - cycle.startedAt;
    store.appendEvent({
      type: 'KillSwitchVerifiedFlat',
      at: verification.at,
      payload: { attempts: cycle.attempts, elapsedMs: elapsed },
    });
    incidents.contain(cycle.incidentId, `exchange verified flat after ${elapsed} ms, ${cycle.attempts} attempt(s)`);
    if (cycle.stuckIncidentId !== undefined) {
      incidents.action(cycle.stuckIncidentId, 'verify flat', 'ok', `after ${elapsed} ms`);
      incidents.resolve(cycle.stuckIncidentId, `exchange flat after ${Math.round(elapsed / 100) / 10}s`);
    }
  }

  #notFlat(cycle: Cycle, verification: KillSwitchVerification, snapshot: ExchangeSnapshot | undefined): void {
    this.#lastVerification = verification;
    if (!cycle.active) return;
    const text = describeVerification(verification);
    cycle.firstFailure ??= { at: verification.at, text: `attempt ${verification.attempt}: ${text}` };
    if (cycle.stuckIncidentId !== undefined) {
      this.#deps.incidents.action(cycle.stuckIncidentId, `retry ${verification.attempt}`, 'failed', text);
    }
    const retries = cycle.attempts - 1;
    const delay =
      cycle.stuckIncidentId !== undefined
        ? this.#stuckRetryMs
        : (this.#backoffMs[Math.min(retries, this.#backoffMs.length - 1)] ?? 0);
    cycle.retry = this.#deps.clock.setTimeout(() => {
      cycle.retry = undefined;
      if (!cycle.active) return;
      const fresh = snapshot !== undefined && this.#deps.clock.now() - snapshot.at <= SNAPSHOT_REUSE_MS;
      this.#attempt(cycle, fresh ? Promise.resolve(snapshot) : undefined).catch((error: unknown) => {
        this.#deps.logger.crit(`Kill switch retry failed: ${describeError(error)}`);
        this.#notFlat(cycle, unreadable(this.#deps.clock.now(), cycle.attempts, error), undefined);
      });
    }, delay);
  }

  /** §8: not verified flat within verify_s → CRIT incident; retries go on at the slower cadence. */
  #declareStuck(cycle: Cycle): void {
    cycle.deadline = undefined;
    if (!cycle.active || cycle.stuckIncidentId !== undefined) return;
    const { incidents, store, clock } = this.#deps;
    const stuck = incidents.open({
      type: 'KILL_SWITCH_STUCK',
      severity: 'CRIT',
      summary: `Kill switch stuck: exchange not flat after ${this.#deps.verifyS}s`,
      firstEvidenceAt: cycle.firstFailure?.at ?? cycle.startedAt,
      firstEvidence: cycle.firstFailure?.text ?? 'no verification answered yet',
    });
    cycle.stuckIncidentId = stuck.id;
    store.appendEvent({ type: 'KillSwitchStuck', at: clock.now(), payload: { incident: stuck.id } });
    incidents.action(cycle.incidentId, 'escalate: kill switch stuck', 'failed', stuck.id);
  }

  /** A read without acting, for release and re-trip. */
  async #check(): Promise<KillSwitchVerification> {
    try {
      this.#lastVerification = verificationOf(await this.#flattener.read(), 0);
    } catch (error) {
      this.#lastVerification = unreadable(this.#deps.clock.now(), 0, error);
    }
    return this.#lastVerification;
  }
}
