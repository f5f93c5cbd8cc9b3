import { ExchangeError } from '../domain/exchange-error.ts';
import type { OrderReport, OrderRequest } from '../domain/order.ts';
import type { OrderIntent } from '../domain/order-intent.ts';
import type { TrackedOrder } from '../domain/tracked-order.ts';
import type { Clock } from '../lib/clock.ts';
import { absFixed } from '../lib/fixed.ts';
import type { ExecutionVenue } from '../ports/execution-venue.ts';
import type { IdGenerator } from '../ports/id-generator.ts';
import type { Store } from '../ports/store.ts';
import { OrderDenied } from './order-denied.ts';
import type { OrderTracker } from './order-tracker.ts';
import { checkOrder, type RiskContext } from './risk-gate.ts';

export type SubmitResult =
  | { readonly status: 'denied'; readonly denial: OrderDenied }
  | { readonly status: 'sent'; readonly order: TrackedOrder }
  /** The venue refused or a hold stopped it (certainly not executed). */
  | { readonly status: 'failed'; readonly order: TrackedOrder; readonly error: ExchangeError }
  /** The reply was lost: the order stays UNKNOWN until a query by client order id resolves it. */
  | { readonly status: 'unknown'; readonly order: TrackedOrder; readonly error: ExchangeError };

/** Codes after which the order certainly did not execute. */
const NOT_EXECUTED = new Set([
  'EXCHANGE_REJECTED',
  'EXCHANGE_RATE_LIMITED',
  'EXCHANGE_IP_BANNED',
  'EXCHANGE_UNAVAILABLE',
  'EXCHANGE_AUTHENTICATION',
  'EXCHANGE_CLOCK_SKEW',
]);

/** Binance takes at most 5 orders per batchOrders call (§2.3). */
const BATCH_SIZE = 5;

/**
 * The single way out (issue 4 point 4): risk gate → persist with a fresh client order id → send →
 * record the outcome. A send whose reply is lost is never retried here: the order stays UNKNOWN and
 * `resolveUnknown` asks the venue about that client order id (DESIGN principle 4).
 */
export class ExecutionService {
  readonly #clock: Clock;
  readonly #store: Store;
  readonly #tracker: OrderTracker;
  readonly #ids: IdGenerator;
  readonly #riskContext: (symbol: string) => RiskContext;
  #venue: ExecutionVenue;

  constructor(deps: {
    clock: Clock;
    store: Store;
    tracker: OrderTracker;
    venue: ExecutionVenue;
    ids: IdGenerator;
    riskContext: (symbol: string) => RiskContext;
  }) {
    this.#clock = deps.clock;
    this.#store = deps.store;
    this.#tracker = deps.tracker;
    this.#venue = deps.venue;
    this.#ids = deps.ids;
    this.#riskContext = deps.riskContext;
  }

  /** LIVE ↔ DRY_RUN switches the venue (the kill switch moves the strategy to paper). */
  setVenue(venue: ExecutionVenue): void {
    this.#venue = venue;
  }

  async submit(intent: OrderIntent): Promise<SubmitResult> {
    const prepared = this.#prepare(intent);
    if ('denial' in prepared) return { status: 'denied', denial: prepared.denial };
    const late = this.#deniedAtSend(prepared);
    if (late !== undefined) return late;
    this.#tracker.transition(prepared.clientOrderId, 'send');
    try {
      const report = await this.#venue.placeOrder(prepared);
      return { status: 'sent', order: this.#tracker.applyReport(report) ?? this.#current(prepared.clientOrderId) };
    } catch (error) {
      return this.#sendFailed(prepared.clientOrderId, error);
    }
  }

  /** Several orders in batches of five; each is checked, persisted and recorded on its own. */
  async submitMany(intents: readonly OrderIntent[]): Promise<readonly SubmitResult[]> {
    const results: SubmitResult[] = [];
    const ready: OrderRequest[] = [];
    for (const intent of intents) {
      const prepared = this.#prepare(intent);
      if ('denial' in prepared) results.push({ status: 'denied', denial: prepared.denial });
      else ready.push(prepared);
    }
    for (let start = 0; start < ready.length; start += BATCH_SIZE) {
      // A halt or hold may have come while an earlier batch was on the wire: check again right
      // before each send (DESIGN principle 5: nothing but reduce-only exits leaves while halted).
      const batch: OrderRequest[] = [];
      for (const request of ready.slice(start, start + BATCH_SIZE)) {
        const late = this.#deniedAtSend(request);
        if (late === undefined) batch.push(request);
        else results.push(late);
      }
      if (batch.length === 0) continue;
      for (const request of batch) this.#tracker.transition(request.clientOrderId, 'send');
      let replies: readonly (OrderReport | Error)[];
      try {
        replies = await this.#venue.placeOrders(batch);
      } catch (error) {
        replies = batch.map(() => (error instanceof Error ? error : new Error(String(error))));
      }
      batch.forEach((request, index) => {
        const reply = replies[index];
        if (reply === undefined || reply instanceof Error) {
          results.push(this.#sendFailed(request.clientOrderId, reply ?? new Error('no reply for this batch element')));
        } else {
          results.push({
            status: 'sent',
            order: this.#tracker.applyReport(reply) ?? this.#current(request.clientOrderId),
          });
        }
      });
    }
    return results;
  }

  /** Cancels one of our orders. A cancel of an order that is already gone is resolved by a query. */
  async cancel(clientOrderId: string): Promise<TrackedOrder | undefined> {
    const order = this.#tracker.get(clientOrderId);
    if (order === undefined) return undefined;
    this.#tracker.transition(clientOrderId, 'cancelRequested');
    try {
      const report = await this.#venue.cancelOrder(order.symbol, { clientOrderId });
      if (report !== undefined) return this.#tracker.applyReport(report) ?? this.#current(clientOrderId);
      this.#tracker.transition(clientOrderId, 'cancelRejected', {
        lastError: 'cancel: -2011 unknown order (filled or already cancelled)',
      });
    } catch (error) {
      if (error instanceof ExchangeError && error.code === 'EXCHANGE_UNKNOWN_OUTCOME') {
        this.#tracker.transition(clientOrderId, 'outcomeUnknown', { lastError: error.code });
      } else {
        throw error;
      }
    }
    return this.resolveUnknown(clientOrderId);
  }

