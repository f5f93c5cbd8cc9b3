import type { FillReport, OrderReport, OrderRequest, VenueOrderStatus } from '../domain/order.ts';
import { type OrderEvent, TERMINAL_ORDER_STATES, transitionOrder } from '../domain/order-transitions.ts';
import { applyFill, flatPosition, type Position } from '../domain/position.ts';
import type { TrackedOrder } from '../domain/tracked-order.ts';
import type { UserEvent } from '../domain/user-event.ts';
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../ports/store.ts';

/** What the tracker tells the rest of the engine (logs, metrics, detectors). */
export type TrackerNotice =
  | { readonly kind: 'orderChanged'; readonly order: TrackedOrder; readonly event: OrderEvent }
  | { readonly kind: 'fillRecorded'; readonly fill: FillReport; readonly position: Position }
  /** A venue event that does not fit the lifecycle: late, duplicate or unknown. Data, never a crash. */
  | { readonly kind: 'ignoredEvent'; readonly clientOrderId: string; readonly reason: string }
  /** A fill for an order this engine never placed (manual trade, other bot): the position still follows it. */
  | { readonly kind: 'foreignFill'; readonly fill: FillReport; readonly position: Position };

/** Maps a venue status onto the lifecycle event that leads to it. */
export function eventForVenueStatus(status: VenueOrderStatus): OrderEvent | undefined {
  switch (status) {
    case 'NEW':
      return 'accepted';
    case 'PARTIALLY_FILLED':
      return 'partialFill';
    case 'FILLED':
      return 'fill';
    case 'CANCELED':
      return 'canceled';
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      return 'expired';
    case 'REJECTED':
      return 'rejected';
    case 'UNKNOWN':
      return undefined;
  }
}

/**
 * The engine's book of orders, fills and positions. Orders are persisted before they are sent; fills
 * are de-duplicated by trade id (the user stream and a REST `userTrades` resync may both report one);
 * positions come from fills only, never from a venue snapshot (reconciliation compares the two).
 */
export class OrderTracker {
  readonly #clock: Clock;
  readonly #store: Store;
  readonly #notify: (notice: TrackerNotice) => void;
  readonly #orders = new Map<string, TrackedOrder>();
  readonly #positions = new Map<string, Position>();
  #ignored = 0;

