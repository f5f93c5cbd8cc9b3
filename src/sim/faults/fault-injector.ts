import type { Clock, TimerHandle } from '../../lib/clock.ts';
import { parseFixed } from '../../lib/fixed.ts';
import type { Random } from '../../lib/random.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import type { FaultGate, FaultTargets, RestRequestInfo, RestVerdict, StreamChannel } from './fault-gate.ts';
import { MAINTENANCE_VERDICT, restErrorVerdict } from './fault-responses.ts';
import {
  type FaultSpec,
  type FaultSpecInput,
  type FaultType,
  movePctToFraction,
  parseFaultSpec,
} from './fault-spec.ts';

/**
 * Turns fault specs into the answers the transports get from the FaultGate, and into calls on the
 * market, exchange and stream server. Every fault is logged with when it started, when it first hit
 * something (the first request it failed, the first message it held back) and when it ended, so a
 * drill can measure the engine's time to detect against the fault's first evidence (DESIGN
 * "Incidents and reviews").
 *
 * The gate methods run on every request and every outgoing message: each reads one array that is
 * empty when nothing of its kind is active, and the arrays are rebuilt only when a fault starts or ends.
 */

export interface ActiveFault {
  readonly id: string;
  readonly type: FaultType;
  readonly startedAt: number;
  /** Absent while the fault lasts until cleared (or until its count is used up). */
  readonly endsAt?: number;
}

export type FaultEndReason = 'expired' | 'cleared' | 'count-exhausted' | 'immediate';

export interface FaultLogEntry {
  readonly id: string;
  readonly type: FaultType;
  readonly params: FaultSpec;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly endReason?: FaultEndReason;
  /** Requests failed, connections closed or refused, messages held back, shocks applied… */
  readonly effects: number;
  /** When the fault first took effect: the start of detection delay. */
  readonly firstEffectAt?: number;
}

export interface FaultInjectorDeps {
  readonly clock: Clock;
  /** Seeded: the same seed and the same request sequence give the same failures. */
  readonly random: Random;
  readonly targets: FaultTargets;
}

