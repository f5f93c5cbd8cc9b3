import type { PositionReport } from '../../domain/account.ts';
import type { OrderReport, OrderRequest } from '../../domain/order.ts';
import type { Clock } from '../../lib/clock.ts';
import { absFixed, type Fixed, formatFixedTrimmed } from '../../lib/fixed.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import type { ExchangeRest } from '../../ports/exchange-rest.ts';
import type { IdGenerator } from '../../ports/id-generator.ts';

/** The part of the exchange a flatten needs: reads, cancels and reduce-only closes. */
export type FlattenExchange = Pick<
  ExchangeRest,
  'getOpenOrders' | 'cancelAllOpenOrders' | 'cancelOrder' | 'getPositions' | 'placeOrders' | 'placeOrder'
>;

/**
 * The ways to flatten (DESIGN incident 8, "retry through other paths"): `batch` cancels per symbol and
 * closes up to 5 positions per `batchOrders` call; `single` cancels per symbol and closes with one
 * `order` call per position; `per-order` cancels every order by its id and closes one by one. A venue
 * that refuses one endpoint (503 on batchOrders, a broken cancel-all) is still flattened by another.
 */
export type FlattenPath = 'batch' | 'single' | 'per-order';
export const FLATTEN_PATHS: readonly FlattenPath[] = ['batch', 'single', 'per-order'];

/** What the exchange showed at one read: the open orders and the non-flat positions. */
export interface ExchangeSnapshot {
  readonly at: number;
  readonly openOrders: readonly OrderReport[];
  readonly positions: readonly PositionReport[];
  readonly flat: boolean;
}

/** One step taken against the exchange, as an incident action. */
export interface FlattenStep {
  readonly action: string;
  readonly result: 'ok' | 'failed';
  readonly detail?: string;
}

const MAX_BATCH_ORDERS = 5; // Binance batchOrders limit (reference §2.3)

