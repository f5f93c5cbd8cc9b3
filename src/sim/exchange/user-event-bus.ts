import type { Fixed } from '../../lib/fixed.ts';
import type { ExecutionType, PositionView, TradeView, UserEvent } from './exchange.ts';
import { type OrderRecord, orderView } from './order-history.ts';

/**
 * The user-data events of the account (§3.4), delivered synchronously and in order to every
 * subscriber. A subscriber that throws cannot leave an order half-applied: its error is rethrown
 * on a microtask, after the exchange has finished the operation.
 */
export class UserEventBus {
  readonly #listeners = new Set<(event: UserEvent) => void>();

  subscribe(listener: (event: UserEvent) => void): () => void {
    // Wrapped so the same function can subscribe twice and unsubscribe each independently.
    const entry = (event: UserEvent): void => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  emit(event: UserEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/** ORDER_TRADE_UPDATE: the order as it is now, with the trade for executionType TRADE. */
export function orderUpdateEvent(
  executionType: ExecutionType,
  record: OrderRecord,
  now: number,
  trade?: TradeView,
): UserEvent {
  const order = orderView(record);
  return trade === undefined
    ? { kind: 'orderUpdate', eventTime: now, transactionTime: now, executionType, order }
    : { kind: 'orderUpdate', eventTime: now, transactionTime: now, executionType, order, trade };
}

/**
 * ACCOUNT_UPDATE after a fill, reason ORDER: the USDT balance and only the position that changed.
 * balanceChange excludes PnL and commission (§3.4), so a trade's is 0; cross wallet = wallet.
 */
export function fillAccountUpdateEvent(walletBalance: Fixed, position: PositionView, now: number): UserEvent {
  return {
    kind: 'accountUpdate',
    eventTime: now,
    transactionTime: now,
    reason: 'ORDER',
    balances: [{ asset: 'USDT', walletBalance, crossWalletBalance: walletBalance, balanceChange: 0n }],
    positions: [position],
  };
}
