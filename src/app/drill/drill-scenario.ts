import type { IncidentType } from '../../domain/incident.ts';
import type { TradingState } from '../../domain/trading-state.ts';
import type { RunningSimulator } from '../../sim/simulator.ts';
import type { RunningEngine } from '../engine-app.ts';

export interface DrillContext {
  readonly sim: RunningSimulator;
  readonly engine: RunningEngine;
  readonly scale: number;
  /** Injects a simulator fault (docs/simulator-faults.md) and remembers it for the timing. */
  inject(spec: Record<string, unknown>): void;
}

export interface DrillExpectation {
  /** The incident the engine must open (undefined: none required, e.g. a quick reconnect). */
  readonly incident?: IncidentType;
  /** The detection threshold of that incident at this scale (ms), for the target "threshold + 1 s". */
  readonly thresholdMs: number;
  readonly killSwitch: boolean;
  /** The trading state the engine must be in afterwards (at least this escalated). */
  readonly tradingState: TradingState;
  /** The playbook requires the exchange flat afterwards. */
  readonly exchangeFlat: boolean;
  /** Local positions must equal the exchange's afterwards (false where the mismatch is the point). */
  readonly localEqualsExchange: boolean;
}

export interface DrillScenario {
  readonly name: string;
  /** Playbook section. */
  readonly section: string;
  readonly description: string;
  /** YAML appended to the drill's base config (strategy, symbols, limits). */
  readonly config: string;
  /** Wait for an open position before injecting. */
  readonly needsPosition: boolean;
  inject(context: DrillContext): Promise<void>;
  expect(scale: number): DrillExpectation;
  /** Extra checks after the response (violations as sentences). */
  verify?(context: DrillContext): Promise<readonly string[]>;
}
