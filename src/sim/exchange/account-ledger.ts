import { absFixed, divideRounded, type Fixed, minFixed, mulFixed } from '../../lib/fixed.ts';
import { apiErrors } from '../api-error.ts';
import type { Instrument } from '../instruments.ts';
import type { OrderSide } from './exchange.ts';

/** One symbol's one-way position. */
export interface PositionState {
  /** Signed: positive long, negative short. */
  readonly amount: Fixed;
  /** Volume-weighted entry of the open amount, rounded half-up to 1e-8; 0 when flat. */
  readonly entryPrice: Fixed;
  /** Commission paid to open what is still open (drives breakEvenPrice). */
  readonly openingCommission: Fixed;
  readonly updateTime: number;
}

export interface AppliedFill {
  readonly quoteQty: Fixed;
  readonly commission: Fixed;
  readonly realizedPnl: Fixed;
  readonly position: PositionState;
}

const FLAT: PositionState = { amount: 0n, entryPrice: 0n, openingCommission: 0n, updateTime: 0 };

/**
 * The USDT wallet, one-way positions and per-symbol leverage of the single simulated account
 * (cross margin). Every fill goes through `applyFill`, so wallet change = Σ realized PnL − Σ commission.
 */
export class AccountLedger {
  #walletBalance: Fixed;
  #updateTime = 0;
  readonly #positions = new Map<string, PositionState>();
  readonly #leverages = new Map<string, number>();

  constructor(initialBalance: Fixed) {
    this.#walletBalance = initialBalance;
  }

  get walletBalance(): Fixed {
    return this.#walletBalance;
  }

  get updateTime(): number {
    return this.#updateTime;
  }

  position(symbol: string): PositionState {
    return this.#positions.get(symbol) ?? FLAT;
  }

  /** Symbols holding a non-zero position. */
  openPositionSymbols(): string[] {
    return [...this.#positions].filter(([, position]) => position.amount !== 0n).map(([symbol]) => symbol);
  }

  /** Symbols whose leverage was set explicitly. */
  leverageSymbols(): string[] {
    return [...this.#leverages.keys()];
  }

  leverage(instrument: Instrument): number {
    return this.#leverages.get(instrument.symbol) ?? instrument.defaultLeverage;
  }

  /** -4028 outside 1..maxLeverage or for a non-integer. */
  setLeverage(instrument: Instrument, leverage: number): void {
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > instrument.maxLeverage) {
      throw apiErrors.leverageInvalid();
    }
    this.#leverages.set(instrument.symbol, leverage);
  }

  /**
   * Applies one fill: realized PnL on the reducing part (closedQty × (exit − entry) × direction),
   * the entry as a weighted average on the increasing part, a flip closing first and opening the
   * rest at the fill price; commission = quoteQty × feeRate is taken from the wallet.
   */
  applyFill(symbol: string, side: OrderSide, price: Fixed, qty: Fixed, feeRate: Fixed, time: number): AppliedFill {
    const quoteQty = mulFixed(price, qty);
    const commission = mulFixed(quoteQty, feeRate);
    const before = this.position(symbol);
    const signedQty = side === 'BUY' ? qty : -qty;
    let realizedPnl: Fixed = 0n;
    let after: PositionState;

    if (before.amount === 0n || before.amount > 0n === signedQty > 0n) {
      const amount = before.amount + signedQty;
      // Weighted average in 1e-16 units, divided back to 1e-8 once.
      const entryPrice = divideRounded(
        absFixed(before.amount) * before.entryPrice + qty * price,
        absFixed(amount),
        'half-up',
      );
      after = { amount, entryPrice, openingCommission: before.openingCommission + commission, updateTime: time };
    } else {
      const held = absFixed(before.amount);
      const closed = minFixed(qty, held);
      const direction = before.amount > 0n ? 1n : -1n;
      realizedPnl = mulFixed(closed, price - before.entryPrice) * direction;
      if (closed < held) {
        const left = held - closed;
        const openingCommission = divideRounded(before.openingCommission * left, held, 'half-up');
        after = {
          amount: before.amount + signedQty,
          entryPrice: before.entryPrice,
          openingCommission,
          updateTime: time,
        };
      } else if (qty > closed) {
        const opened = qty - closed;
        const openingCommission = divideRounded(commission * opened, qty, 'half-up');
        after = { amount: side === 'BUY' ? opened : -opened, entryPrice: price, openingCommission, updateTime: time };
      } else {
        after = { ...FLAT, updateTime: time };
      }
    }

    this.#positions.set(symbol, after);
    this.#walletBalance += realizedPnl - commission;
    this.#updateTime = time;
    return { quoteQty, commission, realizedPnl, position: after };
  }

  reset(walletBalance: Fixed): void {
    this.#walletBalance = walletBalance;
    this.#positions.clear();
    this.#leverages.clear();
    this.#updateTime = 0;
  }
}
