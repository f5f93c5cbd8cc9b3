import type { OrderIntent } from '../domain/order-intent.ts';
import type { TrackedOrder } from '../domain/tracked-order.ts';
import { absFixed, type Fixed } from '../lib/fixed.ts';

/**
 * Turns a target position into the MARKET intent that gets there, counting orders already on the
 * way so that a slow fill is not doubled. Moving towards zero is reduce-only (it passes a halt);
 * crossing zero is split into a reduce-only close and an opening order.
 */
export function intentsForTarget(
  symbol: string,
  target: Fixed,
  current: Fixed,
  activeOrders: readonly TrackedOrder[],
  purpose: string,
): OrderIntent[] {
  const pending = activeOrders
    .filter((order) => order.symbol === symbol)
    .reduce((sum, order) => sum + (order.side === 'BUY' ? 1n : -1n) * (order.quantity - order.executedQty), 0n);
  const expected = current + pending;
  const delta = target - expected;
  if (delta === 0n) return [];
  const side = delta > 0n ? 'BUY' : 'SELL';
  const intents: OrderIntent[] = [];
  const reducing = expected !== 0n && expected > 0n !== delta > 0n;
  if (reducing) {
    const closeQty = absFixed(delta) < absFixed(expected) ? absFixed(delta) : absFixed(expected);
    intents.push({ symbol, side, type: 'MARKET', quantity: closeQty, reduceOnly: true, purpose });
    const rest = absFixed(delta) - closeQty;
    if (rest > 0n) intents.push({ symbol, side, type: 'MARKET', quantity: rest, reduceOnly: false, purpose });
  } else {
    intents.push({ symbol, side, type: 'MARKET', quantity: absFixed(delta), reduceOnly: false, purpose });
  }
  return intents;
}
