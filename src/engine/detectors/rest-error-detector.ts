import type { Clock } from '../../lib/clock.ts';
import type { ExchangeRest } from '../../ports/exchange-rest.ts';
import type { EngineControl } from '../engine-control.ts';
import type { IncidentManager } from '../incident-manager.ts';
import type { Detector } from './detector.ts';
import { isCountedRestError, outcomeOfError, type RestOutcome } from './observed-rest.ts';

export interface RestErrorThresholds {
  /** rest.error_threshold (§2: ≥ 2 errors …). */
  readonly errorThreshold: number;
  /** rest.error_window_s in ms (§2: … in 1 min). */
  readonly errorWindowMs: number;
  /** rest.max_retries (§2: "If still failing after 3 retries"). */
  readonly maxRetries: number;
  /** rest.unavailable_escalate_s in ms (§2 503: "Wait 60-120s"). */
  readonly unavailableEscalateMs: number;
  /** Ping probe back-off during an outage: first after `min`, doubling up to `max` (default 10–20 s). */
  readonly probeIntervalMs?: { readonly min: number; readonly max: number };
}

export interface RestErrorDetectorOptions {
  /** The RAW client (not the observed one: probes are recorded here, they would count twice). */
  readonly rest: Pick<ExchangeRest, 'ping' | 'status'>;
  readonly thresholds: RestErrorThresholds;
  /** §2 503 "Once recovered: verify account state" before orders flow (default: `control.resync`). */
  readonly verifyAccount?: () => Promise<void>;
  readonly clock: Clock;
  readonly incidents: IncidentManager;
  readonly control: EngineControl;
}

type EpisodeMode = 'rate-limited' | 'unavailable';

/** One §2 incident, from the threshold crossing until requests succeed again. */
interface Episode {
  readonly id: string;
  readonly firstEvidenceAt: number;
  readonly firstEvidence: string;
  mode: EpisodeMode;
  /** rate-limited: end of the latest Retry-After or ban. */
  holdUntil: number;
  /** rate-limited: our hold was lifted when holdUntil passed (a retry may now go). */
  holdLifted: boolean;
  /** Failures after a Retry-After passed (§2 "still failing after 3 retries"). */
  failedRetries: number;
  /** unavailable: when the outage began (its first error), for rest.unavailable_escalate_s. */
  unavailableSince: number;
  nextProbeAt: number;
  probeDelayMs: number;
  probing: boolean;
  verifying: boolean;
  escalatedIncidentId: string | undefined;
}

const DETECTOR_NAME = 'rest-errors';
const HOLD_OWNER = 'rest-errors';
const DEFAULT_PROBE_INTERVAL = { min: 10_000, max: 20_000 };
/** §2.7 of the reference: a 429 without Retry-After means a minute; a first 418 ban lasts 2 minutes. */
const DEFAULT_RETRY_AFTER_MS = 60_000;
const DEFAULT_BAN_MS = 120_000;

function isRateLimit(outcome: RestOutcome): boolean {
  return outcome.code === 'EXCHANGE_RATE_LIMITED' || outcome.code === 'EXCHANGE_IP_BANNED';
}

/** The token the playbook greps for ("429|503|504"), or what stands for it when no reply came. */
function label(outcome: RestOutcome): string {
  if (outcome.httpStatus !== undefined) return String(outcome.httpStatus);
  if (outcome.code === 'EXCHANGE_UNKNOWN_OUTCOME') return 'timeout';
  if (outcome.code === 'EXCHANGE_NETWORK') return 'network';
  return outcome.code ?? 'error';
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Playbook §2 ("≥ 2 errors in 1 min → PAUSE ORDERS, alert team") and DESIGN principle 5 (transient
 * holds): counts 429/418/503/504/timeouts in a rolling window, holds new orders through EngineControl
 * and lifts the hold by itself when the cause has passed.
 * - 429/418: hold until Retry-After / the ban's end, then let a retry go (a ping probe if nothing else
 *   does); every failure after a Retry-After passed is a failed retry, and `maxRetries` of them
 *   escalate to REDUCING with REST_UNAVAILABLE. A success resolves.
 * - 503 and other failures: hold, probe `ping()` with back-off (10–20 s); still down after
 *   `unavailableEscalateMs` → REDUCING and REST_UNAVAILABLE. A success → verify account state, then lift.
 * Automation only escalates: REDUCING stays until an operator resumes, even after REST is back.
 */
