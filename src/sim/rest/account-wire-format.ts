import type { Fixed } from '../../lib/fixed.ts';
import type { AccountView, PositionView } from '../exchange/exchange.ts';
import { formatBalance, formatPlain, formatQty } from './wire-decimals.ts';

/**
 * Account, balance and position shapes of `/fapi/v2|v3/account`, `/balance` and `/positionRisk`
 * (reference §2.3; key order and padding from fixtures 4–8 and 25). One USDT asset, cross margin,
 * one-way mode, so the isolated fields are always "0".
 */

/** maxNotionalValue is not in PositionView; the transport remembers what POST /leverage returned. */
export type MaxNotionalLookup = (symbol: string) => Fixed | undefined;

function maxNotionalText(lookup: MaxNotionalLookup, symbol: string): string {
  const value = lookup(symbol);
  return value === undefined ? '0' : formatPlain(value);
}

/** Positions with an amount or open orders: what v3 account/positionRisk list. */
export function isPositionActive(position: PositionView): boolean {
  return position.positionAmt !== 0n || position.bidNotional !== 0n || position.askNotional !== 0n;
}

function totals(account: AccountView): Record<string, string> {
  return {
    totalInitialMargin: formatBalance(account.initialMargin),
    totalMaintMargin: formatBalance(account.maintMargin),
    totalWalletBalance: formatBalance(account.walletBalance),
    totalUnrealizedProfit: formatBalance(account.unrealizedProfit),
    totalMarginBalance: formatBalance(account.marginBalance),
    totalPositionInitialMargin: formatBalance(account.positionInitialMargin),
    totalOpenOrderInitialMargin: formatBalance(account.openOrderInitialMargin),
    totalCrossWalletBalance: formatBalance(account.walletBalance),
    totalCrossUnPnl: formatBalance(account.unrealizedProfit),
    availableBalance: formatBalance(account.availableBalance),
    maxWithdrawAmount: formatBalance(account.maxWithdrawAmount),
  };
}

function usdtAssetV3(account: AccountView): Record<string, unknown> {
  return {
    asset: 'USDT',
    walletBalance: formatBalance(account.walletBalance),
    unrealizedProfit: formatBalance(account.unrealizedProfit),
    marginBalance: formatBalance(account.marginBalance),
    maintMargin: formatBalance(account.maintMargin),
    initialMargin: formatBalance(account.initialMargin),
    positionInitialMargin: formatBalance(account.positionInitialMargin),
    openOrderInitialMargin: formatBalance(account.openOrderInitialMargin),
    crossWalletBalance: formatBalance(account.walletBalance),
    crossUnPnl: formatBalance(account.unrealizedProfit),
    availableBalance: formatBalance(account.availableBalance),
    maxWithdrawAmount: formatBalance(account.maxWithdrawAmount),
    updateTime: account.updateTime,
  };
}

function usdtAssetV2(account: AccountView): Record<string, unknown> {
  return {
    asset: 'USDT',
    walletBalance: formatBalance(account.walletBalance),
    unrealizedProfit: formatBalance(account.unrealizedProfit),
    marginBalance: formatBalance(account.marginBalance),
    maintMargin: formatBalance(account.maintMargin),
    initialMargin: formatBalance(account.initialMargin),
    positionInitialMargin: formatBalance(account.positionInitialMargin),
    openOrderInitialMargin: formatBalance(account.openOrderInitialMargin),
    maxWithdrawAmount: formatBalance(account.maxWithdrawAmount),
    crossWalletBalance: formatBalance(account.walletBalance),
    crossUnPnl: formatBalance(account.unrealizedProfit),
    availableBalance: formatBalance(account.availableBalance),
    marginAvailable: true,
    updateTime: account.updateTime,
  };
}

/** `/fapi/v3/account` (fixture 6): only positions with an amount or open orders. */
export function accountV3ToWire(account: AccountView): Record<string, unknown> {
  return {
    ...totals(account),
    assets: [usdtAssetV3(account)],
    positions: account.positions.filter(isPositionActive).map((position) => ({
      symbol: position.symbol,
      positionSide: 'BOTH',
      positionAmt: formatQty(position.instrument, position.positionAmt),
      unrealizedProfit: formatBalance(position.unrealizedProfit),
      isolatedMargin: '0',
      notional: formatBalance(position.notional),
      isolatedWallet: '0',
      initialMargin: formatBalance(position.initialMargin),
      maintMargin: formatBalance(position.maintMargin),
      updateTime: position.updateTime,
    })),
  };
}

