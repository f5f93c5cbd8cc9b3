import type { Incident, IncidentType } from '../../domain/incident.ts';
import { changeTradingState, type TradingState } from '../../domain/trading-state.ts';
import type { Clock } from '../../lib/clock.ts';
import type { IncidentStore } from '../../ports/incident-store.ts';
import type { LogFields, Logger } from '../../ports/logger.ts';
import type { EngineControl } from '../engine-control.ts';
import { IncidentManager } from '../incident-manager.ts';

/**
 * In-memory fakes for the trading detectors' unit tests (playbook §4–7): incident store, a logger
 * that keeps its lines, and an EngineControl that records every call. Not used in production.
 */
export class TradingIncidentStore implements IncidentStore {
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

export class TradingLineLogger implements Logger {
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

export type TradingControlCall =
  | {
      readonly kind: 'escalate';
      readonly state: 'REDUCING' | 'HALTED';
      readonly detector: string;
      readonly reason: string;
    }
  | { readonly kind: 'tripKillSwitch'; readonly reason: string; readonly by: string }
  | { readonly kind: 'reconnectStreams' }
  | { readonly kind: 'operatorResume'; readonly by: string };

/** Records every call; escalation follows the domain rule; the kill switch can be made to fail. */
export class FakeEngineControl implements EngineControl {
  readonly calls: TradingControlCall[] = [];
  state: TradingState = 'ACTIVE';
  killSwitch: 'ARMED' | 'TRIPPED' = 'ARMED';
  tripFails = false;

  tradingState(): TradingState {
    return this.state;
  }

  escalate(state: 'REDUCING' | 'HALTED', detector: string, reason: string): void {
    this.calls.push({ kind: 'escalate', state, detector, reason });
    const change = changeTradingState(this.state, state, { kind: 'automation', detector });
    if (change.ok) this.state = change.state;
  }

  hold(): void {}

  releaseHold(): void {}

  holds(): readonly { readonly owner: string; readonly reason: string; readonly until?: number }[] {
    return [];
  }

  async tripKillSwitch(reason: string, by: string): Promise<void> {
    this.calls.push({ kind: 'tripKillSwitch', reason, by });
    if (this.tripFails) throw new Error('kill switch unavailable');
    this.killSwitch = 'TRIPPED';
    this.state = 'HALTED';
  }

  async reconnectStreams(): Promise<void> {
    this.calls.push({ kind: 'reconnectStreams' });
  }

  async resync(): Promise<void> {}

  /** The operator path the resume gate is wired to (IncidentResponse.operatorSetTradingState). */
  operatorResume(by: string): TradingState {
    if (this.killSwitch === 'TRIPPED') throw new Error('the kill switch is TRIPPED: release it first');
    this.calls.push({ kind: 'operatorResume', by });
    this.state = 'ACTIVE';
    return this.state;
  }

  count(kind: TradingControlCall['kind']): number {
    return this.calls.filter((call) => call.kind === kind).length;
  }
}

export function incidentHarness(clock: Clock) {
  const store = new TradingIncidentStore();
  const logger = new TradingLineLogger();
  const incidents = new IncidentManager({ clock, store, logger });
  const control = new FakeEngineControl();
  return { store, logger, incidents, control };
}