export class RestErrorDetector implements Detector {
  readonly name = DETECTOR_NAME;
  readonly #options: RestErrorDetectorOptions;
  readonly #verifyAccount: () => Promise<void>;
  readonly #probeInterval: { readonly min: number; readonly max: number };
  /** Counted errors in the window, oldest first. */
  #window: RestOutcome[] = [];
  #episode: Episode | undefined;

  constructor(options: RestErrorDetectorOptions) {
    this.#options = options;
    this.#probeInterval = options.thresholds.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL;
    this.#verifyAccount =
      options.verifyAccount ?? (() => options.control.resync('REST recovered: verify account state'));
  }

  /** Feed from `observeRest` (and, for resolved unknown order outcomes, from the REST client's events). */
  recordOutcome(outcome: RestOutcome): void {
    const episode = this.#episode;
    if (outcome.ok) {
      if (episode !== undefined) this.#onSuccess(episode, outcome);
      return;
    }
    if (outcome.notSent === true) {
      // The client's own hold, refused locally: no new evidence, but it may know a later end.
      if (episode?.mode === 'rate-limited' && outcome.until !== undefined && outcome.until > episode.holdUntil) {
        this.#holdUntil(episode, outcome.until, label(outcome));
      }
      return;
    }
    if (!isCountedRestError(outcome)) return;
    this.#window.push(outcome);
    this.#prune(outcome.at);
    if (episode !== undefined) this.#onEpisodeError(episode, outcome);
    // A 418 is a ban, which Binance imposes only after repeated 429s (§2.7): it is the storm's evidence
    // on its own. Waiting for a second error would wait forever, since the global hold sends nothing more.
    else if (outcome.code === 'EXCHANGE_IP_BANNED' || this.#window.length >= this.#options.thresholds.errorThreshold) {
      this.#startEpisode();
    }
  }

  evaluate(): void {
    const now = this.#options.clock.now();
    this.#prune(now);
    const episode = this.#episode;
    if (episode === undefined) return;
    switch (episode.mode) {
      case 'rate-limited':
        if (!episode.holdLifted && now >= episode.holdUntil) {
          episode.holdLifted = true;
          episode.nextProbeAt = now;
          this.#options.control.releaseHold(HOLD_OWNER);
          this.#options.incidents.action(episode.id, 'lift hold: Retry-After passed, retrying', 'ok');
        }
        if (episode.holdLifted && now >= episode.nextProbeAt) this.#probe(episode, now);
        return;
      case 'unavailable':
        if (now >= episode.nextProbeAt) this.#probe(episode, now);
        if (now - episode.unavailableSince >= this.#options.thresholds.unavailableEscalateMs) {
          this.#escalate(episode, `unavailable for ${Math.round((now - episode.unavailableSince) / 1000)}s`);
        }
        return;
      default: {
        const never: never = episode.mode;
        throw new Error(`unhandled episode mode ${String(never)}`);
      }
    }
  }

