import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import type { CritIncident } from '../domain/approval-gate.ts';
import { APPROVED_CONFIG_KEY, ApprovalGate, type DryRunEvidence } from '../engine/approval/approval-gate.ts';
import { EngineSessionRecorder } from '../engine/approval/engine-session-recorder.ts';
import type { IncidentManager } from '../engine/incident-manager.ts';
import type { Clock } from '../lib/clock.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import type { Logger } from '../ports/logger.ts';
import { readBacktestRunRecord } from './backtest/backtest-run-record.ts';
import { configHash } from './config/config-hash.ts';
import type { EngineConfig } from './config/engine-config.ts';

/** How many CRIT candidates the gate scans in the dry-run store (newest first). */
const INCIDENT_SCAN = 5_000;

/**
 * The DRY_RUN engine's store (`dryRunPath`, `yunmin-dry-run.sqlite` in the same state_dir), opened per
 * read and closed again, so the gate never holds another engine's file. With the embedded simulator
 * both modes share one file: `live` is read instead of opening it twice.
 */
export function dryRunEvidence(dryRunPath: string, live: SqliteStore, clock: Clock): DryRunEvidence {
  const withStore = <T>(work: (store: SqliteStore) => T): T => {
    if (resolve(dryRunPath) === live.path) return work(live);
    if (!existsSync(dryRunPath)) {
      throw new YunminError(
        'APPROVAL_DRY_RUN_NONE',
        `no DRY_RUN state at ${dryRunPath}: run \`yunmin engine --mode DRY_RUN\` with this config (same state_dir) first`,
      );
    }
    const store = SqliteStore.open({ path: dryRunPath, clock });
    try {
      return work(store);
    } finally {
      store.close();
    }
  };
  return {
    sessions: () => withStore((store) => store.engineSessions({ mode: 'DRY_RUN', limit: 100 })),
    critIncidents: (from, to) =>
      withStore((store) =>
        store
          .listIncidents({ limit: INCIDENT_SCAN })
          .filter(
            (incident) => incident.severity === 'CRIT' && incident.detectedAt >= from && incident.detectedAt <= to,
          )
          .map(
            (incident): CritIncident => ({
              id: incident.id,
              summary: incident.summary,
              detectedAt: incident.detectedAt,
            }),
          ),
      ),
  };
}

/**
 * The resumption gate over the LIVE store, or undefined for a DRY_RUN config (its kill switch guards
 * paper: releasing it puts no money at risk, and going LIVE later passes the LIVE store's gate).
 */
export function createApprovalGate(
  config: EngineConfig,
  deps: {
    readonly clock: Clock;
    readonly store: SqliteStore;
    readonly incidents: IncidentManager;
    readonly logger: Logger;
    readonly dryRunPath: string;
  },
): ApprovalGate | undefined {
  if (config.mode !== 'LIVE') return undefined;
  return new ApprovalGate({
    clock: deps.clock,
    store: deps.store,
    incidents: deps.incidents,
    logger: deps.logger,
    required: config.approval.required,
    approverRole: config.approval.approverRole,
    dryRunMinMs: config.approval.dryRunMinS * 1000,
    configHash: configHash(config),
    backtestConfigHash: (runId) => readBacktestRunRecord(config.stateDir, runId).configHash,
    dryRun: dryRunEvidence(deps.dryRunPath, deps.store, deps.clock),
  });
}

/**
 * "Or starting LIVE" (issue 8 point 5). The engine already refuses LIVE while the kill switch is
 * TRIPPED (trading-engine.ts), so release is the one door. Two ways around it are closed here:
 * `--reset-state` (it would clear the trip) while the gate is incomplete, and starting LIVE on a
 * config other than the one the gate approved at release. `override` (`yunmin engine --force`)
 * goes through both, logged CRIT.
 */
export function guardLiveStart(
  gate: ApprovalGate,
  store: SqliteStore,
  logger: Logger,
  options: { readonly resetState: boolean; readonly override: boolean },
): void {
  if (options.resetState && store.getKillSwitch().state === 'TRIPPED') {
    const evaluation = gate.check();
    if (gate.blocks(evaluation)) {
      const missing = evaluation.missing.join('; ');
      if (!options.override) {
        throw new YunminError(
          'ENGINE_RESET_REFUSED',
          `--reset-state refused: the kill switch is TRIPPED and its resumption gate is incomplete (${missing}); complete it (\`yunmin approval status\`) and release, or add --force (recorded, CRIT)`,
        );
      }
      logger.crit(`--reset-state --force clears a TRIPPED kill switch with the resumption gate incomplete: ${missing}`);
      logger.flush();
    }
  }
  const approved = store.getValue(APPROVED_CONFIG_KEY);
  if (approved === undefined || approved === '' || approved === gate.configHash) return;
  if (!options.override) {
    throw new YunminError(
      'APPROVAL_CONFIG_CHANGED',
      `starting LIVE refused: the kill switch was released for config ${approved.slice(0, 12)} (the one backtested and run DRY_RUN), but this config is ${gate.configHash.slice(0, 12)}; start with the approved config, or add --force (recorded, CRIT)`,
    );
  }
  logger.crit(
    `Starting LIVE with --force on config ${gate.configHash.slice(0, 12)}, not the one the resumption gate approved (${approved.slice(0, 12)})`,
  );
  store.setValue(APPROVED_CONFIG_KEY, '');
}

/** After a LIVE start on the approved config: the gate's promise is kept, later starts are unconstrained. */
export function confirmApprovedConfig(gate: ApprovalGate, store: SqliteStore, logger: Logger): void {
  if (store.getValue(APPROVED_CONFIG_KEY) !== gate.configHash) return;
  store.setValue(APPROVED_CONFIG_KEY, '');
  logger.info(`LIVE on the config the resumption gate approved (${gate.configHash.slice(0, 12)})`);
}

/** A DRY_RUN engine records its session (start, heartbeat every minute, stop): the gate's dry-run evidence. */
export function startDryRunSession(
  config: EngineConfig,
  clock: Clock,
  store: SqliteStore,
): EngineSessionRecorder | undefined {
  if (config.mode !== 'DRY_RUN') return undefined;
  const recorder = new EngineSessionRecorder({ clock, store, mode: 'DRY_RUN', configHash: configHash(config) });
  recorder.start();
  return recorder;
}
