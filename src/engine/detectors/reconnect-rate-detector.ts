import type { Clock } from '../../lib/clock.ts';
import type { ExchangeStreams } from '../../ports/exchange-streams.ts';
import type { IncidentManager } from '../incident-manager.ts';
import type { Detector } from './detector.ts';

export interface ReconnectRateThresholds {
  /** websocket.reconnect_rate_warn_per_hour (default 6): more reconnects than this in the window is WARN. */
  readonly reconnectRateWarnPerHour: number;
  /** The rolling window (default one hour; tests and drills scale it down). */
  readonly windowMs?: number;
}

export interface ReconnectRateDetectorOptions {
  readonly streams: Pick<ExchangeStreams, 'health'>;
  readonly thresholds: ReconnectRateThresholds;
  readonly clock: Clock;
  readonly incidents: IncidentManager;
}

const HOUR_MS = 3_600_000;

/**
 * DESIGN matrix row 1, "reconnect-rate WARN": a socket that keeps dropping is a network or venue
 * problem even when each drop heals within seconds (and never reaches the §1 stale limits). Reads
 * the adapter's per-connection `reconnects` counters (every stream of a connection repeats its
 * connection's counter, so counters are taken once per connection); each increase is stamped with the
 * tick that saw it. Alert only: the reconnects themselves are the adapter's response.
 */
export class ReconnectRateDetector implements Detector {
  readonly name = 'reconnect-rate';
  readonly #options: ReconnectRateDetectorOptions;
  readonly #windowMs: number;
  /** Connection → the counter last seen. */
  readonly #lastCounters = new Map<string, number>();
  /** When each reconnect was seen, oldest first. */
  #reconnectTimes: number[] = [];
  #incidentId: string | undefined;

  constructor(options: ReconnectRateDetectorOptions) {
    this.#options = options;
    this.#windowMs = options.thresholds.windowMs ?? HOUR_MS;
  }

  evaluate(): void {
    const { clock, incidents, thresholds } = this.#options;
    const now = clock.now();
    this.#collect(now);
    this.#reconnectTimes = this.#reconnectTimes.filter((at) => now - at < this.#windowMs);
    const count = this.#reconnectTimes.length;
    const open = this.#incidentId !== undefined && incidents.current('WS_RECONNECT_RATE')?.id === this.#incidentId;
    if (count > thresholds.reconnectRateWarnPerHour) {
      if (open) return;
      const firstAt = this.#reconnectTimes[0] ?? now;
      const incident = incidents.open({
        type: 'WS_RECONNECT_RATE',
        severity: 'WARN',
        summary: `WebSocket reconnects: ${count} in ${formatWindow(this.#windowMs)} (limit ${thresholds.reconnectRateWarnPerHour})`,
        firstEvidenceAt: firstAt,
        firstEvidence: `first reconnect of the window at ${new Date(firstAt).toISOString()}`,
      });
      this.#incidentId = incident.id;
      // Nothing is exposed by a reconnect that healed: the alert is the whole response.
      incidents.contain(incident.id, 'alert only; the adapter reconnects with backoff');
    } else if (open && this.#incidentId !== undefined) {
      incidents.resolve(this.#incidentId, `${count} reconnects in the last ${formatWindow(this.#windowMs)}`);
      this.#incidentId = undefined;
    }
  }

  #collect(now: number): void {
    const counters = new Map<string, number>();
    for (const health of this.#options.streams.health()) {
      counters.set(health.connection, Math.max(counters.get(health.connection) ?? 0, health.reconnects));
    }
    for (const [connection, counter] of counters) {
      const last = this.#lastCounters.get(connection);
      this.#lastCounters.set(connection, counter);
      // First sight is the baseline; a counter that went down belongs to a replaced connection.
      if (last === undefined) continue;
      const fresh = counter >= last ? counter - last : counter;
      for (let index = 0; index < fresh; index += 1) this.#reconnectTimes.push(now);
    }
  }
}

function formatWindow(ms: number): string {
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}
