import type { Clock } from '../../lib/clock.ts';
import { type Fixed, formatFixed, formatFixedTrimmed, parseFixed } from '../../lib/fixed.ts';
import { type DrawdownReading, utcDay } from '../daily-drawdown.ts';
import type { EngineControl } from '../engine-control.ts';
import type { IncidentManager } from '../incident-manager.ts';
import type { Detector } from './detector.ts';

export interface DrawdownThresholds {
  /** risk_manager.max_daily_dd, a FRACTION (0.02 = 2 %, §5). */
  readonly maxDailyDd: number;
}

/** "2.1" for a drawdown of 0.0205: the playbook's one-decimal percent (`Daily DD: 2.1%`). */
export function formatDrawdownPercent(drawdown: Fixed): string {
  return formatFixed(drawdown * 100n, 1);
}

/**
 * Playbook §5: equity against the day's 00:00 UTC baseline; a drawdown past risk_manager.max_daily_dd
 * is CRIT `Daily DD: 2.1%` and trips the kill switch (the incident is contained when the trip has
 * been carried out).
 *
 * Once per breach, not once per tick: after a trip the detector stays quiet while the same breach
 * lasts, including after an operator releases the kill switch the same day (a released switch must
 * not re-trip in a loop on the loss that was already acted on). It re-arms when the drawdown is back
 * within the limit (the incident resolves then) or when the UTC day changes (new baseline): a later
 * crossing opens a new incident and trips again. The open incident is persisted, so a restart the
 * same day does not re-trip on the same breach either.
 */
export class DrawdownDetector implements Detector {
  readonly name = 'daily-drawdown';
  readonly #reading: () => DrawdownReading | undefined;
  readonly #limit: Fixed;
  readonly #clock: Clock;
  readonly #incidents: IncidentManager;
  readonly #control: EngineControl;
  /** The breach already acted on, with its UTC day. */
  #tripped: { readonly day: string; readonly incidentId: string } | undefined;
  #restored = false;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(deps: {
    reading: () => DrawdownReading | undefined;
    thresholds: DrawdownThresholds;
    clock: Clock;
    incidents: IncidentManager;
    control: EngineControl;
  }) {
    this.#reading = deps.reading;
    this.#limit = parseFixed(deps.thresholds.maxDailyDd.toFixed(8));
    this.#clock = deps.clock;
    this.#incidents = deps.incidents;
    this.#control = deps.control;
  }

  evaluate(): void {
    const reading = this.#reading();
    if (reading === undefined) return;
    this.#restore();
    const breached = reading.drawdown > this.#limit;
    if (this.#tripped !== undefined) {
      if (this.#tripped.day !== reading.day) {
        this.#incidents.resolve(this.#tripped.incidentId, `new UTC day ${reading.day}: new equity baseline`);
        this.#tripped = undefined;
      } else if (!breached) {
        this.#incidents.resolve(
          this.#tripped.incidentId,
          `drawdown back within the limit: ${formatDrawdownPercent(reading.drawdown)}%`,
        );
        this.#tripped = undefined;
        return;
      } else {
        return;
      }
    }
    if (breached) this.#trip(reading);
  }

  /** Resolves when the kill-switch trip started so far has been carried out (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #trip(reading: DrawdownReading): void {
    const summary = `Daily DD: ${formatDrawdownPercent(reading.drawdown)}%`;
    const incident = this.#incidents.open({
      type: 'DAILY_DRAWDOWN',
      severity: 'CRIT',
      summary,
      firstEvidenceAt: this.#clock.now(),
      firstEvidence: `equity ${formatFixedTrimmed(reading.equity)} vs baseline ${formatFixedTrimmed(reading.baseline)} at 00:00 UTC ${reading.day}: drawdown ${formatFixedTrimmed(reading.drawdown)} > risk_manager.max_daily_dd ${formatFixedTrimmed(this.#limit)}`,
    });
    this.#tripped = { day: reading.day, incidentId: incident.id };
    this.#incidents.action(incident.id, 'trip kill switch', 'started');
    const work = this.#control.tripKillSwitch(summary, this.name).then(
      () => {
        this.#incidents.action(incident.id, 'trip kill switch', 'ok');
        this.#incidents.contain(incident.id, 'kill switch tripped: orders cancelled, positions closed, LIVE → DRY_RUN');
      },
      (error: unknown) => {
        this.#incidents.action(
          incident.id,
          'trip kill switch',
          'failed',
          error instanceof Error ? error.message : String(error),
        );
        // The kill switch could not act: at least stop new exposure (exits still pass a halt).
        this.#control.escalate('HALTED', this.name, `${summary}; kill switch trip failed`);
      },
    );
    const tracked = work.catch(() => undefined).finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  /** After a restart: an unresolved drawdown incident means that breach was already acted on. */
  #restore(): void {
    if (this.#restored) return;
    this.#restored = true;
    const open = this.#incidents.current('DAILY_DRAWDOWN');
    if (open !== undefined) this.#tripped = { day: utcDay(open.detectedAt), incidentId: open.id };
  }
}
