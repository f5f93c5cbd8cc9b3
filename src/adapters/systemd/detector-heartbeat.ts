import type { Detector } from '../../engine/detectors/detector.ts';
import type { Clock } from '../../lib/clock.ts';

/**
 * A detector that only notes the time: added last to the incident-response loop, it runs only when
 * every detector before it finished its pass, so "no beat for a while" means the loop is stuck (a
 * detector awaiting something that never settles) and the systemd watchdog should stop pinging.
 */
export class DetectorHeartbeat implements Detector {
  readonly name = 'watchdog-heartbeat';
  readonly #clock: Clock;
  readonly #maxSilenceMs: number;
  #lastBeatAt: number;

  constructor(options: { clock: Clock; maxSilenceMs: number }) {
    this.#clock = options.clock;
    this.#maxSilenceMs = options.maxSilenceMs;
    // Counted from construction: the first pass is at most one evaluation period away.
    this.#lastBeatAt = options.clock.now();
  }

  evaluate(): void {
    this.#lastBeatAt = this.#clock.now();
  }

  /** What is wrong, or undefined while the detectors complete passes often enough. */
  problem(): string | undefined {
    const silentMs = this.#clock.now() - this.#lastBeatAt;
    if (silentMs <= this.#maxSilenceMs) return undefined;
    return `incident detectors have not completed a pass for ${Math.round(silentMs / 1000)} s (limit ${this.#maxSilenceMs / 1000} s)`;
  }
}
