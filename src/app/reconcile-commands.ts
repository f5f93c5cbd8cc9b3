import type { PositionReport } from '../domain/account.ts';
import type { LocalOrderState } from '../domain/order-transitions.ts';
import type { ReconciliationReport } from '../engine/detectors/reconciliation-detector.ts';
import type { IncidentManager } from '../engine/incident-manager.ts';
import type { OrderTracker } from '../engine/order-tracker.ts';
import { type Fixed, formatFixedTrimmed } from '../lib/fixed.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import type { Logger } from '../ports/logger.ts';
import type { ControlCommand } from '../server/health-server.ts';
import { type DifferenceBands, type PositionDifference, positionDifference } from './position-difference.ts';

/** One symbol as `yunmin reconcile` prints it (decimals as strings). */
export interface DifferenceJson {
  readonly symbol: string;
  readonly local: string;
  readonly exchange: string;
  readonly diffPct: string;
  readonly band: PositionDifference['band'];
  readonly why: string;
  /** What the engine's reconciliation round did (reconcile), or what adopting did (reconcile.adopt). */
  readonly outcome: string;
}

export interface ReconcileResult {
  readonly at: number;
  readonly bands: DifferenceBands;
  readonly symbols: readonly DifferenceJson[];
}

export interface AdoptResult extends ReconcileResult {
  readonly by: string;
  readonly adopted: number;
  readonly skipped: number;
  readonly incidents: readonly string[];
}

export interface ReconcileDeps {
  /** The engine's ReconciliationDetector round (the same rule as every sync_interval_s). */
  readonly reconcileNow: (reason: string) => Promise<ReconciliationReport>;
  readonly tracker: Pick<OrderTracker, 'position' | 'positions' | 'active' | 'adoptPosition'>;
  /** The positions the engine's book is compared with (the paper account's after a kill switch trip). */
  readonly exchangePositions: () => Promise<readonly PositionReport[]>;
  readonly incidents: Pick<IncidentManager, 'current' | 'open' | 'action' | 'resolve'>;
  readonly logger: Logger;
  readonly bands: DifferenceBands;
  readonly now: () => number;
}

/** A fill may land on the exchange before its event reaches us while an order is in these states. */
const IN_FLIGHT: ReadonlySet<LocalOrderState> = new Set(['PENDING_SUBMIT', 'SUBMITTED', 'UNKNOWN', 'PENDING_CANCEL']);

const show = (value: Fixed): string => formatFixedTrimmed(value);

function differenceJson(difference: PositionDifference, outcome: string): DifferenceJson {
  return {
    symbol: difference.symbol,
    local: show(difference.local),
    exchange: show(difference.exchange),
    diffPct: show(difference.diffPct),
    band: difference.band,
    why: difference.why,
    outcome,
  };
}

function operator(args: Readonly<Record<string, unknown>>): string {
  const by = args.by;
  if (typeof by !== 'string' || by.trim() === '' || by.length > 100)
    throw new YunminError(
      'CONTROL_INVALID_ARGUMENTS',
      'by: expected the operator name (recorded on the incident), e.g. {"by": "ana"}',
    );
  return by.trim();
}

/**
 * `reconcile` and `reconcile.adopt` (playbook §6, DESIGN incident 6).
 * - `reconcile`: one reconciliation round now, exactly as the detector runs it every sync (so small
 *   differences are adopted, and a large one halts), answered with each symbol's band.
 * - `reconcile.adopt {by}`: the operator's step 4, "reset position, load from Binance": every symbol
 *   whose local amount differs takes the exchange's, whatever the band. Recorded as an action on the
 *   symbol's POSITION_MISMATCH incident (one is opened, WARN, when automation had not yet flagged it),
 *   logged at WARN (CRIT for a difference in the halt band), and the incident resolved. The trading
 *   state is not touched: a halt stays until `yunmin resume --by NAME` (only an operator de-escalates,
 *   and that is a separate, deliberate step). A symbol with an order in flight is skipped: its fill
 *   may be on the way, and adopting now would count it twice.
 */
export function reconcileCommands(deps: ReconcileDeps): Map<string, ControlCommand> {
  return new Map<string, ControlCommand>([
    [
      'reconcile',
      async (): Promise<ReconcileResult> => {
        const report = await deps.reconcileNow('operator: yunmin reconcile');
        if (report.error !== undefined)
          throw new YunminError('RECONCILE_EXCHANGE_UNAVAILABLE', `exchange positions unavailable: ${report.error}`);
        return {
          at: report.at,
          bands: deps.bands,
          symbols: report.symbols
            .filter((symbol) => symbol.local !== 0n || symbol.exchange !== 0n)
            .map((symbol) =>
              differenceJson(
                positionDifference(symbol.symbol, symbol.local, symbol.exchange, deps.bands),
                symbol.outcome,
              ),
            ),
        };
      },
    ],
    [
      'reconcile.adopt',
      async (args): Promise<AdoptResult> => {
        const by = operator(args);
        const before = new Map(deps.tracker.positions().map((position) => [position.symbol, position.amount]));
        const reports = new Map((await deps.exchangePositions()).map((report) => [report.symbol, report]));
        const symbols = [...new Set([...before.keys(), ...reports.keys()])].sort();
        const rows: DifferenceJson[] = [];
        const incidentIds: string[] = [];
        let adopted = 0;
        let skipped = 0;
        for (const symbol of symbols) {
          const position = deps.tracker.position(symbol);
          const report = reports.get(symbol);
          const difference = positionDifference(symbol, position.amount, report?.amount ?? 0n, deps.bands);
          if (difference.band === 'match') {
            if (position.amount !== 0n) rows.push(differenceJson(difference, 'match'));
            continue;
          }
          if (
            position.amount !== (before.get(symbol) ?? 0n) ||
            deps.tracker.active(symbol).some((order) => IN_FLIGHT.has(order.state))
          ) {
            skipped += 1;
            rows.push(differenceJson(difference, 'skipped: an order is in flight; run it again in a moment'));
            continue;
          }
          const change = `${show(difference.local)} → ${show(difference.exchange)}`;
          deps.tracker.adoptPosition(
            {
              symbol,
              amount: difference.exchange,
              entryPrice: report?.entryPrice ?? 0n,
              realizedPnl: position.realizedPnl,
            },
            `operator ${by}: yunmin reconcile --adopt-exchange (${difference.why})`,
          );
          adopted += 1;
          const line = `Position adopted from the exchange by ${by}: ${symbol} local ${change} (${difference.why})`;
          if (difference.band === 'halt') deps.logger.crit(line);
          else deps.logger.warn(line);
          const incident =
            deps.incidents.current('POSITION_MISMATCH', symbol) ??
            deps.incidents.open({
              type: 'POSITION_MISMATCH',
              severity: 'WARN',
              symbol,
              summary: `Position mismatch: ${symbol} local ${show(difference.local)} exchange ${show(difference.exchange)}`,
              firstEvidenceAt: deps.now(),
              firstEvidence: `operator ${by} reconciled: exchange ${show(difference.exchange)} vs local ${show(difference.local)} (${difference.why})`,
            });
          deps.incidents.action(incident.id, `adopt exchange position (operator ${by})`, 'ok', change);
          deps.incidents.resolve(incident.id, `operator ${by} adopted the exchange position`);
          incidentIds.push(incident.id);
          rows.push(differenceJson(difference, 'adopted'));
        }
        return { at: deps.now(), bands: deps.bands, symbols: rows, by, adopted, skipped, incidents: incidentIds };
      },
    ],
  ]);
}
