import type { OrderIntent } from '../../domain/order-intent.ts';
import { TERMINAL_ORDER_STATES } from '../../domain/order-transitions.ts';
import type { TrackedOrder } from '../../domain/tracked-order.ts';
import type { Clock } from '../../lib/clock.ts';
import { type Fixed, formatFixedTrimmed } from '../../lib/fixed.ts';
import type { EngineControl } from '../engine-control.ts';
import type { ExecutionService, SubmitResult } from '../execution-service.ts';
import type { IncidentManager } from '../incident-manager.ts';
import type { MarketState } from '../market-state.ts';
import type { OrderTracker } from '../order-tracker.ts';
import type { Detector } from './detector.ts';

export interface StuckOrderThresholds {
  /** executor.max_order_age_s in ms (§4: 300 s). */
  readonly maxOrderAgeMs: number;
  /** executor.cancel_and_reissue */
  readonly cancelAndReissue: boolean;
  /** executor.reissue_max_attempts: reissues of one stuck order before its exposure is closed. */
  readonly reissueMaxAttempts: number;
}

/** A cancel that threw (not an unknown outcome) is retried after this, never on every tick. */
const CANCEL_RETRY_MS = 5_000;

/** One stuck order and the reissues that replaced it, under one incident. */
interface Chain {
  readonly incidentId: string;
  readonly root: TrackedOrder;
  reissues: number;
  /** Executed quantity of the chain's finished orders (the exposure they opened, or reduced). */
  filled: Fixed;
  /** The cancel left the order UNKNOWN/PENDING_CANCEL: reconciliation resolves it, then we go on. */
  awaitingResolution: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const qty = (value: Fixed): string => formatFixedTrimmed(value);

/**
 * Playbook §4 (stuck orders): an OPEN or PARTIALLY_FILLED LIMIT order older than
 * executor.max_order_age_s is cancelled; with cancel_and_reissue its remaining quantity is reissued
 * at the current best price (bid for a BUY, ask for a SELL: passive, at the touch), at most
 * reissue_max_attempts times; then the exposure the chain opened is closed at market.
 *
 * Close rule: for an opening order (not reduce-only) the exposure it opened is the quantity its
 * chain FILLED, closed with a reduce-only MARKET on the opposite side (the risk gate caps it at the
 * position, and a position already gone is nothing to close); nothing filled means nothing opened.
 * For a reduce-only order (an exit) the exit is finished: a reduce-only MARKET on the same side for
 * what is left. Both are reduce-only, so they pass a halt.
 *
 * One cancel in flight per order; an order the cancel leaves UNKNOWN or PENDING_CANCEL is left to
 * reconciliation (ExecutionService.resolveUnknown), and the chain continues once it is resolved.
 * Responses run in the background so a slow REST round trip never stalls the evaluation loop.
 */
export class StuckOrderDetector implements Detector {
  readonly name = 'stuck-order';
  readonly #tracker: OrderTracker;
  readonly #execution: ExecutionService;
  readonly #market: MarketState;
  readonly #thresholds: StuckOrderThresholds;
  readonly #clock: Clock;
  readonly #incidents: IncidentManager;
  readonly #control: EngineControl;
  /** By the client order id of the chain's current order. */
  readonly #chains = new Map<string, Chain>();
  readonly #busy = new Set<string>();
  readonly #retryAt = new Map<string, number>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(deps: {
    tracker: OrderTracker;
    execution: ExecutionService;
    market: MarketState;
    thresholds: StuckOrderThresholds;
    clock: Clock;
    incidents: IncidentManager;
    control: EngineControl;
  }) {
    this.#tracker = deps.tracker;
    this.#execution = deps.execution;
    this.#market = deps.market;
    this.#thresholds = deps.thresholds;
    this.#clock = deps.clock;
    this.#incidents = deps.incidents;
    this.#control = deps.control;
  }

  evaluate(): void {
    const now = this.#clock.now();
    this.#followChains();
    for (const order of this.#tracker.active()) {
      if (order.type !== 'LIMIT' || (order.state !== 'OPEN' && order.state !== 'PARTIALLY_FILLED')) continue;
      if (now - order.createdAt <= this.#thresholds.maxOrderAgeMs) continue;
      const id = order.clientOrderId;
      if (this.#busy.has(id) || (this.#retryAt.get(id) ?? 0) > now) continue;
      this.#busy.add(id);
      this.#track(
        this.#respond(order).finally(() => this.#busy.delete(id)),
        order.symbol,
      );
    }
  }

  /** Resolves when every response started so far has finished (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Runs a response in the background; an unexpected failure (a store error…) is recorded, never unhandled. */
  #track(work: Promise<void>, symbol: string): void {
    const tracked = work
      .catch((error: unknown) => {
        const incident = this.#incidents.current('STUCK_ORDER', symbol);
        if (incident !== undefined)
          this.#incidents.action(incident.id, 'stuck-order response', 'failed', describe(error));
      })
      .catch(() => undefined)
      .finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  /** Chains whose current order finished without us: a reissue filled, or reconciliation resolved a cancel. */
  #followChains(): void {
    for (const [id, chain] of this.#chains) {
      if (this.#busy.has(id)) continue;
      const order = this.#tracker.get(id);
      if (order === undefined || !TERMINAL_ORDER_STATES.has(order.state)) continue;
      if (chain.awaitingResolution) {
        chain.awaitingResolution = false;
        this.#busy.add(id);
        this.#track(
          this.#afterCancel(chain, order).finally(() => this.#busy.delete(id)),
          order.symbol,
        );
        continue;
      }
      this.#chains.delete(id);
      this.#incidents.resolve(chain.incidentId, `${id} ended ${order.state}`);
    }
  }

  async #respond(order: TrackedOrder): Promise<void> {
    const id = order.clientOrderId;
    const chain = this.#chains.get(id) ?? this.#openChain(order);
    chain.awaitingResolution = false;
    if (chain.root.clientOrderId !== id) {
      this.#incidents.action(chain.incidentId, `reissue ${id} stuck`, 'ok', `age ${this.#ageSeconds(order)}s`);
    }
    this.#incidents.action(chain.incidentId, `cancel ${id}`, 'started');
    let after: TrackedOrder | undefined;
    try {
      after = await this.#execution.cancel(id);
    } catch (error) {
      const state = this.#tracker.get(id)?.state;
      if (state === 'UNKNOWN' || state === 'PENDING_CANCEL') {
        // The cancel may have reached the venue and its query failed too: never cancel blind again.
        chain.awaitingResolution = true;
        this.#incidents.action(
          chain.incidentId,
          `cancel ${id}`,
          'failed',
          `${describe(error)}; left ${state}: reconciliation resolves it by client order id`,
        );
        return;
      }
      this.#retryAt.set(id, this.#clock.now() + CANCEL_RETRY_MS);
      this.#incidents.action(chain.incidentId, `cancel ${id}`, 'failed', describe(error));
      return;
    }
    this.#retryAt.delete(id);
    if (after === undefined) {
      this.#chains.delete(id);
      this.#incidents.action(chain.incidentId, `cancel ${id}`, 'failed', 'order no longer tracked');
      return;
    }
    if (!TERMINAL_ORDER_STATES.has(after.state)) {
      chain.awaitingResolution = true;
      this.#incidents.action(
        chain.incidentId,
        `cancel ${id}`,
        'failed',
        `left ${after.state}: reconciliation resolves it by client order id`,
      );
      return;
    }
    this.#incidents.action(chain.incidentId, `cancel ${id}`, 'ok', after.state);
    await this.#afterCancel(chain, after);
  }

  #openChain(order: TrackedOrder): Chain {
    const maxAge = this.#thresholds.maxOrderAgeMs;
    const incident = this.#incidents.open({
      type: 'STUCK_ORDER',
      severity: 'WARN',
      symbol: order.symbol,
      summary: `Stuck order: ${order.clientOrderId} ${order.symbol} age ${this.#ageSeconds(order)}s`,
      firstEvidenceAt: order.createdAt + maxAge,
      firstEvidence: `${order.side} LIMIT ${qty(order.quantity)} @ ${order.price === undefined ? '?' : qty(order.price)} placed ${iso(order.createdAt)}, still ${order.state} after executor.max_order_age_s (${maxAge / 1000}s)`,
    });
    const chain: Chain = { incidentId: incident.id, root: order, reissues: 0, filled: 0n, awaitingResolution: false };
    this.#chains.set(order.clientOrderId, chain);
    return chain;
  }

  /** The order is terminal after our cancel: reissue what is left, or close the exposure. */
  async #afterCancel(chain: Chain, order: TrackedOrder): Promise<void> {
    const id = order.clientOrderId;
    this.#chains.delete(id);
    chain.filled += order.executedQty;
    if (order.state === 'FILLED') {
      // The fill raced the cancel (PENDING_CANCEL → FILLED): the order did what it was for.
      this.#incidents.resolve(chain.incidentId, `${id} filled before the cancel took effect`);
      return;
    }
    const remaining = order.quantity - order.executedQty;
    const { cancelAndReissue, reissueMaxAttempts } = this.#thresholds;
    if (cancelAndReissue && remaining > 0n && chain.reissues < reissueMaxAttempts) {
      if (await this.#reissue(chain, order, remaining)) return;
    }
    await this.#closeExposure(chain, order);
  }

  /** Returns true when a reissue is on its way (the chain then follows it). */
  async #reissue(chain: Chain, order: TrackedOrder, remaining: Fixed): Promise<boolean> {
    const market = this.#market.get(order.symbol);
    const price = order.side === 'BUY' ? market.bid : market.ask;
    const attempt = `reissue attempt ${chain.reissues + 1} of ${this.#thresholds.reissueMaxAttempts}`;
    if (price === undefined) {
      this.#incidents.action(chain.incidentId, attempt, 'failed', `no best price for ${order.symbol}`);
      return false;
    }
    const result = await this.#execution.submit({
      symbol: order.symbol,
      side: order.side,
      type: 'LIMIT',
      quantity: remaining,
      price,
      timeInForce: order.timeInForce ?? 'GTC',
      reduceOnly: order.reduceOnly,
      purpose: `${chain.root.purpose} reissue`,
    });
    if (result.status === 'denied' || result.status === 'failed') {
      this.#incidents.action(chain.incidentId, attempt, 'failed', resultDetail(result));
      return false;
    }
    chain.reissues += 1;
    const reissued = result.order;
    this.#incidents.action(
      chain.incidentId,
      attempt,
      result.status === 'sent' ? 'ok' : 'started',
      `${reissued.clientOrderId} ${reissued.side} ${qty(reissued.quantity)} @ ${qty(reissued.price ?? price)} ${reissued.state}`,
    );
    this.#incidents.contain(chain.incidentId, 'stuck order cancelled and reissued at the best price');
    if (reissued.state === 'FILLED') {
      this.#incidents.resolve(chain.incidentId, `reissue ${reissued.clientOrderId} filled`);
      return true;
    }
    // An UNKNOWN reissue is followed too: reconciliation resolves it, and if it rests it can go stuck.
    this.#chains.set(reissued.clientOrderId, chain);
    return true;
  }

  async #closeExposure(chain: Chain, last: TrackedOrder): Promise<void> {
    const { root } = chain;
    const quantity = root.reduceOnly ? last.quantity - last.executedQty : chain.filled;
    if (quantity <= 0n) {
      this.#incidents.contain(chain.incidentId, 'stuck order cancelled; nothing filled, no exposure opened');
      this.#incidents.resolve(chain.incidentId, 'no exposure to close');
      return;
    }
    const opposite = root.side === 'BUY' ? 'SELL' : 'BUY';
    const intent: OrderIntent = {
      symbol: root.symbol,
      // An opening order's fills are undone on the opposite side; an exit is finished on its own side.
      side: root.reduceOnly ? root.side : opposite,
      type: 'MARKET',
      quantity,
      reduceOnly: true,
      purpose: 'stuck-order close',
    };
    const action = `close ${qty(quantity)} ${root.symbol} at market (${intent.side} reduce-only)`;
    const result = await this.#execution.submit(intent);
    if (result.status === 'denied' && result.denial.code === 'ORDER_DENIED_NOTHING_TO_REDUCE') {
      this.#incidents.action(chain.incidentId, action, 'ok', 'position already gone');
      this.#incidents.resolve(chain.incidentId, 'no exposure left to close');
      return;
    }
    if (result.status === 'denied' || result.status === 'failed') {
      this.#incidents.action(chain.incidentId, action, 'failed', resultDetail(result));
      // The exposure could not be closed: stop adding to it until an operator looks (exits still pass).
      this.#control.escalate('REDUCING', this.name, `stuck order ${root.clientOrderId}: ${action} failed`);
      return;
    }
    const close = result.order;
    this.#incidents.action(
      chain.incidentId,
      action,
      result.status === 'sent' ? 'ok' : 'started',
      `${close.clientOrderId} ${close.state}`,
    );
    this.#incidents.contain(chain.incidentId, 'exposure of the stuck order closed at market');
    if (close.state === 'FILLED') this.#incidents.resolve(chain.incidentId, 'exposure closed');
  }

  #ageSeconds(order: TrackedOrder): number {
    return Math.ceil((this.#clock.now() - order.createdAt) / 1000);
  }
}

function resultDetail(result: SubmitResult): string {
  switch (result.status) {
    case 'denied':
      return `${result.denial.code}: ${result.denial.message}`;
    case 'failed':
    case 'unknown':
      return `${result.error.code}: ${result.error.message}`;
    case 'sent':
      return result.order.state;
    default: {
      const never: never = result;
      return String(never);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return 'code' in error ? `${String(error.code)}: ${error.message}` : error.message;
  return String(error);
}
