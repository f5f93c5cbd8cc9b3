import { z } from 'zod';
import type { AccountSnapshot, BalanceReport, PositionReport } from '../../../domain/account.ts';
import { FIXED_ZERO } from '../../../lib/fixed.ts';
import { decimal, integer } from './wire-fields.ts';

/**
 * `/fapi/v3/account` and `/fapi/v3/positionRisk` (reference §2.3; fixtures 4–6). v3 account
 * position rows carry no entry or mark price, so the snapshot's positions come from positionRisk.
 */

const assetSchema = z.object({
  asset: z.string(),
  walletBalance: decimal,
  unrealizedProfit: decimal,
  availableBalance: decimal,
  updateTime: integer,
});

export const accountWireSchema = z.object({
  totalWalletBalance: decimal,
  totalUnrealizedProfit: decimal,
  totalMarginBalance: decimal,
  availableBalance: decimal,
  assets: z.array(assetSchema),
});

export const positionRiskWireSchema = z.object({
  symbol: z.string(),
  positionAmt: decimal,
  entryPrice: decimal,
  markPrice: decimal,
  unRealizedProfit: decimal,
  notional: decimal,
  updateTime: integer,
});

export const positionRiskListSchema = z.array(positionRiskWireSchema);

export function toPositionReport(wire: z.output<typeof positionRiskWireSchema>): PositionReport {
  return {
    symbol: wire.symbol,
    amount: wire.positionAmt,
    entryPrice: wire.entryPrice,
    markPrice: wire.markPrice,
    unrealizedPnl: wire.unRealizedProfit,
    notional: wire.notional,
    updateTime: wire.updateTime,
  };
}

/** The position of a symbol with none: Binance lists only symbols with a position or open orders. */
export function flatPosition(symbol: string): PositionReport {
  return {
    symbol,
    amount: FIXED_ZERO,
    entryPrice: FIXED_ZERO,
    markPrice: FIXED_ZERO,
    unrealizedPnl: FIXED_ZERO,
    notional: FIXED_ZERO,
    updateTime: 0,
  };
}

export function toAccountSnapshot(
  wire: z.output<typeof accountWireSchema>,
  positions: readonly PositionReport[],
): AccountSnapshot {
  const balances: BalanceReport[] = wire.assets.map((asset) => ({
    asset: asset.asset,
    walletBalance: asset.walletBalance,
    availableBalance: asset.availableBalance,
    unrealizedPnl: asset.unrealizedProfit,
  }));
  // v3 account has no top-level updateTime: the latest asset change stands for it.
  const updateTime = wire.assets.reduce((latest, asset) => Math.max(latest, asset.updateTime), 0);
  return {
    totalWalletBalance: wire.totalWalletBalance,
    totalUnrealizedProfit: wire.totalUnrealizedProfit,
    totalMarginBalance: wire.totalMarginBalance,
    availableBalance: wire.availableBalance,
    balances,
    positions,
    updateTime,
  };
}
