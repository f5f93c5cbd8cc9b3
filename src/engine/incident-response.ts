import { changeTradingState, type TradingState } from '../domain/trading-state.ts';
import type { Clock, TimerHandle } from '../lib/clock.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import type { ExchangeStreams } from '../ports/exchange-streams.ts';
import type { Logger } from '../ports/logger.ts';
import type { Store } from '../ports/store.ts';
import type { Detector } from './detectors/detector.ts';
import type { EngineControl } from './engine-control.ts';

interface Hold {
  readonly owner: string;
  readonly reason: string;
  readonly until?: number;
}

/**
 * The incident-response loop: runs every detector on a clock tick and gives them the EngineControl
 * they act through. Automation only escalates (DESIGN principle 5); `operatorSetTradingState` is the
 * one way back, and it needs a name.
 */
export class IncidentResponse implements EngineControl {
  readonly #clock: Clock;
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #streams: Pick<ExchangeStreams, 'reconnect'>;
  readonly #holds = new Map<string, Hold>();
  readonly #detectors: Detector[] = [];
  #tripKillSwitch: ((reason: string, by: string) => Promise<void>) | undefined;
  #resync: (reason: string) => Promise<void>;
  #timer: TimerHandle | undefined;
  #evaluating = false;

  constructor(deps: {
    clock: Clock;
    store: Store;
    logger: Logger;
    streams: Pick<ExchangeStreams, 'reconnect'>;
    resync: (reason: string) => Promise<void>;
  }) {
    this.#clock = deps.clock;
    this.#store = deps.store;
    this.#logger = deps.logger;
    this.#streams = deps.streams;
    this.#resync = deps.resync;
  }

  /** Wired after construction: the kill switch needs the engine, which needs this. */
  setKillSwitch(trip: (reason: string, by: string) => Promise<void>): void {
    this.#tripKillSwitch = trip;
  }

  addDetector(detector: Detector): void {
    this.#detectors.push(detector);
  }

  start(evaluateEveryMs: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#clock.setInterval(() => void this.evaluate(), evaluateEveryMs);
  }

  stop(): void {
    this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /** One pass over every detector; a detector that throws is logged and the others still run. */
  async evaluate(): Promise<void> {
    if (this.#evaluating) return;
    this.#evaluating = true;
    try {
      for (const detector of this.#detectors) {
        try {
          await detector.evaluate();
        } catch (error) {
          this.#logger.warn(
            `Detector ${detector.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    } finally {
      this.#evaluating = false;
    }
  }

  tradingState(): TradingState {
    return this.#store.getTradingState()?.state ?? 'ACTIVE';
  }

  escalate(state: 'REDUCING' | 'HALTED', detector: string, reason: string): void {
    this.#setTradingState(state, { kind: 'automation', detector }, reason);
  }

  /** The operator's way back (`yunmin resume --by NAME`), refused while the kill switch is tripped. */
  operatorSetTradingState(state: TradingState, name: string, reason: string): TradingState {
    if (state !== 'HALTED' && this.#store.getKillSwitch().state === 'TRIPPED') {
      throw new YunminError(
        'TRADING_STATE_KILL_SWITCH_TRIPPED',
        'the kill switch is TRIPPED: release it first (`yunmin kill-switch release --by NAME`)',
      );
    }
    return this.#setTradingState(state, { kind: 'operator', name }, reason);
  }

  hold(owner: string, reason: string, until?: number): void {
    const fresh = !this.#holds.has(owner);
    this.#holds.set(owner, { owner, reason, ...(until !== undefined && { until }) });
    if (fresh) this.#logger.warn(`New orders on hold (${owner}): ${reason}`);
  }

  releaseHold(owner: string): void {
    if (this.#holds.delete(owner)) this.#logger.info(`Hold released (${owner})`);
  }

  holds(): readonly Hold[] {
    const now = this.#clock.now();
    for (const [owner, hold] of this.#holds) {
      if (hold.until !== undefined && hold.until <= now) {
        this.#holds.delete(owner);
        this.#logger.info(`Hold expired (${owner})`);
      }
    }
    return [...this.#holds.values()];
  }

  async tripKillSwitch(reason: string, by: string): Promise<void> {
    if (this.#tripKillSwitch === undefined) throw new YunminError('KILL_SWITCH_UNAVAILABLE', 'no kill switch is wired');
    await this.#tripKillSwitch(reason, by);
  }

  async reconnectStreams(): Promise<void> {
    await this.#streams.reconnect({ force: true });
  }

  async resync(reason: string): Promise<void> {
    await this.#resync(reason);
  }

  #setTradingState(state: TradingState, actor: Parameters<typeof changeTradingState>[2], reason: string): TradingState {
    const current = this.tradingState();
    const result = changeTradingState(current, state, actor);
    if (!result.ok) {
      this.#logger.info(`Trading state change refused: ${result.reason}`);
      return current;
    }
    if (!result.changed) return current;
    const changedBy = actor.kind === 'automation' ? `automation:${actor.detector}` : `operator:${actor.name}`;
    this.#store.setTradingState({ state, changedAt: this.#clock.now(), changedBy, reason });
    this.#store.appendEvent({
      type: 'TradingStateChanged',
      at: this.#clock.now(),
      payload: { from: current, to: state, by: changedBy, reason },
    });
    const line = `Trading state: ${current} → ${state} by ${changedBy}: ${reason}`;
    if (state === 'HALTED') this.#logger.crit(line);
    else this.#logger.warn(line);
    return state;
  }
}