/** A spec the injector refuses; `message` names the field and what was expected. */
export class FaultSpecError extends YunminError {
  constructor(message: string) {
    super('SIM_FAULT_INVALID', message);
    this.name = 'FaultSpecError';
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface RunningFault {
  readonly spec: FaultSpec;
  readonly view: ActiveFault;
  readonly entry: Mutable<FaultLogEntry>;
  /** Requests left for a `count` fault. */
  remaining: number | undefined;
  timer: TimerHandle | undefined;
  /** REST faults: does this request fall under the fault? */
  readonly matches: (request: RestRequestInfo) => boolean;
  /** Built once (except the 418, whose body quotes the ban's end). */
  readonly verdict: RestVerdict | undefined;
  cancelShock: (() => void) | undefined;
}

const PASS: RestVerdict = Object.freeze({ kind: 'pass' });
const HANG: RestVerdict = Object.freeze({ kind: 'hang' });
const MAX_LOG_ENTRIES = 10_000;
/** §2.6 -1008 applies to new orders only: POST /order, /batchOrders, /order/test. */
const THROTTLED_PATH = /\/(order|batchOrders|order\/test)$/;

export class FaultInjector implements FaultGate {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #targets: FaultTargets;
  #nextId = 1;
  #running: RunningFault[] = [];
  readonly #log: Mutable<FaultLogEntry>[] = [];

  // Per-concern views of #running, in injection order (the first match wins).
  #rest: readonly RunningFault[] = [];
  #restLatency: readonly RunningFault[] = [];
  #wsLatency: readonly RunningFault[] = [];
  #wsRefusals: readonly RunningFault[] = [];
  #frozen: readonly RunningFault[] = [];
  #depthGaps: readonly RunningFault[] = [];
  #skews: readonly RunningFault[] = [];

  constructor(deps: FaultInjectorDeps) {
    this.#clock = deps.clock;
    this.#random = deps.random;
    this.#targets = deps.targets;
  }

  /** Starts a fault; throws FaultSpecError for an invalid spec (errors from the targets propagate). */
  inject(input: FaultSpecInput): ActiveFault {
    const parsed = parseFaultSpec(input);
    if (!parsed.ok) throw new FaultSpecError(parsed.message);
    const spec = parsed.value;
    const startedAt = this.#clock.now();
    const id = `f${this.#nextId++}`;
    const endsAt = plannedEnd(spec, startedAt);
    const view: ActiveFault =
      endsAt === undefined ? { id, type: spec.type, startedAt } : { id, type: spec.type, startedAt, endsAt };
    const fault: RunningFault = {
      spec,
      view,
      entry: { id, type: spec.type, params: spec, startedAt, effects: 0 },
      remaining:
        spec.type === 'depth-gap'
          ? (spec.count ?? 1)
          : 'count' in spec && spec.type !== 'ws-close'
            ? spec.count
            : undefined,
      timer: undefined,
      matches: requestMatcher(spec),
      verdict:
        spec.type === 'rest-error' ? restErrorVerdict(spec, startedAt) : spec.type === 'rest-hang' ? HANG : undefined,
      cancelShock: undefined,
    };

    this.#start(fault);
    this.#record(fault.entry);
    if (endsAt === startedAt) {
      this.#finish(fault, 'immediate');
      return view;
    }
    this.#running = [...this.#running, fault];
    this.#reindex();
    if (endsAt !== undefined)
      fault.timer = this.#clock.setTimeout(() => this.#end(fault, 'expired'), endsAt - startedAt);
    return view;
  }

  /** Ends a fault early; false when no active fault has this id. */
  clear(id: string): boolean {
    const fault = this.#running.find((candidate) => candidate.view.id === id);
    if (fault === undefined) return false;
    this.#end(fault, 'cleared');
    return true;
  }

  /** Ends every active fault; returns how many. */
  clearAll(): number {
    const running = this.#running;
    for (const fault of [...running].reverse()) this.#end(fault, 'cleared');
    return running.length;
  }

  active(): readonly ActiveFault[] {
    return this.#running.map((fault) => fault.view);
  }

  log(): readonly FaultLogEntry[] {
    return this.#log.map((entry) => ({ ...entry }));
  }

  // ── FaultGate ────────────────────────────────────────────────────────────────────────────────

  restVerdict(request: RestRequestInfo): RestVerdict {
    const faults = this.#rest;
    if (faults.length === 0) return PASS;
    for (const fault of faults) {
      if (fault.spec.type === 'maintenance') {
        this.#effect(fault);
        return MAINTENANCE_VERDICT;
      }
      if (!fault.matches(request)) continue;
      const probability = 'probability' in fault.spec ? fault.spec.probability : undefined;
      if (probability !== undefined && this.#random.next() >= probability) continue;
      this.#effect(fault);
      const verdict =
        fault.spec.type === 'rest-error' && fault.spec.status === 418
          ? restErrorVerdict(fault.spec, this.#clock.now())
          : fault.verdict;
      if (fault.remaining !== undefined) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) this.#end(fault, 'count-exhausted');
      }
      return verdict ?? PASS;
    }
    return PASS;
  }

  restLatencyMs(): number {
    return this.#restLatency.length === 0 ? 0 : this.#latency(this.#restLatency);
  }

  wsLatencyMs(): number {
    return this.#wsLatency.length === 0 ? 0 : this.#latency(this.#wsLatency);
  }

  acceptWsConnection(channel: StreamChannel): boolean {
    for (const fault of this.#wsRefusals) {
      if (fault.spec.type === 'ws-refuse' && fault.spec.channel !== undefined && fault.spec.channel !== channel)
        continue;
      this.#effect(fault);
      return false;
    }
    return true;
  }

  isStreamFrozen(stream: string): boolean {
    for (const fault of this.#frozen) {
      if (fault.spec.type !== 'ws-freeze') continue;
      if (fault.spec.streams !== undefined && !fault.spec.streams.some((pattern) => streamMatches(pattern, stream))) {
        continue;
      }
      this.#effect(fault);
      return true;
    }
    return false;
  }

  dropDepthDiff(symbol: string): boolean {
    const faults = this.#depthGaps;
    if (faults.length === 0) return false;
    for (const fault of faults) {
      if (fault.spec.type !== 'depth-gap') continue;
      if (fault.spec.symbol !== undefined && fault.spec.symbol !== symbol.toUpperCase()) continue;
      this.#effect(fault);
      fault.remaining = (fault.remaining ?? 1) - 1;
      if (fault.remaining <= 0) this.#end(fault, 'count-exhausted');
      return true;
    }
    return false;
  }

  clockSkewMs(): number {
    const faults = this.#skews;
    if (faults.length === 0) return 0;
    let total = 0;
    for (const fault of faults) {
      if (fault.spec.type !== 'clock-skew') continue;
      this.#effect(fault);
      total += fault.spec.offsetMs;
    }
    return total;
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────

  /** Acts on the targets when a fault starts. */
  #start(fault: RunningFault): void {
    const spec = fault.spec;
    switch (spec.type) {
      case 'ws-close': {
        const closed = this.#targets.streams.closeConnections({
          ...(spec.channel === undefined ? {} : { channel: spec.channel }),
          ...(spec.count === undefined ? {} : { count: spec.count }),
        });
        this.#effect(fault, closed);
        return;
      }
      case 'maintenance':
        // Binance drops its sockets for a maintenance window and refuses new ones until it ends.
        if (spec.closeStreams !== false) this.#effect(fault, this.#targets.streams.closeConnections({}));
        return;
      case 'stuck-orders':
        this.#targets.exchange.setStuckOrders(stuckScope(spec.symbol, true));
        this.#effect(fault);
        return;
      case 'flash-crash': {
        const move = movePctToFraction(spec.movePct);
        if (move === undefined) throw new FaultSpecError(`movePct: expected at most 6 decimals, got ${spec.movePct}`);
        fault.cancelShock = this.#targets.market.applyShock({
          symbol: spec.symbol,
          move,
          overMs: spec.overMs,
          scope: spec.scope ?? 'market',
          ...(spec.revertAfterMs === undefined ? {} : { revertAfterMs: spec.revertAfterMs }),
        });
        this.#effect(fault);
        return;
      }
      case 'external-fill':
        this.#targets.exchange.externalFill(
          spec.symbol,
          spec.side,
          parseFixed(spec.qty),
          spec.price === undefined ? undefined : parseFixed(spec.price),
          spec.emitEvents ?? true,
        );
        this.#effect(fault);
        return;
      case 'ws-refuse':
      case 'ws-freeze':
      case 'depth-gap':
      case 'rest-error':
      case 'rest-hang':
      case 'latency':
      case 'clock-skew':
        return; // gate-only faults: they act when the transports ask
      default: {
        const unreachable: never = spec;
        throw new FaultSpecError(`unknown fault type ${JSON.stringify(unreachable)}`);
      }
    }
  }

  #end(fault: RunningFault, reason: FaultEndReason): void {
    if (!this.#running.includes(fault)) return;
    this.#clock.clearTimer(fault.timer);
    this.#running = this.#running.filter((candidate) => candidate !== fault);
    this.#reindex();
    const spec = fault.spec;
    if (spec.type === 'stuck-orders') {
      this.#targets.exchange.setStuckOrders(stuckScope(spec.symbol, false));
      // Another stuck-orders fault may still cover this symbol: re-assert the ones that remain.
      for (const other of this.#running) {
        if (other.spec.type === 'stuck-orders')
          this.#targets.exchange.setStuckOrders(stuckScope(other.spec.symbol, true));
      }
    }
    // An expired shock has already reverted by itself; a cleared one is cancelled (the price returns).
    if (spec.type === 'flash-crash' && reason !== 'expired') fault.cancelShock?.();
    this.#finish(fault, reason);
  }

  #finish(fault: RunningFault, reason: FaultEndReason): void {
    fault.entry.endedAt = this.#clock.now();
    fault.entry.endReason = reason;
  }

  #effect(fault: RunningFault, times = 1): void {
    if (times <= 0) return;
    fault.entry.effects += times;
    fault.entry.firstEffectAt ??= this.#clock.now();
  }

  #latency(faults: readonly RunningFault[]): number {
    let total = 0;
    for (const fault of faults) {
      if (fault.spec.type !== 'latency') continue;
      const jitter = fault.spec.jitterMs ?? 0;
      total += fault.spec.fixedMs + (jitter > 0 ? Math.round(this.#random.next() * jitter) : 0);
      this.#effect(fault);
    }
    return total;
  }

  #record(entry: Mutable<FaultLogEntry>): void {
    this.#log.push(entry);
    if (this.#log.length > MAX_LOG_ENTRIES) this.#log.splice(0, this.#log.length - MAX_LOG_ENTRIES);
  }

  #reindex(): void {
    const running = this.#running;
    const of = (predicate: (spec: FaultSpec) => boolean) => running.filter((fault) => predicate(fault.spec));
    this.#rest = of((spec) => spec.type === 'rest-error' || spec.type === 'rest-hang' || spec.type === 'maintenance');
    this.#restLatency = of((spec) => spec.type === 'latency' && spec.target === 'rest');
    this.#wsLatency = of((spec) => spec.type === 'latency' && spec.target === 'ws');
    this.#wsRefusals = of((spec) => spec.type === 'ws-refuse' || spec.type === 'maintenance');
    this.#frozen = of((spec) => spec.type === 'ws-freeze');
    this.#depthGaps = of((spec) => spec.type === 'depth-gap');
    this.#skews = of((spec) => spec.type === 'clock-skew');
  }
}

