import { YunminError } from '../lib/yunmin-error.ts';

/**
 * Our own risk gate said no (STYLE: distinct from the venue's rejection, which is EXCHANGE_REJECTED).
 * Nothing was sent.
 */
export type OrderDeniedCode =
  | 'ORDER_DENIED_TRADING_STATE'
  /** A transient hold (Retry-After, 503 backoff, flash-crash pause): opening orders wait; exits pass. */
  | 'ORDER_DENIED_HOLD'
  | 'ORDER_DENIED_UNKNOWN_SYMBOL'
  | 'ORDER_DENIED_NO_MARKET_DATA'
  | 'ORDER_DENIED_QUANTITY'
  | 'ORDER_DENIED_PRICE'
  | 'ORDER_DENIED_MIN_NOTIONAL'
  | 'ORDER_DENIED_POSITION_LIMIT'
  | 'ORDER_DENIED_MAX_OPEN_ORDERS'
  | 'ORDER_DENIED_NOTHING_TO_REDUCE';

export class OrderDenied extends YunminError {
  declare readonly code: OrderDeniedCode;

  constructor(code: OrderDeniedCode, message: string) {
    super(code, message);
    this.name = 'OrderDenied';
  }
}
