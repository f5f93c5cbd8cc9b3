import type { TradingState } from '../domain/trading-state.ts';

/**
 * What incident detectors may do to the engine (DESIGN incident matrix, "automatic response").
 * Automation only escalates: there is no method here that moves the trading state back.
 */
export interface EngineControl {
  tradingState(): TradingState;
  /** ACTIVE → REDUCING → HALTED; recorded with the detector's name. A lower state is ignored. */
  escalate(state: 'REDUCING' | 'HALTED', detector: string, reason: string): void;
  /**
   * A transient hold on NEW exposure (Retry-After, a 503 backoff, a flash-crash pause): the risk gate
   * denies opening orders while any hold is active; reduce-only exits still pass. Holds clear
   * themselves (`until`) or when their owner releases them; they never touch the trading state.
   */
  hold(owner: string, reason: string, until?: number): void;
  releaseHold(owner: string): void;
  holds(): readonly { readonly owner: string; readonly reason: string; readonly until?: number }[];
  /** Trips the kill switch (idempotent); resolves when its actions have been taken (not verified). */
  tripKillSwitch(reason: string, by: string): Promise<void>;
  /** Forces every WebSocket to reconnect (§1 "> 10 s reconnect"). */
  reconnectStreams(): Promise<void>;
  /** Resyncs orders, fills and positions over REST (after a reconnect). */
  resync(reason: string): Promise<void>;
}