export function describeError(error: unknown): string {
  if (error instanceof YunminError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** "position(s) BTCUSDT 0.01, ETHUSDT -0.5; 2 open order(s)", or "flat". */
export function describeExchange(
  openOrders: number,
  positions: readonly { readonly symbol: string; readonly amount: Fixed }[],
): string {
  if (openOrders === 0 && positions.length === 0) return 'flat';
  const listed = positions.map((p) => `${p.symbol} ${formatFixedTrimmed(p.amount)}`).join(', ');
  const parts = [
    ...(positions.length > 0 ? [`position(s) ${listed}`] : []),
    ...(openOrders > 0 ? [`${openOrders} open order(s)`] : []),
  ];
  return parts.join('; ');
}

/**
 * Cancels every open order and closes every position on the exchange with reduce-only MARKET orders,
 * all symbols at once (the kill switch's target: flat within 2 REST round trips, so the cancels and
 * closes of every symbol leave together, never one symbol after another). Reduce-only makes a repeat
 * harmless: a close sent twice can never open a position the other way.
 */
export class ExchangeFlattener {
  readonly #clock: Clock;
  readonly #exchange: FlattenExchange;
  readonly #ids: IdGenerator;
  readonly #symbols: () => readonly string[];

  constructor(deps: {
    clock: Clock;
    exchange: FlattenExchange;
    ids: IdGenerator;
    /** Symbols to ask one by one when the all-symbols open-orders query fails. */
    symbols: () => readonly string[];
  }) {
    this.#clock = deps.clock;
    this.#exchange = deps.exchange;
    this.#ids = deps.ids;
    this.#symbols = deps.symbols;
  }

  /** One round trip: open orders of every symbol and the positions, asked together. Throws when unreadable. */
  async read(): Promise<ExchangeSnapshot> {
    const [openOrders, positions] = await Promise.all([this.#openOrders(), this.#exchange.getPositions()]);
    const nonFlat = positions.filter((position) => position.amount !== 0n);
    return {
      at: this.#clock.now(),
      openOrders,
      positions: nonFlat,
      flat: openOrders.length === 0 && nonFlat.length === 0,
    };
  }

  /** One round trip of cancels and closes for everything in `snapshot`; never throws (failures are steps). */
  async act(path: FlattenPath, snapshot: ExchangeSnapshot): Promise<readonly FlattenStep[]> {
    // Every request is started before the first await, so all symbols share one round trip.
    const cancels = path === 'per-order' ? this.#cancelEach(snapshot.openOrders) : this.#cancelAll(snapshot.openOrders);
    const requests = snapshot.positions.map((position) => this.#closeRequest(position));
    const closes =
      path === 'batch'
        ? this.#closeBatched(requests)
        : Promise.all(requests.map(async (request) => [await this.#closeSingle(request, path)]));
    const [cancelSteps, closeSteps] = await Promise.all([Promise.all(cancels), closes]);
    return [...cancelSteps, ...closeSteps.flat()];
  }

  async #openOrders(): Promise<readonly OrderReport[]> {
    try {
      return await this.#exchange.getOpenOrders();
    } catch (error) {
      // Another path for the read: symbol by symbol (weight 1 each instead of 40, another code path).
      const symbols = [...new Set(this.#symbols())];
      if (symbols.length === 0) throw error;
      return (await Promise.all(symbols.map((symbol) => this.#exchange.getOpenOrders(symbol)))).flat();
    }
  }

  #cancelAll(orders: readonly OrderReport[]): Promise<FlattenStep>[] {
    const counts = new Map<string, number>();
    for (const order of orders) counts.set(order.symbol, (counts.get(order.symbol) ?? 0) + 1);
    return [...counts].map(([symbol, count]) =>
      step(`cancel all ${symbol}`, async () => {
        await this.#exchange.cancelAllOpenOrders(symbol);
        return `${count} open order(s)`;
      }),
    );
  }

  #cancelEach(orders: readonly OrderReport[]): Promise<FlattenStep>[] {
    return orders.map((order) =>
      step(`cancel ${order.symbol} order ${order.orderId}`, async () => {
        const report = await this.#exchange.cancelOrder(order.symbol, { orderId: order.orderId });
        // -2011: already filled or cancelled, which is what we wanted.
        return report === undefined ? 'already gone' : report.status;
      }),
    );
  }

  #closeRequest(position: PositionReport): OrderRequest {
    return {
      symbol: position.symbol,
      side: position.amount > 0n ? 'SELL' : 'BUY',
      type: 'MARKET',
      quantity: absFixed(position.amount),
      reduceOnly: true,
      clientOrderId: this.#ids.newClientOrderId(),
    };
  }

  /** Batches of 5; an element the batch did not place is sent at once as a single order (another path). */
  async #closeBatched(requests: readonly OrderRequest[]): Promise<FlattenStep[][]> {
    const chunks: OrderRequest[][] = [];
    for (let start = 0; start < requests.length; start += MAX_BATCH_ORDERS) {
      chunks.push(requests.slice(start, start + MAX_BATCH_ORDERS));
    }
    const perChunk = await Promise.all(
      chunks.map(async (chunk) => {
        let replies: readonly (OrderReport | Error)[];
        try {
          replies = await this.#exchange.placeOrders(chunk);
        } catch (error) {
          replies = chunk.map(() => (error instanceof Error ? error : new Error(String(error))));
        }
        return Promise.all(
          chunk.map(async (request, index): Promise<FlattenStep[]> => {
            const reply = replies[index] ?? new Error('no reply for this batch element');
            if (!(reply instanceof Error)) return [closeStep(request, 'batch', reply)];
            const failed: FlattenStep = {
              action: `close ${request.symbol} (batch)`,
              result: 'failed',
              detail: describeError(reply),
            };
            const retry = { ...request, clientOrderId: this.#ids.newClientOrderId() };
            return [failed, await this.#closeSingle(retry, 'single')];
          }),
        );
      }),
    );
    return perChunk.flat();
  }

  async #closeSingle(request: OrderRequest, path: FlattenPath): Promise<FlattenStep> {
    try {
      return closeStep(request, path, await this.#exchange.placeOrder(request));
    } catch (error) {
      return { action: `close ${request.symbol} (${path})`, result: 'failed', detail: describeError(error) };
    }
  }
}

function closeStep(request: OrderRequest, path: FlattenPath, report: OrderReport): FlattenStep {
  return {
    action: `close ${request.symbol} (${path})`,
    result: 'ok',
    detail: `reduce-only MARKET ${request.side} ${formatFixedTrimmed(request.quantity)}: ${report.status}, order ${report.orderId}, ${request.clientOrderId}`,
  };
}

function step(action: string, work: () => Promise<string>): Promise<FlattenStep> {
  return work().then(
    (detail): FlattenStep => ({ action, result: 'ok', detail }),
    (error: unknown): FlattenStep => ({ action, result: 'failed', detail: describeError(error) }),
  );
}
