import type { Fixed } from '../lib/fixed.ts';

/** One-way mode position as the venue reports it. `amount` is signed: long > 0, short < 0. */
export interface PositionReport {
  readonly symbol: string;
  readonly amount: Fixed;
  readonly entryPrice: Fixed;
  readonly markPrice: Fixed;
  readonly unrealizedPnl: Fixed;
  readonly notional: Fixed;
  readonly updateTime: number;
}

export interface BalanceReport {
  readonly asset: string;
  readonly walletBalance: Fixed;
  readonly availableBalance: Fixed;
  readonly unrealizedPnl: Fixed;
}

/** The account as the venue reports it (`/fapi/v3/account`); names follow the playbook's. */
export interface AccountSnapshot {
  readonly totalWalletBalance: Fixed;
  readonly totalUnrealizedProfit: Fixed;
  readonly totalMarginBalance: Fixed;
  readonly availableBalance: Fixed;
  readonly balances: readonly BalanceReport[];
  readonly positions: readonly PositionReport[];
  readonly updateTime: number;
}