  #prune(now: number): void {
    const windowMs = this.#options.thresholds.errorWindowMs;
    this.#window = this.#window.filter((outcome) => now - outcome.at < windowMs);
  }

  #startEpisode(): void {
    const { incidents, clock, thresholds } = this.#options;
    const now = clock.now();
    const first = this.#window[0] as RestOutcome;
    const labels = [...new Set(this.#window.map(label))].join(', ');
    const incident = incidents.open({
      type: 'REST_ERRORS',
      severity: 'CRIT',
      summary: `REST errors: ${this.#window.length} in ${Math.round(thresholds.errorWindowMs / 1000)}s (${labels})`,
      firstEvidenceAt: first.at,
      firstEvidence: `${label(first)} on ${first.endpoint ?? 'a request'}`,
    });
    const rateLimits = this.#window.filter(isRateLimit);
    const episode: Episode = {
      id: incident.id,
      firstEvidenceAt: first.at,
      firstEvidence: incident.firstEvidence,
      mode: rateLimits.length > 0 ? 'rate-limited' : 'unavailable',
      holdUntil: now,
      holdLifted: false,
      failedRetries: 0,
      unavailableSince: first.at,
      nextProbeAt: now + this.#probeInterval.min,
      probeDelayMs: this.#probeInterval.min,
      probing: false,
      verifying: false,
      escalatedIncidentId: undefined,
    };
    this.#episode = episode;
    for (const outcome of this.#window) this.#noteUnknownOutcome(episode, outcome);
    if (episode.mode === 'rate-limited') {
      const until = Math.max(...rateLimits.map((outcome) => this.#untilOf(outcome)));
      this.#holdUntil(episode, until, [...new Set(rateLimits.map(label))].join(', '));
    } else {
      this.#holdForOutage(episode, labels);
    }
    incidents.contain(incident.id, 'new orders on hold; reduce-only exits still pass');
  }

  #onEpisodeError(episode: Episode, outcome: RestOutcome): void {
    this.#noteUnknownOutcome(episode, outcome);
    // A reply to a request sent before the hold began is not a retry.
    const afterHold = episode.mode === 'rate-limited' && episode.holdLifted && outcome.at >= episode.holdUntil;
    if (afterHold) {
      episode.failedRetries += 1;
      this.#options.incidents.action(
        episode.id,
        `retry ${episode.failedRetries} after Retry-After failed (${label(outcome)})`,
        'failed',
      );
    }
    if (isRateLimit(outcome)) {
      if (episode.mode === 'unavailable') episode.mode = 'rate-limited';
      const until = this.#untilOf(outcome);
      if (until > episode.holdUntil || episode.holdLifted)
        this.#holdUntil(episode, Math.max(until, episode.holdUntil), label(outcome));
    } else if (afterHold) {
      // The venue answers again, but with 5xx or not at all: the outage rules apply from here.
      episode.mode = 'unavailable';
      episode.unavailableSince = outcome.at;
      episode.nextProbeAt = outcome.at + this.#probeInterval.min;
      episode.probeDelayMs = this.#probeInterval.min;
      this.#holdForOutage(episode, label(outcome));
    }
    if (episode.failedRetries >= this.#options.thresholds.maxRetries) {
      this.#escalate(episode, `${episode.failedRetries} retries failed after Retry-After`);
    }
  }

  #onSuccess(episode: Episode, outcome: RestOutcome): void {
    if (episode.mode === 'rate-limited') {
      // A reply that left before the hold began says nothing about the venue after it.
      if (!episode.holdLifted || outcome.at < episode.holdUntil) return;
      this.#finish(episode, 'requests succeed again after Retry-After');
      return;
    }
    if (episode.verifying) return;
    // §2 503: "Once recovered: … Verify account state" before a new order leaves.
    episode.verifying = true;
    const { incidents } = this.#options;
    incidents.action(episode.id, 'verify account state before orders flow', 'started');
    this.#verifyAccount().then(
      () => {
        if (this.#episode !== episode) return;
        incidents.action(episode.id, 'verify account state before orders flow', 'ok');
        this.#finish(episode, 'REST answers again and the account state is verified');
      },
      (error: unknown) => {
        episode.verifying = false;
        incidents.action(
          episode.id,
          'verify account state before orders flow',
          'failed',
          error instanceof Error ? error.message : String(error),
        );
      },
    );
  }

  #holdUntil(episode: Episode, until: number, why: string): void {
    episode.holdUntil = until;
    episode.holdLifted = false;
    episode.nextProbeAt = until;
    this.#options.control.hold(HOLD_OWNER, `REST rate limited (${why}): no request before ${iso(until)}`, until);
    this.#options.incidents.action(episode.id, `hold new orders until ${iso(until)} (Retry-After)`, 'ok');
  }

  #holdForOutage(episode: Episode, why: string): void {
    this.#options.control.hold(HOLD_OWNER, `REST unavailable (${why}): backing off, probing ping`);
    this.#options.incidents.action(
      episode.id,
      `hold new orders; probe ping every ${this.#probeInterval.min / 1000}–${this.#probeInterval.max / 1000}s`,
      'ok',
    );
  }

  #untilOf(outcome: RestOutcome): number {
    const fromOutcome =
      outcome.until ??
      (outcome.retryAfterMs !== undefined ? outcome.at + outcome.retryAfterMs : undefined) ??
      outcome.at + (outcome.code === 'EXCHANGE_IP_BANNED' ? DEFAULT_BAN_MS : DEFAULT_RETRY_AFTER_MS);
    // The client's own hold is the authority on when a request may leave again.
    return Math.max(fromOutcome, this.#options.rest.status().holdUntil ?? 0);
  }

  /** §2 503 "Unknown error": evidence only; the execution service reconciles the order by client id. */
  #noteUnknownOutcome(episode: Episode, outcome: RestOutcome): void {
    if (outcome.code !== 'EXCHANGE_UNKNOWN_OUTCOME') return;
    this.#options.incidents.action(
      episode.id,
      `unknown outcome on ${outcome.endpoint ?? 'an order'} (${label(outcome)}): reconciled by client order id`,
      'started',
    );
  }

  #probe(episode: Episode, now: number): void {
    if (episode.probing || episode.verifying) return;
    episode.probing = true;
    // Back-off: the first probe came `min` after the outage began; each next one doubles the gap up to `max`.
    episode.probeDelayMs = Math.min(this.#probeInterval.max, episode.probeDelayMs * 2);
    episode.nextProbeAt = now + episode.probeDelayMs;
    const { incidents, rest, clock } = this.#options;
    const quiet = episode.escalatedIncidentId !== undefined;
    rest.ping().then(
      () => {
        episode.probing = false;
        incidents.action(episode.id, 'probe ping', 'ok');
        this.recordOutcome({ at: clock.now(), ok: true, endpoint: 'ping (probe)' });
      },
      (error: unknown) => {
        episode.probing = false;
        const outcome = outcomeOfError(error, clock.now(), 'ping (probe)');
        // After escalation the probes go on, but only their success is worth a line.
        if (!quiet) incidents.action(episode.id, 'probe ping', 'failed', label(outcome));
        this.recordOutcome(outcome);
      },
    );
  }

  #escalate(episode: Episode, why: string): void {
    if (episode.escalatedIncidentId !== undefined) return;
    const { incidents, control } = this.#options;
    control.escalate('REDUCING', DETECTOR_NAME, `REST ${why}`);
    const incident = incidents.open({
      type: 'REST_UNAVAILABLE',
      severity: 'CRIT',
      summary: `REST unavailable: ${why}`,
      firstEvidenceAt: episode.firstEvidenceAt,
      firstEvidence: episode.firstEvidence,
    });
    episode.escalatedIncidentId = incident.id;
    incidents.action(incident.id, 'escalate trading state to REDUCING', 'ok');
    incidents.action(episode.id, `escalated: REDUCING (${incident.id})`, 'ok');
    incidents.contain(incident.id, 'REDUCING: only exits until an operator resumes');
  }

  #finish(episode: Episode, detail: string): void {
    const { incidents, control } = this.#options;
    control.releaseHold(HOLD_OWNER);
    incidents.action(episode.id, 'lift hold: new orders may flow', 'ok');
    incidents.resolve(episode.id, detail);
    if (episode.escalatedIncidentId !== undefined) {
      incidents.resolve(
        episode.escalatedIncidentId,
        `${detail}; the trading state stays ${control.tradingState()} until an operator resumes`,
      );
    }
    this.#episode = undefined;
    // The episode consumed these errors: they must not open the next one.
    this.#window = [];
  }
}