/** `/fapi/v2/account` (fixture 8, position rows as fixture 25): a row per listed symbol. */
export function accountV2ToWire(
  account: AccountView,
  positions: readonly PositionView[],
  maxNotional: MaxNotionalLookup,
): Record<string, unknown> {
  return {
    feeTier: 0,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    tradeGroupId: -1,
    updateTime: 0,
    multiAssetsMargin: false,
    ...totals(account),
    assets: [usdtAssetV2(account)],
    positions: positions.map((position) => ({
      symbol: position.symbol,
      initialMargin: formatBalance(position.initialMargin),
      maintMargin: formatBalance(position.maintMargin),
      unrealizedProfit: formatBalance(position.unrealizedProfit),
      positionInitialMargin: formatBalance(position.positionInitialMargin),
      openOrderInitialMargin: formatPlain(position.openOrderInitialMargin),
      leverage: String(position.leverage),
      isolated: false,
      entryPrice: formatPlain(position.entryPrice),
      breakEvenPrice: formatPlain(position.breakEvenPrice),
      maxNotional: maxNotionalText(maxNotional, position.symbol),
      positionSide: 'BOTH',
      positionAmt: formatQty(position.instrument, position.positionAmt),
      notional: formatBalance(position.notional),
      isolatedWallet: '0',
      updateTime: position.updateTime,
      bidNotional: formatPlain(position.bidNotional),
      askNotional: formatPlain(position.askNotional),
    })),
  };
}

/** `/fapi/v2/balance` and `/fapi/v3/balance`: one row, USDT. */
export function balanceToWire(account: AccountView): Record<string, unknown>[] {
  return [
    {
      accountAlias: 'SgsR',
      asset: 'USDT',
      balance: formatBalance(account.walletBalance),
      crossWalletBalance: formatBalance(account.walletBalance),
      crossUnPnl: formatBalance(account.unrealizedProfit),
      availableBalance: formatBalance(account.availableBalance),
      maxWithdrawAmount: formatBalance(account.maxWithdrawAmount),
      marginAvailable: true,
      updateTime: account.updateTime,
    },
  ];
}

/** `/fapi/v3/positionRisk` row (fixture 4). */
export function positionRiskV3ToWire(position: PositionView): Record<string, unknown> {
  return {
    symbol: position.symbol,
    positionSide: 'BOTH',
    positionAmt: formatQty(position.instrument, position.positionAmt),
    entryPrice: formatPlain(position.entryPrice),
    breakEvenPrice: formatPlain(position.breakEvenPrice),
    markPrice: formatBalance(position.markPrice),
    unRealizedProfit: formatBalance(position.unrealizedProfit),
    liquidationPrice: position.liquidationPrice === 0n ? '0' : formatBalance(position.liquidationPrice),
    isolatedMargin: '0',
    notional: formatBalance(position.notional),
    marginAsset: 'USDT',
    isolatedWallet: '0',
    initialMargin: formatBalance(position.initialMargin),
    maintMargin: formatBalance(position.maintMargin),
    positionInitialMargin: formatBalance(position.positionInitialMargin),
    openOrderInitialMargin: formatPlain(position.openOrderInitialMargin),
    // No auto-deleveraging queue in the simulator: always the lowest quantile.
    adl: position.positionAmt === 0n ? '0' : '1',
    bidNotional: formatPlain(position.bidNotional),
    askNotional: formatPlain(position.askNotional),
    updateTime: position.updateTime,
  };
}

/** `/fapi/v2/positionRisk` row (docs one-way example): with leverage, marginType and maxNotionalValue. */
export function positionRiskV2ToWire(position: PositionView, maxNotional: MaxNotionalLookup): Record<string, unknown> {
  return {
    symbol: position.symbol,
    positionAmt: formatQty(position.instrument, position.positionAmt),
    entryPrice: formatPlain(position.entryPrice),
    breakEvenPrice: formatPlain(position.breakEvenPrice),
    markPrice: formatBalance(position.markPrice),
    unRealizedProfit: formatBalance(position.unrealizedProfit),
    liquidationPrice: position.liquidationPrice === 0n ? '0' : formatBalance(position.liquidationPrice),
    leverage: String(position.leverage),
    maxNotionalValue: maxNotionalText(maxNotional, position.symbol),
    marginType: 'cross',
    isolatedMargin: '0.00000000',
    isAutoAddMargin: 'false',
    positionSide: 'BOTH',
    notional: formatBalance(position.notional),
    isolatedWallet: '0',
    updateTime: position.updateTime,
  };
}
