import type { Incident, IncidentType } from '../../domain/incident.ts';
import type { TradingState } from '../../domain/trading-state.ts';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import type { StreamConnectionState, StreamHealth } from '../../ports/exchange-streams.ts';
import type { IncidentStore } from '../../ports/incident-store.ts';
import type { LogFields, Logger } from '../../ports/logger.ts';
import type { EngineControl } from '../engine-control.ts';
import { IncidentManager } from '../incident-manager.ts';
import type { Detector } from './detector.ts';

/**
 * In-memory fakes for the network detectors' unit tests (playbook §1–3): an incident store, a
 * logger that keeps its lines, and an EngineControl that records every call. Not used in production.
 */

export class MemoryIncidentStore implements IncidentStore {
  readonly #incidents = new Map<string, Incident>();

  saveIncident(incident: Incident): void {
    this.#incidents.set(incident.id, incident);
  }

  getIncident(id: string): Incident | undefined {
    return this.#incidents.get(id);
  }

  listIncidents(filter: { readonly openOnly?: boolean; readonly limit?: number } = {}): readonly Incident[] {
    const all = [...this.#incidents.values()].reverse();
    const kept = filter.openOnly === true ? all.filter((incident) => incident.status !== 'RESOLVED') : all;
    return filter.limit === undefined ? kept : kept.slice(0, filter.limit);
  }

  ofType(type: IncidentType): Incident[] {
    return [...this.#incidents.values()].filter((incident) => incident.type === type);
  }
}

export class LineLogger implements Logger {
  readonly lines: string[] = [];

  info(message: string, _fields?: LogFields): void {
    this.lines.push(`INFO | ${message}`);
  }

  warn(message: string, _fields?: LogFields): void {
    this.lines.push(`WARN | ${message}`);
  }

  crit(message: string, _fields?: LogFields): void {
    this.lines.push(`CRIT | ${message}`);
  }

  child(_fields: LogFields): Logger {
    return this;
  }

  flush(): void {}

  close(): void {}
}

export type ControlCall =
  | {
      readonly kind: 'escalate';
      readonly state: 'REDUCING' | 'HALTED';
      readonly detector: string;
      readonly reason: string;
    }
  | { readonly kind: 'hold'; readonly owner: string; readonly reason: string; readonly until?: number }
  | { readonly kind: 'releaseHold'; readonly owner: string }
  | { readonly kind: 'tripKillSwitch'; readonly reason: string; readonly by: string }
  | { readonly kind: 'reconnectStreams' }
  | { readonly kind: 'resync'; readonly reason: string };

/** Records every call; holds expire on the clock as the real one's do. */
export class RecordingControl implements EngineControl {
  readonly calls: ControlCall[] = [];
  readonly #clock: Clock;
  readonly #holds = new Map<string, { owner: string; reason: string; until?: number }>();
  #state: TradingState = 'ACTIVE';
  /** What the next tripKillSwitch / reconnectStreams returns (default: resolves at once). */
  tripResult: () => Promise<void> = () => Promise.resolve();
  reconnectResult: () => Promise<void> = () => Promise.resolve();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  of<K extends ControlCall['kind']>(kind: K): Extract<ControlCall, { kind: K }>[] {
    return this.calls.filter((call): call is Extract<ControlCall, { kind: K }> => call.kind === kind);
  }

  tradingState(): TradingState {
    return this.#state;
  }

  escalate(state: 'REDUCING' | 'HALTED', detector: string, reason: string): void {
    this.calls.push({ kind: 'escalate', state, detector, reason });
    if (state === 'HALTED' || this.#state === 'ACTIVE') this.#state = state;
  }

  hold(owner: string, reason: string, until?: number): void {
    this.calls.push({ kind: 'hold', owner, reason, ...(until !== undefined && { until }) });
    this.#holds.set(owner, { owner, reason, ...(until !== undefined && { until }) });
  }

  releaseHold(owner: string): void {
    this.calls.push({ kind: 'releaseHold', owner });
    this.#holds.delete(owner);
  }

  holds(): readonly { readonly owner: string; readonly reason: string; readonly until?: number }[] {
    const now = this.#clock.now();
    return [...this.#holds.values()].filter((hold) => hold.until === undefined || hold.until > now);
  }

  tripKillSwitch(reason: string, by: string): Promise<void> {
    this.calls.push({ kind: 'tripKillSwitch', reason, by });
    return this.tripResult();
  }

  reconnectStreams(): Promise<void> {
    this.calls.push({ kind: 'reconnectStreams' });
    return this.reconnectResult();
  }

  resync(reason: string): Promise<void> {
    this.calls.push({ kind: 'resync', reason });
    return Promise.resolve();
  }
}

export interface IncidentHarness {
  readonly store: MemoryIncidentStore;
  readonly logger: LineLogger;
  readonly incidents: IncidentManager;
  readonly control: RecordingControl;
}

export function incidentHarness(clock: Clock): IncidentHarness {
  const store = new MemoryIncidentStore();
  const logger = new LineLogger();
  return {
    store,
    logger,
    incidents: new IncidentManager({ clock, store, logger }),
    control: new RecordingControl(clock),
  };
}

/** The incident-response loop's tick, on the test clock (every 250 ms as in production). */
export function runLoop(clock: Clock, detector: Detector, everyMs = 250): TimerHandle {
  return clock.setInterval(() => void detector.evaluate(), everyMs);
}

/** Lets promise chains started by a detector (kill switch, reconnect, probes) run to completion. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 20; round += 1) await Promise.resolve();
}

/** The streams' health as the adapter reports it, driven by hand: messages, drops and reconnects. */
export class FakeStreams {
  readonly #clock: Clock;
  readonly #streams = new Map<string, { connection: string; state: StreamConnectionState; lastMessageAt?: number }>();
  readonly #reconnects = new Map<string, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** A subscribed stream, open, never heard from yet. */
  add(stream: string, connection = 'market'): this {
    this.#streams.set(stream, { connection, state: 'open' });
    return this;
  }

  message(stream: string): void {
    const entry = this.#entry(stream);
    entry.lastMessageAt = this.#clock.now();
  }

  setState(stream: string, state: StreamConnectionState): void {
    this.#entry(stream).state = state;
  }

  reconnected(connection: string, times = 1): void {
    this.#reconnects.set(connection, (this.#reconnects.get(connection) ?? 0) + times);
  }

  /** A replaced connection starts counting from zero again. */
  resetCounter(connection: string): void {
    this.#reconnects.set(connection, 0);
  }

  health(): readonly StreamHealth[] {
    const now = this.#clock.now();
    return [...this.#streams].map(([stream, entry]) => ({
      stream,
      connection: entry.connection,
      state: entry.state,
      receiveAgeMs: entry.lastMessageAt === undefined ? undefined : now - entry.lastMessageAt,
      reconnects: this.#reconnects.get(entry.connection) ?? 0,
      lastMessageAt: entry.lastMessageAt,
    }));
  }

  #entry(stream: string): { connection: string; state: StreamConnectionState; lastMessageAt?: number } {
    const entry = this.#streams.get(stream);
    if (entry === undefined) throw new Error(`unknown stream ${stream}`);
    return entry;
  }
}

/**
 * Advances the clock tick by tick, letting promises settle after each: a probe or trip answered
 * "at once" by a fake then resolves before the next tick, as a loopback reply would.
 */
export async function advanceSettling(clock: { advance(ms: number): void }, ms: number, stepMs = 250): Promise<void> {
  for (let left = ms; left > 0; left -= stepMs) {
    clock.advance(Math.min(stepMs, left));
    await settle();
  }
}
