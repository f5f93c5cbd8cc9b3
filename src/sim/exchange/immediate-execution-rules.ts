import type { Fixed } from '../../lib/fixed.ts';
import { apiErrors } from '../api-error.ts';
import type { BookLevel } from '../market/market-feed.ts';
import { crossesLimit, crossingQty } from './book-matching.ts';
import type { OrderSide, TimeInForce } from './exchange.ts';

/**
 * The synchronous rejects of §2.5 (change log 2023-03-22), checked before the order is recorded so
 * that a rejected order sends no event and is not queryable afterwards:
 * FOK that cannot fill completely → -5021; GTX (post-only) that would take liquidity → -5022.
 */
export function checkImmediateExecution(
  timeInForce: TimeInForce,
  side: OrderSide,
  price: Fixed,
  quantity: Fixed,
  /** What the order may fill: less than `quantity` for a reduce-only order larger than the position. */
  fillableQty: Fixed,
  /** The opposite side of the book, best first. */
  levels: readonly BookLevel[],
  /** A stuck order (fault hook) fills nothing. */
  stuck: boolean,
): void {
  if (timeInForce === 'GTX') {
    const best = levels[0];
    if (best !== undefined && crossesLimit(side, best.price, price)) throw apiErrors.gtxRejected();
  } else if (timeInForce === 'FOK') {
    if (stuck || fillableQty < quantity || crossingQty(levels, side, price) < quantity) throw apiErrors.fokRejected();
  }
}
