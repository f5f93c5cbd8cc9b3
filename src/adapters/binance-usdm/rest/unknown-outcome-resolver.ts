import { ExchangeError } from '../../../domain/exchange-error.ts';
import type { OrderReport, OrderRequest } from '../../../domain/order.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { RestClientEvent } from './rest-client-event.ts';

export interface UnknownOutcomeOptions {
  /** How many queries, the first after `initialDelayMs`, each delay doubling. */
  readonly attempts: number;
  readonly initialDelayMs: number;
}

export const DEFAULT_UNKNOWN_OUTCOME: UnknownOutcomeOptions = { attempts: 4, initialDelayMs: 250 };

export interface UnknownOutcomeDeps {
  readonly clock: Clock;
  readonly options: UnknownOutcomeOptions;
  /** `GET /fapi/v1/order?origClientOrderId=`: undefined on -2013. */
  readonly query: (symbol: string, clientOrderId: string) => Promise<OrderReport | undefined>;
  readonly emit: (event: RestClientEvent) => void;
}

/**
 * Issue 3, point 4 (reference §2.7: "the execution status is UNKNOWN"; playbook §2): the reply to a
 * new order was lost. Its client order id is queried with backoff on the clock; found → that report;
 * "does not exist" on every query → EXCHANGE_UNKNOWN_OUTCOME saying so (the caller decides whether
 * to resend, this never does); any query failing → still unknown.
 */
export class UnknownOutcomeResolver {
  readonly #deps: UnknownOutcomeDeps;

  constructor(deps: UnknownOutcomeDeps) {
    this.#deps = deps;
  }

  async resolve(request: OrderRequest, original: ExchangeError): Promise<OrderReport> {
    const { attempts, initialDelayMs } = this.#deps.options;
    const endpoint = original.details.endpoint ?? 'POST /fapi/v1/order';
    let notFound = 0;
    let lastFailure: unknown;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      await this.#sleep(initialDelayMs * 2 ** attempt);
      try {
        const report = await this.#deps.query(request.symbol, request.clientOrderId);
        if (report !== undefined) {
          this.#emit(endpoint, request.clientOrderId, 'found', attempt + 1);
          return report;
        }
        notFound += 1;
      } catch (error) {
        lastFailure = error;
      }
    }
    const details = { ...original.details, clientOrderId: request.clientOrderId, endpoint };
    if (notFound === attempts) {
      this.#emit(endpoint, request.clientOrderId, 'not-found', attempts);
      throw new ExchangeError(
        'EXCHANGE_UNKNOWN_OUTCOME',
        `${endpoint}: order ${request.clientOrderId} not found after ${attempts} queries (${original.message})`,
        details,
        { cause: original },
      );
    }
    this.#emit(endpoint, request.clientOrderId, 'unresolved', attempts);
    throw new ExchangeError(
      'EXCHANGE_UNKNOWN_OUTCOME',
      `${endpoint}: order ${request.clientOrderId} unresolved, ${notFound} of ${attempts} queries said not found, the others failed`,
      details,
      { cause: lastFailure ?? original },
    );
  }

  #emit(
    endpoint: string,
    clientOrderId: string,
    resolution: 'found' | 'not-found' | 'unresolved',
    queries: number,
  ): void {
    this.#deps.emit({
      kind: 'unknownOutcome',
      endpoint,
      clientOrderId,
      resolution,
      queries,
      at: this.#deps.clock.now(),
    });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#deps.clock.setTimeout(resolve, ms));
  }
}
