import type { FillReport } from '../../domain/order.ts';
import type { Position } from '../../domain/position.ts';
import type { Clock } from '../../lib/clock.ts';
import { absFixed, formatFixedTrimmed } from '../../lib/fixed.ts';
import type { EngineControl } from '../engine-control.ts';
import type { IncidentManager } from '../incident-manager.ts';
import type { Detector } from './detector.ts';

export interface ForeignFillThresholds {
  /** reconciliation.adopt_below_pct (0.1): smaller changes are only logged. */
  readonly adoptBelowPct: number;
  /** reconciliation.halt_above_pct (1): larger changes halt trading. */
  readonly haltAbovePct: number;
}

/**
 * Playbook §6 for fills the engine did not place (a manual trade in the web UI, another bot on the
 * account). The engine records them (its book follows the exchange), but somebody is trading this
 * account behind its back, so the change is graded like a reconciliation difference: below
 * adopt_below_pct INFO; up to halt_above_pct WARN (already adopted); above, or a sign flip, or one
 * side flat: CRIT and HALTED until an operator reconciles.
 */
export class ForeignFillDetector implements Detector {
  readonly name = 'foreign-fill';
  readonly #clock: Clock;
  readonly #incidents: IncidentManager;
  readonly #control: EngineControl;
  readonly #thresholds: ForeignFillThresholds;
  readonly #ignore: (clientOrderId: string | undefined) => boolean;

  constructor(deps: {
    thresholds: ForeignFillThresholds;
    clock: Clock;
    incidents: IncidentManager;
    control: EngineControl;
    /** Fills that are expected though not placed by the engine (kill switch, `yunmin close`). */
    ignore: (clientOrderId: string | undefined) => boolean;
  }) {
    this.#clock = deps.clock;
    this.#incidents = deps.incidents;
    this.#control = deps.control;
    this.#thresholds = deps.thresholds;
    this.#ignore = deps.ignore;
  }

  evaluate(): void {}

  onForeignFill(fill: FillReport, after: Position): void {
    if (this.#ignore(fill.clientOrderId)) return;
    const signed = fill.side === 'BUY' ? fill.qty : -fill.qty;
    const before = after.amount - signed;
    const base = absFixed(before) > absFixed(after.amount) ? absFixed(before) : absFixed(after.amount);
    const pct = base === 0n ? 100 : Number((fill.qty * 1_000_000n) / base) / 10_000;
    const flipped = before !== 0n && after.amount !== 0n && before > 0n !== after.amount > 0n;
    const oneSideFlat = (before === 0n) !== (after.amount === 0n);
    const summary = `Position mismatch: ${fill.symbol} changed by a fill this engine did not place (${fill.side} ${formatFixedTrimmed(fill.qty)}, ${formatFixedTrimmed(before)} → ${formatFixedTrimmed(after.amount)}, ${pct.toFixed(2)}%)`;
    const evidence = `trade ${fill.tradeId} of order ${fill.orderId} (${fill.clientOrderId ?? 'no client id'})`;
    if (pct > this.#thresholds.haltAbovePct || flipped || oneSideFlat) {
      const incident = this.#incidents.open({
        type: 'POSITION_MISMATCH',
        severity: 'CRIT',
        symbol: fill.symbol,
        summary,
        firstEvidenceAt: fill.time,
        firstEvidence: evidence,
      });
      this.#control.escalate('HALTED', this.name, summary);
      this.#incidents.action(incident.id, 'halt trading until an operator reconciles', 'ok');
      this.#incidents.contain(incident.id, 'HALTED');
      return;
    }
    if (pct >= this.#thresholds.adoptBelowPct) {
      const incident = this.#incidents.open({
        type: 'POSITION_MISMATCH',
        severity: 'WARN',
        symbol: fill.symbol,
        summary,
        firstEvidenceAt: fill.time,
        firstEvidence: evidence,
      });
      this.#incidents.action(incident.id, 'adopt the exchange position (fill recorded)', 'ok');
      this.#incidents.resolve(incident.id, 'adopted');
    }
    void this.#clock;
  }
}
