import type { PositionReport } from '../../domain/account.ts';
import type { LocalOrderState } from '../../domain/order-transitions.ts';
import type { Clock } from '../../lib/clock.ts';
import { absFixed, divFixed, type Fixed, formatFixed, maxFixed, parseFixed } from '../../lib/fixed.ts';
import type { ExchangeRest } from '../../ports/exchange-rest.ts';
import type { Logger } from '../../ports/logger.ts';
import type { EngineControl } from '../engine-control.ts';
import type { IncidentManager } from '../incident-manager.ts';
import type { OrderTracker } from '../order-tracker.ts';
import type { Detector } from './detector.ts';

export interface ReconciliationThresholds {
  /** sync_interval_s in ms (§6 step 5: every 5 s). */
  readonly syncIntervalMs: number;
  /** reconciliation.adopt_below_pct, a PERCENT (0.1 = 0.1 %): below it, adopt the exchange's silently (INFO). */
  readonly adoptBelowPct: number;
  /** reconciliation.halt_above_pct, a PERCENT (1 = 1 %): above it, halt until an operator reconciles. */
  readonly haltAbovePct: number;
}

export type ReconciliationOutcome =
  | 'match'
  /** < adopt_below_pct: the exchange's amount adopted, INFO. */
  | 'adopted'
  /** adopt_below_pct ≤ diff ≤ halt_above_pct: adopted, WARN incident. */
  | 'adopted-warn'
  /** > halt_above_pct, a sign flip or one side flat: CRIT, HALTED, not adopted. */
  | 'halted'
  /** Still mismatched while its CRIT incident is open: nothing repeated. */
  | 'still-halted'
  /** Orders in flight, or the local position moved during the request: next round. */
  | 'skipped'
  /** A difference the symbol's resting orders could explain (a fill racing its event): confirmed next round. */
  | 'deferred';

export interface SymbolReconciliation {
  readonly symbol: string;
  readonly local: Fixed;
  readonly exchange: Fixed;
  /** |exchange − local| as a percent of the larger absolute amount. */
  readonly diffPct: Fixed;
  readonly outcome: ReconciliationOutcome;
}

export interface ReconciliationReport {
  readonly reason: string;
  readonly at: number;
  readonly symbols: readonly SymbolReconciliation[];
  /** Set when the exchange could not be asked; nothing was compared. */
  readonly error?: string;
}

/** A fill may land on the exchange before its event reaches us while an order is in these states. */
const IN_FLIGHT: ReadonlySet<LocalOrderState> = new Set(['PENDING_SUBMIT', 'SUBMITTED', 'UNKNOWN', 'PENDING_CANCEL']);

const percent = (value: number): Fixed => parseFixed(value.toFixed(8));

/** Both amounts with the same number of decimals (at least 3, the BTCUSDT/ETHUSDT step), as `0.010`. */
function formatPair(local: Fixed, exchange: Fixed): [string, string] {
  const trimmed = (value: Fixed): number => {
    const text = formatFixed(absFixed(value), 8).replace(/0+$/, '');
    return text.length - text.indexOf('.') - 1;
  };
  const decimals = Math.max(3, trimmed(local), trimmed(exchange));
  return [formatFixed(local, decimals), formatFixed(exchange, decimals)];
}

/**
 * Playbook §6: local positions (from fills) against the exchange's (`positionRisk`), per symbol,
 * every sync_interval_s and on demand (`reconcileNow`, after every reconnect). The difference as a
 * percent of the larger absolute amount decides: below adopt_below_pct adopt the exchange's (INFO
 * log, "likely rounding"); up to halt_above_pct adopt and open a WARN incident; above it, on a sign
 * flip or with one side flat: CRIT, HALTED, and nothing is adopted — "a lost order or double fill"
 * is for an operator (`yunmin reconcile --adopt-exchange`), and the incident resolves once both
 * sides agree again.
 *
 * Balances are not compared (no BALANCE_MISMATCH): an expected wallet would need funding payments,
 * which the engine does not track, so any comparison would be noise. Positions carry the risk.
 */
export class ReconciliationDetector implements Detector {
  readonly name = 'reconciliation';
  readonly #tracker: OrderTracker;
  readonly #rest: Pick<ExchangeRest, 'getPositions'>;
  readonly #logger: Logger;
  readonly #syncIntervalMs: number;
  readonly #adoptBelow: Fixed;
  readonly #haltAbove: Fixed;
  readonly #clock: Clock;
  readonly #incidents: IncidentManager;
  readonly #control: EngineControl;
  #lastStartedAt = Number.NEGATIVE_INFINITY;
  #running: Promise<ReconciliationReport> | undefined;
  /** symbol → "local/exchange" of a difference deferred once. */
  readonly #deferred = new Map<string, { readonly key: string; readonly since: number }>();

  constructor(deps: {
    tracker: OrderTracker;
    rest: Pick<ExchangeRest, 'getPositions'>;
    logger: Logger;
    thresholds: ReconciliationThresholds;
    clock: Clock;
    incidents: IncidentManager;
    control: EngineControl;
  }) {
    this.#tracker = deps.tracker;
    this.#rest = deps.rest;
    this.#logger = deps.logger;
    this.#syncIntervalMs = deps.thresholds.syncIntervalMs;
    this.#adoptBelow = percent(deps.thresholds.adoptBelowPct);
    this.#haltAbove = percent(deps.thresholds.haltAbovePct);
    this.#clock = deps.clock;
    this.#incidents = deps.incidents;
    this.#control = deps.control;
  }

