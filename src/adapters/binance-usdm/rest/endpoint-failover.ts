/**
 * Ordered REST base URLs with failover (issue 3, point 5; playbook §2 503 and §3 latency): after
 * `errorThreshold` consecutive transport failures (network, timeout, 5xx), or when the median of
 * the last `latencySamples` round trips exceeds `latencyThresholdMs`, the next endpoint becomes
 * active (wrapping around). Rate limits are per IP (§2.8), so 429/418 never switch endpoints.
 */

export type FailoverReason = 'errors' | 'latency' | 'manual';

export interface FailoverOptions {
  readonly errorThreshold: number;
  readonly latencyThresholdMs: number;
  /** How many recent round trips the latency median covers (default 5). */
  readonly latencySamples?: number;
}

export const DEFAULT_FAILOVER_OPTIONS: Required<FailoverOptions> = {
  errorThreshold: 3,
  latencyThresholdMs: 2000,
  latencySamples: 5,
};

export interface FailoverSwitch {
  readonly from: string;
  readonly to: string;
  readonly reason: FailoverReason;
}

export class EndpointFailover {
  readonly #endpoints: readonly string[];
  readonly #options: Required<FailoverOptions>;
  #active = 0;
  #consecutiveFailures = 0;
  #latencies: number[] = [];
  /** How many of `#latencies` exceed the threshold: the median does when more than half do. */
  #slow = 0;

  constructor(endpoints: readonly string[], options: FailoverOptions = DEFAULT_FAILOVER_OPTIONS) {
    if (endpoints.length === 0) throw new RangeError('at least one REST endpoint is required');
    // A trailing slash would double the one every path starts with.
    this.#endpoints = endpoints.map((endpoint) => endpoint.replace(/\/+$/, ''));
    this.#options = { ...DEFAULT_FAILOVER_OPTIONS, ...options };
  }

  get endpoints(): readonly string[] {
    return this.#endpoints;
  }

  get active(): string {
    return this.#endpoints[this.#active] ?? '';
  }

  /** A reply arrived from `endpoint` after `latencyMs` (any status). */
  recordLatency(endpoint: string, latencyMs: number): FailoverSwitch | undefined {
    if (endpoint !== this.active) return undefined;
    const threshold = this.#options.latencyThresholdMs;
    this.#latencies.push(latencyMs);
    if (latencyMs > threshold) this.#slow += 1;
    if (this.#latencies.length > this.#options.latencySamples && (this.#latencies.shift() ?? 0) > threshold) {
      this.#slow -= 1;
    }
    if (this.#latencies.length < this.#options.latencySamples) return undefined;
    // The median (the middle of an odd count, the upper middle of an even one) is slow.
    return this.#slow > Math.floor((this.#latencies.length - 1) / 2) ? this.switchNext('latency') : undefined;
  }

  recordSuccess(endpoint: string): void {
    if (endpoint === this.active) this.#consecutiveFailures = 0;
  }

  /** A transport failure (network, timeout, 5xx) on `endpoint`. */
  recordFailure(endpoint: string): FailoverSwitch | undefined {
    if (endpoint !== this.active) return undefined;
    this.#consecutiveFailures += 1;
    return this.#consecutiveFailures >= this.#options.errorThreshold ? this.switchNext('errors') : undefined;
  }

  /** Makes the next endpoint active; undefined when there is no other. */
  switchNext(reason: FailoverReason): FailoverSwitch | undefined {
    this.#consecutiveFailures = 0;
    this.#latencies = [];
    this.#slow = 0;
    if (this.#endpoints.length < 2) return undefined;
    const from = this.active;
    this.#active = (this.#active + 1) % this.#endpoints.length;
    return { from, to: this.active, reason };
  }
}
