import {
  absFixed,
  divFixed,
  divideRounded,
  type Fixed,
  fixedFromInteger,
  maxFixed,
  mulFixed,
} from '../../lib/fixed.ts';
import type { Instrument } from '../instruments.ts';
import type { PositionState } from './account-ledger.ts';
import type { OrderSide, PositionView } from './exchange.ts';

/**
 * Margin arithmetic for one symbol, simplified from Binance's cross-margin rules (§2.3 positionRisk):
 * - positionInitialMargin = |notional| / leverage, maintMargin = |notional| × maintMarginPercent / 100
 *   (one bracket, no maintenance amount);
 * - openOrderInitialMargin = notional of the exposure-increasing part of open orders / leverage,
 *   summed over both sides (Binance nets the sides in some cases; summing is the conservative side);
 * - no liquidation: liquidationPrice is always 0.
 * View values are truncated toward zero at 1e-8 like the fixture's positionRisk; the margin a new
 * order needs is rounded up so the check is never lenient.
 */
export interface OpenOrderExposure {
  readonly side: OrderSide;
  readonly price: Fixed;
  readonly remainingQty: Fixed;
  readonly reduceOnly: boolean;
}

/** How much an order of `side` can reduce: a BUY closes a short, a SELL closes a long. */
export function closableQty(positionAmount: Fixed, side: OrderSide): Fixed {
  return side === 'BUY' ? maxFixed(-positionAmount, 0n) : maxFixed(positionAmount, 0n);
}

/** The part of `qty` on `side` that would increase exposure beyond closing the current position. */
export function increasingQty(positionAmount: Fixed, side: OrderSide, qty: Fixed): Fixed {
  return maxFixed(qty - closableQty(positionAmount, side), 0n);
}

/** Initial margin a new order needs: its exposure-increasing notional / leverage, rounded up. */
export function requiredInitialMargin(
  positionAmount: Fixed,
  side: OrderSide,
  qty: Fixed,
  price: Fixed,
  leverage: number,
): Fixed {
  const notional = mulFixed(increasingQty(positionAmount, side, qty), price, 'up');
  return divFixed(notional, fixedFromInteger(leverage), 'up');
}

interface SideExposure {
  readonly notional: Fixed;
  readonly increasingNotional: Fixed;
}

function sideExposure(positionAmount: Fixed, side: OrderSide, orders: readonly OpenOrderExposure[]): SideExposure {
  let qty: Fixed = 0n;
  let notional: Fixed = 0n;
  for (const order of orders) {
    if (order.side !== side || order.reduceOnly) continue;
    qty += order.remainingQty;
    notional += mulFixed(order.remainingQty, order.price, 'up');
  }
  if (qty === 0n) return { notional: 0n, increasingNotional: 0n };
  // The reducing part is priced at the side's average price: orders' fill order is not known.
  const increasing = increasingQty(positionAmount, side, qty);
  return { notional, increasingNotional: divideRounded(notional * increasing, qty, 'up') };
}

export function buildPositionView(
  instrument: Instrument,
  position: PositionState,
  leverage: number,
  markPrice: Fixed,
  openOrders: readonly OpenOrderExposure[],
): PositionView {
  const amount = position.amount;
  const leverageFixed = fixedFromInteger(leverage);
  const notional = mulFixed(amount, markPrice, 'toward-zero');
  const unrealizedProfit = amount === 0n ? 0n : mulFixed(amount, markPrice - position.entryPrice, 'toward-zero');
  const positionInitialMargin = divFixed(absFixed(notional), leverageFixed, 'toward-zero');
  const maintMargin = divFixed(
    mulFixed(absFixed(notional), instrument.maintMarginPercent, 'toward-zero'),
    fixedFromInteger(100),
    'toward-zero',
  );
  const bids = sideExposure(amount, 'BUY', openOrders);
  const asks = sideExposure(amount, 'SELL', openOrders);
  const openOrderInitialMargin = divFixed(bids.increasingNotional + asks.increasingNotional, leverageFixed, 'up');
  return {
    instrument,
    symbol: instrument.symbol,
    positionAmt: amount,
    entryPrice: position.entryPrice,
    breakEvenPrice: breakEvenPrice(position),
    markPrice,
    unrealizedProfit,
    liquidationPrice: 0n,
    leverage,
    notional,
    initialMargin: positionInitialMargin + openOrderInitialMargin,
    maintMargin,
    positionInitialMargin,
    openOrderInitialMargin,
    bidNotional: bids.notional,
    askNotional: asks.notional,
    updateTime: position.updateTime,
  };
}

/** Entry adjusted for the commission paid to open: the price at which closing makes PnL net 0 before exit fees. */
export function breakEvenPrice(position: PositionState): Fixed {
  if (position.amount === 0n) return 0n;
  const perUnit = divFixed(position.openingCommission, absFixed(position.amount), 'half-up');
  return position.amount > 0n ? position.entryPrice + perUnit : position.entryPrice - perUnit;
}