  /** Starts a periodic round when sync_interval_s has passed; never waits for it (the loop must not stall). */
  evaluate(): void {
    if (this.#running !== undefined || this.#clock.now() - this.#lastStartedAt < this.#syncIntervalMs) return;
    this.reconcileNow('periodic').catch((error: unknown) => {
      this.#logger.warn(`Reconciliation failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** One round now (after a reconnect, after a resync); waits for a round already running first. */
  async reconcileNow(reason: string): Promise<ReconciliationReport> {
    while (this.#running !== undefined) await this.#running;
    this.#lastStartedAt = this.#clock.now();
    const round = this.#round(reason);
    this.#running = round;
    try {
      return await round;
    } finally {
      this.#running = undefined;
    }
  }

  /** Resolves when the round in progress, if any, has finished (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #round(reason: string): Promise<ReconciliationReport> {
    const before = new Map(this.#tracker.positions().map((position) => [position.symbol, position.amount]));
    let reports: readonly PositionReport[];
    try {
      reports = await this.#rest.getPositions();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#logger.warn(`Reconciliation skipped (${reason}): exchange positions unavailable: ${message}`);
      return { reason, at: this.#clock.now(), symbols: [], error: message };
    }
    const exchange = new Map(reports.map((report) => [report.symbol, report]));
    const symbols = [...new Set([...before.keys(), ...exchange.keys()])].sort();
    const results = symbols.map((symbol) => this.#reconcile(symbol, before.get(symbol) ?? 0n, exchange.get(symbol)));
    return { reason, at: this.#clock.now(), symbols: results };
  }

  #reconcile(symbol: string, localBefore: Fixed, report: PositionReport | undefined): SymbolReconciliation {
    const position = this.#tracker.position(symbol);
    const local = position.amount;
    const exchange = report?.amount ?? 0n;
    const larger = maxFixed(absFixed(local), absFixed(exchange));
    const diffPct = larger === 0n ? 0n : divFixed(absFixed(exchange - local) * 100n, larger);
    const result = (outcome: ReconciliationOutcome): SymbolReconciliation => ({
      symbol,
      local,
      exchange,
      diffPct,
      outcome,
    });
    const orders = this.#tracker.active(symbol);
    // A fill in transit makes the two sides differ for a moment: never judge a symbol mid-flight.
    if (local !== localBefore || orders.some((order) => IN_FLIGHT.has(order.state))) return result('skipped');

    const open = this.#incidents.current('POSITION_MISMATCH', symbol);
    if (local === exchange) {
      this.#deferred.delete(symbol);
      if (open !== undefined) this.#incidents.resolve(open.id, 'local position equals the exchange again');
      return result('match');
    }
    if (open !== undefined) return result('still-halted');

    // A fill in transit (a resting order filling now, or an order whose reply said FILLED before its
    // fill was recorded) makes the sides differ for a moment: act only on a difference that has
    // persisted for a whole sync interval. A real mismatch persists; a fill in transit is recorded
    // by then (the engine catches fills up over REST every sync).
    const key = `${local}/${exchange}`;
    // Measured in time, not rounds: a reconnect triggers an extra round moments after a periodic one.
    const seen = this.#deferred.get(symbol);
    if (seen === undefined || seen.key !== key) {
      this.#deferred.set(symbol, { key, since: this.#clock.now() });
      return result('deferred');
    }
    if (this.#clock.now() - seen.since < this.#syncIntervalMs) return result('deferred');
    this.#deferred.delete(symbol);

    const [localText, exchangeText] = formatPair(local, exchange);
    const summary = `Position mismatch: ${symbol} local ${localText} exchange ${exchangeText}`;
    const pctText = `${formatFixed(diffPct, 3)}%`;
    const signFlip = local !== 0n && exchange !== 0n && local > 0n !== exchange > 0n;
    const oneSideFlat = (local === 0n) !== (exchange === 0n);
    if (signFlip || oneSideFlat || diffPct > this.#haltAbove) {
      const why = signFlip
        ? 'sign flip'
        : oneSideFlat
          ? 'one side flat'
          : `${pctText} > ${formatFixed(this.#haltAbove, 3)}%`;
      const incident = this.#incidents.open({
        type: 'POSITION_MISMATCH',
        severity: 'CRIT',
        symbol,
        summary,
        firstEvidenceAt: this.#clock.now(),
        firstEvidence: `exchange positionRisk ${exchangeText} vs local ${localText} (${why})`,
      });
      this.#control.escalate('HALTED', this.name, `${summary} (${why})`);
      this.#incidents.action(
        incident.id,
        'halt trading',
        'ok',
        'not adopted: an operator reconciles (`yunmin reconcile --adopt-exchange`, `yunmin trades SYMBOL --last 20`)',
      );
      this.#incidents.contain(incident.id, 'trading HALTED');
      return result('halted');
    }

    const adopted = {
      symbol,
      amount: exchange,
      entryPrice: report?.entryPrice ?? position.entryPrice,
      realizedPnl: position.realizedPnl,
    };
    if (diffPct < this.#adoptBelow) {
      this.#tracker.adoptPosition(adopted, `reconciliation: ${pctText} below adopt_below_pct`);
      this.#logger.info(`Position adopted: ${symbol} local ${localText} exchange ${exchangeText} (${pctText})`);
      return result('adopted');
    }
    const incident = this.#incidents.open({
      type: 'POSITION_MISMATCH',
      severity: 'WARN',
      symbol,
      summary,
      firstEvidenceAt: this.#clock.now(),
      firstEvidence: `exchange positionRisk ${exchangeText} vs local ${localText} (${pctText})`,
    });
    this.#tracker.adoptPosition(adopted, `reconciliation: ${pctText} between adopt_below_pct and halt_above_pct`);
    this.#incidents.action(incident.id, 'adopt exchange position', 'ok', `${localText} → ${exchangeText}`);
    this.#incidents.resolve(incident.id, 'exchange position adopted');
    return result('adopted-warn');
  }
}
