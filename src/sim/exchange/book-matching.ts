import { type Fixed, minFixed } from '../../lib/fixed.ts';
import type { BookLevel } from '../market/market-feed.ts';
import type { OrderSide } from './exchange.ts';

/**
 * Matching an order against the synthetic book's opposite side (asks for a BUY, bids for a SELL),
 * best level first. Pure functions over levels; what the account already took is subtracted by
 * BookLiquidity before the levels arrive here.
 */
export interface BookFill {
  readonly price: Fixed;
  readonly qty: Fixed;
}

/** true when a level at `levelPrice` is marketable for an order of `side` limited at `limitPrice`. */
export function crossesLimit(side: OrderSide, levelPrice: Fixed, limitPrice: Fixed | undefined): boolean {
  if (limitPrice === undefined) return true;
  return side === 'BUY' ? levelPrice <= limitPrice : levelPrice >= limitPrice;
}

/**
 * Takes liquidity for a taker: one fill per level touched, until `qty` is filled, the limit price
 * stops crossing, or the book runs out. MARKET orders pass no limit.
 */
export function walkBook(
  levels: readonly BookLevel[],
  side: OrderSide,
  qty: Fixed,
  limitPrice: Fixed | undefined,
): BookFill[] {
  const fills: BookFill[] = [];
  let remaining = qty;
  for (const level of levels) {
    if (remaining <= 0n) break;
    if (!crossesLimit(side, level.price, limitPrice)) break;
    if (level.qty <= 0n) continue;
    const taken = minFixed(remaining, level.qty);
    fills.push({ price: level.price, qty: taken });
    remaining -= taken;
  }
  return fills;
}

/** The quantity available at prices that cross `limitPrice` (FOK pre-check, maker fills). */
export function crossingQty(levels: readonly BookLevel[], side: OrderSide, limitPrice: Fixed): Fixed {
  let total = 0n;
  for (const level of levels) {
    if (!crossesLimit(side, level.price, limitPrice)) break;
    if (level.qty > 0n) total += level.qty;
  }
  return total;
}

export function sumQty(fills: readonly BookFill[]): Fixed {
  let total = 0n;
  for (const fill of fills) total += fill.qty;
  return total;
}
