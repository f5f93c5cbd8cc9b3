import type { Clock } from '../../lib/clock.ts';
import type { ExchangeStreams, StreamHealth } from '../../ports/exchange-streams.ts';
import type { EngineControl } from '../engine-control.ts';
import type { IncidentManager } from '../incident-manager.ts';
import type { Detector } from './detector.ts';

export interface WsStalenessThresholds {
  /** websocket.stale_warn_s in ms (§1: 10 s): WARN WS_DISCONNECTED and one forced reconnect. */
  readonly staleWarnMs: number;
  /** websocket.stale_kill_s in ms (§1: 60 s): CRIT WS_STALE and the kill switch. */
  readonly staleKillMs: number;
}

export interface WsStalenessDetectorOptions {
  readonly streams: Pick<ExchangeStreams, 'health'>;
  readonly thresholds: WsStalenessThresholds;
  /**
   * Streams that may be silent for hours while open (default: the user-data stream, quiet while the
   * account is): for them only the time spent down counts, from the first tick that saw them down.
   */
  readonly quietStreams?: readonly string[];
  readonly clock: Clock;
  readonly incidents: IncidentManager;
  readonly control: EngineControl;
}

/** How stale one stream is, and since when (the fault's first evidence). */
interface Staleness {
  readonly stream: string;
  readonly connection: string;
  readonly state: StreamHealth['state'];
  readonly ageMs: number;
  readonly since: number;
}

const DETECTOR_NAME = 'ws-staleness';

/**
 * Playbook §1 and §1b ("Last update > 10s old" → automatic reconnect; "> 60s" → KILL_SWITCH): the
 * worst receive age over every stream. A stream that is down (connecting, reconnecting) counts from
 * its last message, so a refused reconnect still reaches the kill switch. Streams never heard from
 * (start-up, a fresh subscription) do not count until their first message: their silence is not yet
 * evidence of anything, and the adapter's connect timeout handles a venue that never answers.
 * Streams stopped on purpose (idle, closing, closed) do not count either.
 */
export class WsStalenessDetector implements Detector {
  readonly name = DETECTOR_NAME;
  readonly #options: WsStalenessDetectorOptions;
  readonly #quiet: ReadonlySet<string>;
  /** Quiet streams seen down: key → first tick that saw them down. */
  readonly #quietDownSince = new Map<string, number>();
  #warnIncidentId: string | undefined;
  #killIncidentId: string | undefined;

  constructor(options: WsStalenessDetectorOptions) {
    this.#options = options;
    this.#quiet = new Set(options.quietStreams ?? ['userData']);
  }

  evaluate(): void {
    const { thresholds } = this.#options;
    const worst = this.#worstStaleness();
    if (worst === undefined || worst.ageMs <= thresholds.staleWarnMs) {
      this.#recovered();
      return;
    }
    this.#warn(worst);
    if (worst.ageMs > thresholds.staleKillMs) this.#kill(worst);
  }

