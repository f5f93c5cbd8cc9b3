import type { Fixed } from '../../lib/fixed.ts';
import { describeError, describeExchange, type ExchangeSnapshot, type FlattenPath } from './exchange-flattener.ts';

/** What one read of the exchange showed after (or instead of) an attempt. */
export interface KillSwitchVerification {
  readonly at: number;
  /** 0: a check without acting (re-trip, release); 1, 2…: the flatten attempt it verified. */
  readonly attempt: number;
  readonly path?: FlattenPath;
  readonly flat: boolean;
  readonly openOrders: number;
  readonly positions: readonly { readonly symbol: string; readonly amount: Fixed }[];
  /** Set when the exchange could not be read (then `flat` is false: unproven). */
  readonly error?: string;
}

export function verificationOf(
  snapshot: ExchangeSnapshot,
  attempt: number,
  path?: FlattenPath,
): KillSwitchVerification {
  return {
    at: snapshot.at,
    attempt,
    ...(path !== undefined && { path }),
    flat: snapshot.flat,
    openOrders: snapshot.openOrders.length,
    positions: snapshot.positions.map((position) => ({ symbol: position.symbol, amount: position.amount })),
  };
}

export function unreadable(at: number, attempt: number, error: unknown, path?: FlattenPath): KillSwitchVerification {
  return {
    at,
    attempt,
    ...(path !== undefined && { path }),
    flat: false,
    openOrders: 0,
    positions: [],
    error: describeError(error),
  };
}

/** "flat", "position(s) BTCUSDT 0.01; 2 open order(s)" or "unreadable: …". */
export function describeVerification(verification: KillSwitchVerification): string {
  if (verification.error !== undefined) return `unreadable: ${verification.error}`;
  return describeExchange(verification.openOrders, verification.positions);
}