  /** Asks the venue what became of an order whose outcome is unknown; never resends. */
  async resolveUnknown(clientOrderId: string): Promise<TrackedOrder | undefined> {
    const order = this.#tracker.get(clientOrderId);
    if (order === undefined) return undefined;
    const report = await this.#venue.getOrder(order.symbol, { clientOrderId });
    if (report !== undefined) return this.#tracker.applyReport(report) ?? this.#current(clientOrderId);
    return this.#tracker.transition(clientOrderId, 'notFound', { lastError: 'query: -2013 order does not exist' });
  }

  /** Reduce-only MARKET for the whole position of one symbol (`yunmin close`, kill switch). */
  async closePosition(symbol: string, purpose: string): Promise<SubmitResult | undefined> {
    const position = this.#tracker.position(symbol);
    if (position.amount === 0n) return undefined;
    return this.submit({
      symbol,
      side: position.amount > 0n ? 'SELL' : 'BUY',
      type: 'MARKET',
      quantity: absFixed(position.amount),
      reduceOnly: true,
      purpose,
    });
  }

  /** Reduce-only MARKET for every open position, batched (kill switch, `flattenAll`). */
  async flattenAll(purpose: string): Promise<readonly SubmitResult[]> {
    const intents: OrderIntent[] = this.#tracker
      .positions()
      .filter((position) => position.amount !== 0n)
      .map((position) => ({
        symbol: position.symbol,
        side: position.amount > 0n ? 'SELL' : 'BUY',
        type: 'MARKET',
        quantity: absFixed(position.amount),
        reduceOnly: true,
        purpose,
      }));
    return this.submitMany(intents);
  }

  #prepare(intent: OrderIntent): OrderRequest | { denial: OrderDenied } {
    const decision = checkOrder(intent, this.#riskContext(intent.symbol));
    if (!decision.ok) {
      this.#store.appendEvent({
        type: 'OrderDenied',
        at: this.#clock.now(),
        payload: {
          symbol: intent.symbol,
          side: intent.side,
          code: decision.denial.code,
          reason: decision.denial.message,
          purpose: intent.purpose,
        },
      });
      return { denial: decision.denial };
    }
    const request: OrderRequest = { ...decision.request, clientOrderId: this.#ids.newClientOrderId() };
    this.#tracker.create(request, intent.purpose);
    return request;
  }

  /** The trading state and holds as they are now, for an order that passed the gate earlier. */
  #deniedAtSend(request: OrderRequest): SubmitResult | undefined {
    if (request.reduceOnly) return undefined;
    const context = this.#riskContext(request.symbol);
    const held = context.holds !== undefined && context.holds.length > 0;
    if (context.tradingState === 'ACTIVE' && !held) return undefined;
    const reason = held ? `on hold: ${context.holds?.join('; ')}` : `trading state ${context.tradingState}`;
    const order = this.#tracker.transition(request.clientOrderId, 'notFound', { lastError: `not sent: ${reason}` });
    const denial = new OrderDenied(
      held ? 'ORDER_DENIED_HOLD' : 'ORDER_DENIED_TRADING_STATE',
      `not sent: ${reason} (changed after the risk check)`,
    );
    this.#store.appendEvent({
      type: 'OrderDenied',
      at: this.#clock.now(),
      payload: {
        symbol: request.symbol,
        code: denial.code,
        reason: denial.message,
        clientOrderId: request.clientOrderId,
      },
    });
    void order;
    return { status: 'denied', denial };
  }

  #sendFailed(clientOrderId: string, error: unknown): SubmitResult {
    const exchangeError =
      error instanceof ExchangeError
        ? error
        : new ExchangeError(
            'EXCHANGE_UNKNOWN_OUTCOME',
            `order send failed unexpectedly: ${String(error)}`,
            { clientOrderId },
            { cause: error },
          );
    const detail =
      exchangeError.details.venueCode !== undefined
        ? `${exchangeError.code} ${exchangeError.details.venueCode}`
        : exchangeError.code;
    if (NOT_EXECUTED.has(exchangeError.code)) {
      const order = this.#tracker.transition(clientOrderId, 'rejected', {
        lastError: `${detail}: ${exchangeError.message}`,
      });
      return { status: 'failed', order: order ?? this.#current(clientOrderId), error: exchangeError };
    }
    // Unknown outcome, a bad response or a network failure on a mutation: the order may exist.
    const order = this.#tracker.transition(clientOrderId, 'outcomeUnknown', { lastError: detail });
    return { status: 'unknown', order: order ?? this.#current(clientOrderId), error: exchangeError };
  }

  #current(clientOrderId: string): TrackedOrder {
    const order = this.#tracker.get(clientOrderId);
    if (order === undefined) throw new Error(`tracked order ${clientOrderId} vanished`);
    return order;
  }
}