/** When a fault ends by itself: startedAt for one-shot faults, undefined when it lasts until cleared. */
function plannedEnd(spec: FaultSpec, startedAt: number): number | undefined {
  switch (spec.type) {
    case 'ws-close':
    case 'external-fill':
      return startedAt;
    case 'depth-gap':
      return undefined; // ends when its count is used up
    case 'flash-crash':
      // Without a revert the move stays in force until the fault is cleared (clearing undoes it).
      return spec.revertAfterMs === undefined ? undefined : startedAt + spec.revertAfterMs;
    default:
      return spec.durationMs === undefined ? undefined : startedAt + spec.durationMs;
  }
}

function requestMatcher(spec: FaultSpec): (request: RestRequestInfo) => boolean {
  if (spec.type !== 'rest-error' && spec.type !== 'rest-hang') return () => true;
  const paths = spec.paths;
  const ordersOnly = spec.ordersOnly === true;
  const throttled = spec.type === 'rest-error' && spec.status === 503 && spec.variant === 'throttled';
  return (request) => {
    if (ordersOnly && !request.isOrderMutation) return false;
    if (paths !== undefined && !paths.some((pattern) => pathMatches(pattern, request.path))) return false;
    // Binance exempts reduce-only and close-position orders from -1008, and throttles only new orders.
    if (throttled && (request.isReduceOnly || request.method !== 'POST' || !THROTTLED_PATH.test(request.path))) {
      return false;
    }
    return true;
  };
}

function pathMatches(pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

/** Stream names are case-insensitive on Binance; "btcusdt@*" covers every stream of a symbol. */
function streamMatches(pattern: string, stream: string): boolean {
  const wanted = pattern.toLowerCase();
  const actual = stream.toLowerCase();
  return wanted.endsWith('*') ? actual.startsWith(wanted.slice(0, -1)) : actual === wanted;
}

function stuckScope(symbol: string | undefined, enabled: boolean): { symbol?: string; enabled: boolean } {
  return symbol === undefined ? { enabled } : { symbol, enabled };
}
