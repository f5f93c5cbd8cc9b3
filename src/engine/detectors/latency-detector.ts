import type { Clock } from '../../lib/clock.ts';
import type { LatencySource, LatencySummary } from '../../ports/latency-source.ts';
import type { IncidentManager } from '../incident-manager.ts';
import type { Detector } from './detector.ts';

export interface LatencyThresholds {
  /** latency.rest_p95_warn_ms (§3: 2 s). */
  readonly restP95WarnMs: number;
  /** latency.ws_p95_warn_ms (§3: 500 ms). */
  readonly wsP95WarnMs: number;
  /** latency.window_s in ms: the LatencySource's rolling window, and how long p95 must stay low to recover. */
  readonly windowMs: number;
  /** Fewer samples than this in the window say nothing (one slow reply is not a p95; default 5). */
  readonly minSamples?: number;
}

/** latency.mitigation.* (§3 step 3) plus the normal values to return to. */
export interface LatencyMitigation {
  readonly enabled: boolean;
  /** executor.timeout_ms (5000) → latency.mitigation.raised_timeout_ms (7000): option A. */
  readonly normalTimeoutMs: number;
  readonly raisedTimeoutMs: number;
  /** trading_engine.decision_interval_s → latency.mitigation.raised_decision_interval_s, in ms: option B. */
  readonly normalDecisionIntervalMs: number;
  readonly raisedDecisionIntervalMs: number;
  /** latency.mitigation.failover: switch to the next REST endpoint while REST is slow (option C). */
  readonly failover: boolean;
}

export interface LatencyDetectorOptions {
  readonly latency: LatencySource;
  readonly thresholds: LatencyThresholds;
  readonly mitigation: LatencyMitigation;
  readonly setRestTimeoutMs: (ms: number) => void;
  readonly setDecisionIntervalMs: (ms: number) => void;
  readonly failover: () => void;
  /** Return to the first endpoint on recovery; without it the engine stays on the endpoint that was fast. */
  readonly failback?: () => void;
  readonly clock: Clock;
  readonly incidents: IncidentManager;
}

interface Episode {
  readonly id: string;
  timeoutRaised: boolean;
  intervalRaised: boolean;
  failedOver: boolean;
  contained: boolean;
  /** When both p95 last went back under their thresholds (recovery needs a full window of it). */
  belowSince: number | undefined;
}

const DEFAULT_MIN_SAMPLES = 5;

/**
 * Playbook §3 (REST p95 > 2 s or WS p95 > 500 ms: WARN): alerts, and when latency.mitigation.enabled
 * applies each of the playbook's three options once per episode — a longer REST timeout, a slower
 * decision loop, the next REST endpoint — then undoes them once p95 has stayed under the thresholds for
 * a full window ("Monitor recovery"), and resolves.
 */
export class LatencyDetector implements Detector {
  readonly name = 'latency';
  readonly #options: LatencyDetectorOptions;
  readonly #minSamples: number;
  #episode: Episode | undefined;

  constructor(options: LatencyDetectorOptions) {
    this.#options = options;
    this.#minSamples = options.thresholds.minSamples ?? DEFAULT_MIN_SAMPLES;
  }

  evaluate(): void {
    const { latency, thresholds, clock } = this.#options;
    const rest = latency.rest();
    const ws = latency.ws();
    const restHigh = this.#high(rest, thresholds.restP95WarnMs);
    const wsHigh = this.#high(ws, thresholds.wsP95WarnMs);
    const now = clock.now();
    if (restHigh || wsHigh) {
      const episode = this.#episode ?? this.#open(rest, ws, restHigh, wsHigh, now);
      episode.belowSince = undefined;
      this.#mitigate(episode, restHigh);
      return;
    }
    const episode = this.#episode;
    if (episode === undefined) return;
    episode.belowSince ??= now;
    if (now - episode.belowSince >= thresholds.windowMs) this.#recover(episode, rest, ws);
  }

