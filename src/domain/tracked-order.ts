import type { Fixed } from '../lib/fixed.ts';
import type { OrderSide, OrderType, TimeInForce } from './order.ts';
import type { LocalOrderState } from './order-transitions.ts';

/**
 * An order as the engine tracks it, persisted BEFORE it is sent (so a crash can never lose the
 * client order id of an order that may exist on the venue).
 */
export interface TrackedOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Fixed;
  readonly price?: Fixed;
  readonly timeInForce?: TimeInForce;
  readonly reduceOnly: boolean;
  readonly state: LocalOrderState;
  readonly venueOrderId?: number;
  readonly executedQty: Fixed;
  readonly avgPrice?: Fixed;
  /** Why it was placed: strategy intent, "kill-switch", "stuck-order reissue", "operator close"… */
  readonly purpose: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Last error code or venue rejection, for people. */
  readonly lastError?: string;
}
