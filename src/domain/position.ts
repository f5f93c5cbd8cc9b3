import { absFixed, divideRounded, FIXED_SCALE, type Fixed, mulFixed } from '../lib/fixed.ts';
import type { OrderSide } from './order.ts';

/** A one-way position built from fills: signed amount, average entry, realized PnL. */
export interface Position {
  readonly symbol: string;
  readonly amount: Fixed;
  readonly entryPrice: Fixed;
  readonly realizedPnl: Fixed;
}

export function flatPosition(symbol: string): Position {
  return { symbol, amount: 0n, entryPrice: 0n, realizedPnl: 0n };
}

/**
 * Applies one fill. Increasing: entry becomes the quantity-weighted average. Reducing: PnL realized
 * on the closed part at (price − entry) × sign. Crossing zero: close, then open the rest at the fill price.
 */
export function applyFill(position: Position, side: OrderSide, qty: Fixed, price: Fixed): Position {
  const signed = side === 'BUY' ? qty : -qty;
  const { amount, entryPrice } = position;
  if (amount === 0n || amount > 0n === signed > 0n) {
    const newAmount = amount + signed;
    const cost = mulFixed(absFixed(amount), entryPrice, 'toward-zero') + mulFixed(qty, price, 'toward-zero');
    const entry = divideRounded(cost * FIXED_SCALE, absFixed(newAmount), 'half-up');
    return { ...position, amount: newAmount, entryPrice: entry };
  }
  const closing = absFixed(signed) < absFixed(amount) ? absFixed(signed) : absFixed(amount);
  const direction = amount > 0n ? 1n : -1n;
  const realized = position.realizedPnl + mulFixed(closing, price - entryPrice, 'half-up') * direction;
  const newAmount = amount + signed;
  if (newAmount === 0n) return { ...position, amount: 0n, entryPrice: 0n, realizedPnl: realized };
  if (newAmount > 0n === amount > 0n) return { ...position, amount: newAmount, realizedPnl: realized };
  return { ...position, amount: newAmount, entryPrice: price, realizedPnl: realized };
}