  constructor(deps: { clock: Clock; store: Store; notify?: (notice: TrackerNotice) => void }) {
    this.#clock = deps.clock;
    this.#store = deps.store;
    this.#notify = deps.notify ?? (() => undefined);
    for (const order of this.#store.activeOrders()) this.#orders.set(order.clientOrderId, order);
    for (const position of this.#store.positions()) this.#positions.set(position.symbol, position);
  }

  /** Persists a new order in PENDING_SUBMIT, before anything is sent. */
  create(request: OrderRequest, purpose: string): TrackedOrder {
    const now = this.#clock.now();
    const order: TrackedOrder = {
      clientOrderId: request.clientOrderId,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      quantity: request.quantity,
      ...(request.price !== undefined && { price: request.price }),
      ...(request.timeInForce !== undefined && { timeInForce: request.timeInForce }),
      reduceOnly: request.reduceOnly,
      state: 'PENDING_SUBMIT',
      executedQty: 0n,
      purpose,
      createdAt: now,
      updatedAt: now,
    };
    this.#save(order);
    this.#store.appendEvent({
      type: 'OrderCreated',
      at: now,
      payload: { clientOrderId: order.clientOrderId, purpose },
    });
    return order;
  }

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.#orders.get(clientOrderId) ?? this.#store.getOrder(clientOrderId);
  }

  /** Orders not yet terminal, oldest first. */
  active(symbol?: string): readonly TrackedOrder[] {
    return [...this.#orders.values()]
      .filter((order) => symbol === undefined || order.symbol === symbol)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  position(symbol: string): Position {
    return this.#positions.get(symbol) ?? flatPosition(symbol);
  }

  positions(): readonly Position[] {
    return [...this.#positions.values()];
  }

  get ignoredEvents(): number {
    return this.#ignored;
  }

  /** Applies a lifecycle event; returns the updated order, or undefined when it did not fit. */
  transition(
    clientOrderId: string,
    event: OrderEvent,
    changes: Partial<Pick<TrackedOrder, 'venueOrderId' | 'executedQty' | 'avgPrice' | 'lastError'>> = {},
  ): TrackedOrder | undefined {
    const order = this.get(clientOrderId);
    if (order === undefined) {
      this.#ignore(clientOrderId, `event ${event} for an order this engine does not know`);
      return undefined;
    }
    const result = transitionOrder(order.state, event);
    if (!result.ok) {
      this.#ignore(clientOrderId, result.reason);
      return undefined;
    }
    const updated: TrackedOrder = { ...order, ...changes, state: result.state, updatedAt: this.#clock.now() };
    this.#save(updated);
    this.#store.appendEvent({
      type: 'OrderStateChanged',
      at: updated.updatedAt,
      payload: {
        clientOrderId,
        event,
        from: order.state,
        to: updated.state,
        ...(changes.lastError !== undefined && { error: changes.lastError }),
      },
    });
    this.#notify({ kind: 'orderChanged', order: updated, event });
    return updated;
  }

  /** A REST reply or query result for one of our orders. */
  applyReport(report: OrderReport): TrackedOrder | undefined {
    const order = this.get(report.clientOrderId);
    if (order === undefined) return undefined;
    // The user stream can finish an order before its REST reply arrives (§6 item 4): the reply is
    // then stale, not an anomaly.
    if (TERMINAL_ORDER_STATES.has(order.state)) return order;
    const event = eventForVenueStatus(report.status);
    if (event === undefined) {
      this.#ignore(report.clientOrderId, `unknown venue status ${report.rawStatus}`);
      return undefined;
    }
    // A report that says what we already know (e.g. NEW twice) is not an error worth counting.
    if (
      event === 'accepted' &&
      (order.state === 'OPEN' || order.state === 'PARTIALLY_FILLED') &&
      order.venueOrderId === report.orderId
    ) {
      return order;
    }
    return this.transition(report.clientOrderId, event, {
      venueOrderId: report.orderId,
      executedQty: report.executedQty > order.executedQty ? report.executedQty : order.executedQty,
      ...(report.avgPrice !== undefined && report.avgPrice > 0n && { avgPrice: report.avgPrice }),
    });
  }

  /** A user-stream event: order updates move the lifecycle and carry fills. */
  applyUserEvent(event: UserEvent): void {
    if (event.kind !== 'orderUpdate') return;
    if (event.fill !== undefined) {
      this.recordFill({
        symbol: event.symbol,
        tradeId: event.fill.tradeId,
        orderId: event.orderId,
        clientOrderId: event.clientOrderId,
        side: event.side,
        price: event.fill.price,
        qty: event.fill.qty,
        commission: event.fill.commission,
        commissionAsset: event.fill.commissionAsset,
        realizedPnl: event.fill.realizedPnl,
        maker: event.fill.maker,
        time: event.fill.time,
      });
    }
    const order = this.get(event.clientOrderId);
    if (order === undefined || TERMINAL_ORDER_STATES.has(order.state)) return;
    const lifecycle = eventForVenueStatus(event.status);
    if (lifecycle === undefined) {
      this.#ignore(event.clientOrderId, `unknown venue status ${event.rawStatus}`);
      return;
    }
    if (
      lifecycle === 'accepted' &&
      order.state !== 'SUBMITTED' &&
      order.state !== 'UNKNOWN' &&
      order.state !== 'PENDING_SUBMIT'
    )
      return;
    this.transition(event.clientOrderId, lifecycle, {
      venueOrderId: event.orderId,
      executedQty: event.cumulativeFilledQty > order.executedQty ? event.cumulativeFilledQty : order.executedQty,
      ...(event.avgPrice > 0n && { avgPrice: event.avgPrice }),
    });
  }

  /**
   * Records a fill once (by symbol and trade id) and moves the position. Returns false for a
   * duplicate. Fills of orders we never placed still move the position (the exchange's position is
   * the truth we must track), and are reported as foreign.
   */
  /** Our order that made this fill: by client order id, or by the venue's id (REST fills name only that). */
  ownerOf(fill: FillReport): TrackedOrder | undefined {
    return (
      (fill.clientOrderId !== undefined ? this.get(fill.clientOrderId) : undefined) ??
      this.#store.getOrderByVenueId(fill.symbol, fill.orderId)
    );
  }

  recordFill(reported: FillReport): boolean {
    const owner = this.ownerOf(reported);
    const fill: FillReport = owner === undefined ? reported : { ...reported, clientOrderId: owner.clientOrderId };
    const recorded = this.#store.transaction(() => {
      if (!this.#store.recordFill(fill)) return undefined;
      const position = applyFill(this.position(fill.symbol), fill.side, fill.qty, fill.price);
      this.#store.savePosition(position);
      this.#store.appendEvent({
        type: 'FillRecorded',
        at: this.#clock.now(),
        payload: {
          symbol: fill.symbol,
          tradeId: fill.tradeId,
          clientOrderId: fill.clientOrderId ?? null,
          side: fill.side,
          qty: fill.qty,
          price: fill.price,
        },
      });
      return position;
    });
    if (recorded === undefined) return false;
    this.#positions.set(fill.symbol, recorded);
    const ours = owner !== undefined;
    this.#notify(
      ours ? { kind: 'fillRecorded', fill, position: recorded } : { kind: 'foreignFill', fill, position: recorded },
    );
    if (!ours) this.#notify({ kind: 'fillRecorded', fill, position: recorded });
    return true;
  }

  /** Replaces a position with the exchange's (reconciliation "adopt exchange"), recorded in the event log. */
  adoptPosition(position: Position, reason: string): void {
    const previous = this.position(position.symbol);
    this.#store.transaction(() => {
      this.#store.savePosition(position);
      this.#store.appendEvent({
        type: 'PositionAdopted',
        at: this.#clock.now(),
        payload: {
          symbol: position.symbol,
          from: previous.amount,
          to: position.amount,
          entryPrice: position.entryPrice,
          realizedPnl: position.realizedPnl,
          reason,
        },
      });
    });
    this.#positions.set(position.symbol, position);
  }

  #save(order: TrackedOrder): void {
    this.#store.saveOrder(order);
    if (TERMINAL_ORDER_STATES.has(order.state)) this.#orders.delete(order.clientOrderId);
    else this.#orders.set(order.clientOrderId, order);
  }

  #ignore(clientOrderId: string, reason: string): void {
    this.#ignored += 1;
    this.#notify({ kind: 'ignoredEvent', clientOrderId, reason });
  }
}
