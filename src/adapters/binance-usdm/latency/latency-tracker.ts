import { build, type Histogram } from 'hdr-histogram-js';
import type { Clock } from '../../../lib/clock.ts';
import type { LatencySource, LatencySummary } from '../../../ports/latency-source.ts';

/** The window is kept as this many slices; a query merges those still inside it. */
const SLICES_PER_WINDOW = 6;
/** Samples are recorded in microseconds: REST round trips are measured below a millisecond. */
const MICROS_PER_MS = 1000;
/** One hour in µs; longer delays are clamped (a WS event an hour late is an incident either way). */
const HIGHEST_TRACKABLE_MICROS = 3_600_000_000;
const EMPTY_SUMMARY: LatencySummary = { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };

/** One recorded latency, as stored (negative delays clamped to 0, at most one hour). */
export interface LatencySample {
  readonly kind: 'rest' | 'ws';
  /** Endpoint class (REST) or stream name (WS). */
  readonly key: string;
  readonly ms: number;
}

function clampMicros(ms: number): number {
  // Negative delays come from an offset that is slightly off; they count as zero, not as noise.
  return Math.min(HIGHEST_TRACKABLE_MICROS, Math.max(0, Math.round(ms * MICROS_PER_MS)));
}

function newHistogram(): Histogram {
  // Two significant digits (1 % resolution) keep each slice to a few KB.
  return build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_MICROS,
    numberOfSignificantValueDigits: 2,
  });
}

/** One rolling window: a ring of histograms, one per slice of windowMs / SLICES_PER_WINDOW. */
class RollingHistogram {
  readonly #sliceMs: number;
  readonly #slices: Histogram[] = [];
  /** Which slice number (time / sliceMs) each ring entry currently holds; -1 = empty. */
  readonly #sliceNumbers: number[] = [];

  constructor(sliceMs: number) {
    this.#sliceMs = sliceMs;
    for (let index = 0; index < SLICES_PER_WINDOW; index += 1) {
      this.#slices.push(newHistogram());
      this.#sliceNumbers.push(-1);
    }
  }

  record(now: number, micros: number): void {
    const sliceNumber = Math.floor(now / this.#sliceMs);
    const ring = sliceNumber % SLICES_PER_WINDOW;
    const histogram = this.#slices[ring] as Histogram;
    if (this.#sliceNumbers[ring] !== sliceNumber) {
      histogram.reset();
      this.#sliceNumbers[ring] = sliceNumber;
    }
    histogram.recordValue(micros);
  }

  summary(now: number): LatencySummary {
    const current = Math.floor(now / this.#sliceMs);
    let merged: Histogram | undefined;
    for (let ring = 0; ring < SLICES_PER_WINDOW; ring += 1) {
      const sliceNumber = this.#sliceNumbers[ring] as number;
      // The current slice and the five before it: the window is windowMs, give or take one slice.
      if (sliceNumber < 0 || current - sliceNumber >= SLICES_PER_WINDOW) continue;
      merged ??= newHistogram();
      merged.add(this.#slices[ring] as Histogram);
    }
    if (merged === undefined || merged.totalCount === 0) return EMPTY_SUMMARY;
    return {
      count: merged.totalCount,
      p50Ms: merged.getValueAtPercentile(50) / MICROS_PER_MS,
      p95Ms: merged.getValueAtPercentile(95) / MICROS_PER_MS,
      p99Ms: merged.getValueAtPercentile(99) / MICROS_PER_MS,
      maxMs: merged.maxValue / MICROS_PER_MS,
    };
  }
}

/** Rolling histograms overall and per key (endpoint class or stream). */
class KeyedLatency {
  readonly #sliceMs: number;
  readonly #overall: RollingHistogram;
  readonly #byKey = new Map<string, RollingHistogram>();

  constructor(sliceMs: number) {
    this.#sliceMs = sliceMs;
    this.#overall = new RollingHistogram(sliceMs);
  }

  record(key: string, now: number, micros: number): void {
    this.#overall.record(now, micros);
    let series = this.#byKey.get(key);
    if (series === undefined) {
      series = new RollingHistogram(this.#sliceMs);
      this.#byKey.set(key, series);
    }
    series.record(now, micros);
  }

  summary(now: number, key: string | undefined): LatencySummary {
    if (key === undefined) return this.#overall.summary(now);
    return this.#byKey.get(key)?.summary(now) ?? EMPTY_SUMMARY;
  }
}

/**
 * Latency over rolling windows on the injected clock (issue 3 point 8, playbook §3): REST round
 * trips per endpoint class and WS event delays per stream, each also overall; p50/p95/p99/max.
 * Percentiles come from HdrHistograms (1 % resolution; max is exact), so recording is O(1) and
 * memory is fixed however many messages arrive.
 */
export class LatencyTracker implements LatencySource {
  readonly #clock: Clock;
  readonly #rest: KeyedLatency;
  readonly #ws: KeyedLatency;
  readonly #listeners = new Set<(sample: LatencySample) => void>();

  constructor(options: { clock: Clock; windowMs?: number }) {
    const windowMs = options.windowMs ?? 60_000;
    if (!(windowMs >= SLICES_PER_WINDOW)) throw new RangeError(`windowMs must be at least ${SLICES_PER_WINDOW}`);
    this.#clock = options.clock;
    const sliceMs = windowMs / SLICES_PER_WINDOW;
    this.#rest = new KeyedLatency(sliceMs);
    this.#ws = new KeyedLatency(sliceMs);
  }

  /**
   * Calls `listener` with every sample as it is recorded (Prometheus histograms, issue 7 point 3);
   * returns the unsubscribe function. A listener that throws is ignored: it runs on the WS message
   * and REST reply path, which a metrics fault must not break.
   */
  onSample(listener: (sample: LatencySample) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  recordRest(endpointClass: string, ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.#record(this.#rest, 'rest', endpointClass, ms);
  }

  /**
   * receivedAt − eventTime, corrected by the server-time offset (local − server): an event stamped
   * E by the server was sent at local time E + offset.
   */
  recordWs(stream: string, eventTime: number, receivedAt: number, serverTimeOffsetMs: number): void {
    const ms = receivedAt - (eventTime + serverTimeOffsetMs);
    if (!Number.isFinite(ms)) return;
    this.#record(this.#ws, 'ws', stream, ms);
  }

  #record(latency: KeyedLatency, kind: LatencySample['kind'], key: string, ms: number): void {
    const micros = clampMicros(ms);
    latency.record(key, this.#clock.now(), micros);
    if (this.#listeners.size === 0) return;
    const sample: LatencySample = { kind, key, ms: micros / MICROS_PER_MS };
    for (const listener of this.#listeners) {
      try {
        listener(sample);
      } catch {
        // See onSample: the trading path goes on.
      }
    }
  }

  rest(endpointClass?: string): LatencySummary {
    return this.#rest.summary(this.#clock.now(), endpointClass);
  }

  ws(stream?: string): LatencySummary {
    return this.#ws.summary(this.#clock.now(), stream);
  }
}
