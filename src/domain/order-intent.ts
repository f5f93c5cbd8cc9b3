import type { Fixed } from '../lib/fixed.ts';
import type { OrderSide, OrderType, TimeInForce } from './order.ts';

/** What a strategy or a detector wants, before the risk gate rounds, checks and names it. */
export interface OrderIntent {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Fixed;
  readonly price?: Fixed;
  readonly timeInForce?: TimeInForce;
  readonly reduceOnly: boolean;
  /** Why: "strategy:ema_crossover", "kill-switch", "stuck-order reissue", "operator close"… */
  readonly purpose: string;
}
