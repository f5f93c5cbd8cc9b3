import { type Fixed, maxFixed, minFixed } from '../../lib/fixed.ts';
import type { AccountView, PositionView } from './exchange.ts';

/**
 * Account totals from the position rows (GET /fapi/v3/account, cross margin, USDT only):
 * availableBalance = wallet + unrealized − position IM − open-order IM, floored at 0.
 */
export function buildAccountView(
  walletBalance: Fixed,
  positions: readonly PositionView[],
  updateTime: number,
): AccountView {
  let unrealizedProfit: Fixed = 0n;
  let positionInitialMargin: Fixed = 0n;
  let openOrderInitialMargin: Fixed = 0n;
  let maintMargin: Fixed = 0n;
  for (const position of positions) {
    unrealizedProfit += position.unrealizedProfit;
    positionInitialMargin += position.positionInitialMargin;
    openOrderInitialMargin += position.openOrderInitialMargin;
    maintMargin += position.maintMargin;
  }
  const marginBalance = walletBalance + unrealizedProfit;
  const initialMargin = positionInitialMargin + openOrderInitialMargin;
  const availableBalance = maxFixed(marginBalance - initialMargin, 0n);
  return {
    walletBalance,
    unrealizedProfit,
    marginBalance,
    initialMargin,
    maintMargin,
    positionInitialMargin,
    openOrderInitialMargin,
    availableBalance,
    // Unrealized profit cannot be withdrawn.
    maxWithdrawAmount: maxFixed(minFixed(availableBalance, walletBalance - initialMargin), 0n),
    updateTime,
    positions,
  };
}
