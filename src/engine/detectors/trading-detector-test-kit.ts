import { changeTradingState, type TradingState } from '../../domain/trading-state.ts';
import type { Clock } from '../../lib/clock.ts';
import type { EngineControl } from '../engine-control.ts';
import { IncidentManager } from '../incident-manager.ts';
import { LineLogger, MemoryIncidentStore } from './network-detector-test-kit.ts';

/**
 * In-memory fakes for the trading detectors' unit tests (playbook §4–7): incident store, a logger
 * that keeps its lines, and an EngineControl that records every call. Not used in production.
 */
// The same in-memory store and line logger as the network detectors' kit, under this kit's names.
export {
  LineLogger as TradingLineLogger,
  MemoryIncidentStore as TradingIncidentStore,
} from './network-detector-test-kit.ts';

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
  const store = new MemoryIncidentStore();
  const logger = new LineLogger();
  const incidents = new IncidentManager({ clock, store, logger });
  const control = new FakeEngineControl();
  return { store, logger, incidents, control };
}