  #worstStaleness(): Staleness | undefined {
    const now = this.#options.clock.now();
    let worst: Staleness | undefined;
    for (const health of this.#options.streams.health()) {
      const staleness = this.#stalenessOf(health, now);
      if (staleness !== undefined && (worst === undefined || staleness.ageMs > worst.ageMs)) worst = staleness;
    }
    return worst;
  }

  #stalenessOf(health: StreamHealth, now: number): Staleness | undefined {
    const key = `${health.connection}/${health.stream}`;
    const base = { stream: health.stream, connection: health.connection, state: health.state };
    switch (health.state) {
      case 'open': {
        this.#quietDownSince.delete(key);
        if (this.#quiet.has(health.stream) || health.lastMessageAt === undefined) return undefined;
        return { ...base, ageMs: health.receiveAgeMs ?? now - health.lastMessageAt, since: health.lastMessageAt };
      }
      case 'connecting':
      case 'reconnecting': {
        if (this.#quiet.has(health.stream)) {
          const since = this.#quietDownSince.get(key) ?? now;
          this.#quietDownSince.set(key, since);
          return { ...base, ageMs: now - since, since };
        }
        // §1: down counts from when data stopped, i.e. the last message before the drop.
        if (health.lastMessageAt === undefined) return undefined;
        return { ...base, ageMs: now - health.lastMessageAt, since: health.lastMessageAt };
      }
      case 'idle':
      case 'closing':
      case 'closed':
        this.#quietDownSince.delete(key);
        return undefined;
      default: {
        const never: never = health.state;
        return never;
      }
    }
  }

  /** §1 "< 60s → Automatic reconnect + monitor": one forced reconnect per episode, no storm. */
  #warn(worst: Staleness): void {
    const { incidents, control } = this.#options;
    if (this.#isOpen('WS_DISCONNECTED', this.#warnIncidentId)) return;
    const incident = incidents.open({
      type: 'WS_DISCONNECTED',
      severity: 'WARN',
      summary: `WebSocket stale: ${seconds(worst.ageMs)}s`,
      firstEvidenceAt: worst.since,
      firstEvidence: describe(worst),
    });
    const id = incident.id;
    this.#warnIncidentId = id;
    incidents.action(id, 'force reconnect of every stream', 'started');
    control.reconnectStreams().then(
      () => {
        incidents.action(id, 'force reconnect of every stream', 'ok');
        incidents.contain(id, 'reconnect under way; the kill switch follows past the stale limit');
      },
      (error: unknown) => incidents.action(id, 'force reconnect of every stream', 'failed', messageOf(error)),
    );
  }

  /** §1b "> 60s → KILL_SWITCH": contained when the trip has taken its actions. */
  #kill(worst: Staleness): void {
    const { incidents, control } = this.#options;
    if (this.#isOpen('WS_STALE', this.#killIncidentId)) return;
    const summary = `WebSocket stale: ${seconds(worst.ageMs)}s`;
    const incident = incidents.open({
      type: 'WS_STALE',
      severity: 'CRIT',
      summary,
      firstEvidenceAt: worst.since,
      firstEvidence: describe(worst),
    });
    const id = incident.id;
    this.#killIncidentId = id;
    incidents.action(id, 'Triggering kill-switch', 'started');
    control.tripKillSwitch(summary, `automation:${DETECTOR_NAME}`).then(
      () => {
        incidents.action(id, 'Triggering kill-switch', 'ok');
        incidents.contain(id, 'kill switch tripped');
      },
      (error: unknown) => incidents.action(id, 'Triggering kill-switch', 'failed', messageOf(error)),
    );
  }

  /** Data flows again on every stream: both incidents end (the kill switch stays tripped: an operator releases it). */
  #recovered(): void {
    const { incidents } = this.#options;
    if (this.#warnIncidentId !== undefined && this.#isOpen('WS_DISCONNECTED', this.#warnIncidentId)) {
      incidents.resolve(this.#warnIncidentId, 'data flowing again');
    }
    if (this.#killIncidentId !== undefined && this.#isOpen('WS_STALE', this.#killIncidentId)) {
      incidents.resolve(
        this.#killIncidentId,
        'data flowing again; the kill switch stays TRIPPED until an operator releases it',
      );
    }
    this.#warnIncidentId = undefined;
    this.#killIncidentId = undefined;
  }

  /** Ours and not yet resolved (an operator may have closed it: then the next episode opens anew). */
  #isOpen(type: 'WS_DISCONNECTED' | 'WS_STALE', id: string | undefined): boolean {
    return id !== undefined && this.#options.incidents.current(type)?.id === id;
  }
}

/** Whole seconds, rounded up: "stale: 61s" is past a 60 s limit, as the alarm means. */
function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

function describe(staleness: Staleness): string {
  return `last message on ${staleness.stream} (${staleness.connection}, now ${staleness.state}) at ${new Date(staleness.since).toISOString()}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