  #high(summary: LatencySummary, limitMs: number): boolean {
    return summary.count >= this.#minSamples && summary.p95Ms > limitMs;
  }

  #open(rest: LatencySummary, ws: LatencySummary, restHigh: boolean, wsHigh: boolean, now: number): Episode {
    const parts = [
      ...(restHigh ? [`REST p95 ${Math.round(rest.p95Ms)}ms`] : []),
      ...(wsHigh ? [`WS p95 ${Math.round(ws.p95Ms)}ms`] : []),
    ];
    const incident = this.#options.incidents.open({
      type: 'HIGH_LATENCY',
      severity: 'WARN',
      summary: `High latency: ${parts.join(', ')}`,
      // A percentile has no single first sample: the evidence is the tick at which p95 crossed.
      firstEvidenceAt: now,
      firstEvidence: `REST p95 ${Math.round(rest.p95Ms)}ms over ${rest.count} requests, WS p95 ${Math.round(ws.p95Ms)}ms over ${ws.count} events`,
    });
    const episode: Episode = {
      id: incident.id,
      timeoutRaised: false,
      intervalRaised: false,
      failedOver: false,
      contained: false,
      belowSince: undefined,
    };
    this.#episode = episode;
    return episode;
  }

  #mitigate(episode: Episode, restHigh: boolean): void {
    const { mitigation, incidents } = this.#options;
    if (mitigation.enabled) {
      if (!episode.timeoutRaised) {
        episode.timeoutRaised = true;
        this.#step(
          episode,
          `raise executor.timeout_ms ${mitigation.normalTimeoutMs}→${mitigation.raisedTimeoutMs}`,
          () => this.#options.setRestTimeoutMs(mitigation.raisedTimeoutMs),
        );
      }
      if (!episode.intervalRaised) {
        episode.intervalRaised = true;
        this.#step(
          episode,
          `raise decision interval ${mitigation.normalDecisionIntervalMs / 1000}s→${mitigation.raisedDecisionIntervalMs / 1000}s`,
          () => this.#options.setDecisionIntervalMs(mitigation.raisedDecisionIntervalMs),
        );
      }
      // Another endpoint helps REST round trips only; a slow WS is not fixed by it.
      if (mitigation.failover && restHigh && !episode.failedOver) {
        episode.failedOver = true;
        this.#step(episode, 'fail over to the next REST endpoint', () => this.#options.failover());
      }
    }
    if (!episode.contained) {
      episode.contained = true;
      incidents.contain(
        episode.id,
        mitigation.enabled ? 'mitigations applied' : 'WARN only: latency.mitigation.enabled is false',
      );
    }
  }

  #recover(episode: Episode, rest: LatencySummary, ws: LatencySummary): void {
    const { mitigation, incidents, thresholds } = this.#options;
    if (episode.timeoutRaised) {
      this.#step(episode, `restore executor.timeout_ms ${mitigation.normalTimeoutMs}`, () =>
        this.#options.setRestTimeoutMs(mitigation.normalTimeoutMs),
      );
    }
    if (episode.intervalRaised) {
      this.#step(episode, `restore decision interval ${mitigation.normalDecisionIntervalMs / 1000}s`, () =>
        this.#options.setDecisionIntervalMs(mitigation.normalDecisionIntervalMs),
      );
    }
    const failback = this.#options.failback;
    if (episode.failedOver && failback !== undefined) {
      this.#step(episode, 'fail back to the first REST endpoint', failback);
    }
    const window = Math.round(thresholds.windowMs / 1000);
    incidents.action(
      episode.id,
      `recovery: REST p95 ${Math.round(rest.p95Ms)}ms, WS p95 ${Math.round(ws.p95Ms)}ms, under thresholds for ${window}s`,
      'ok',
    );
    incidents.resolve(episode.id, 'latency back under thresholds for a full window');
    this.#episode = undefined;
  }

  #step(episode: Episode, action: string, apply: () => void): void {
    try {
      apply();
      this.#options.incidents.action(episode.id, action, 'ok');
    } catch (error) {
      this.#options.incidents.action(
        episode.id,
        action,
        'failed',
        error instanceof Error ? error.message : String(error),
      );
    }
  }
}
