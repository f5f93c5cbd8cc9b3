import { describe, expect, it } from 'vitest';
import { type Fixed, parseFixed } from '../../lib/fixed.ts';
import { AccountLedger } from './account-ledger.ts';
import { breakEvenPrice } from './position-risk.ts';

const f = (text: string): Fixed => parseFixed(text);
const TAKER = f('0.0005');
const S = 'BTCUSDT';

function ledger(): AccountLedger {
  return new AccountLedger(f('10000'));
}

describe('AccountLedger.applyFill', () => {
  it('opening a long → amount, entry at the fill price, no realized PnL, commission = quote × fee', () => {
    const account = ledger();
    const fill = account.applyFill(S, 'BUY', f('36567.1'), f('0.01'), f('0.0004'), 1);
    // The fixture's userTrades row: quoteQty 365.67100, commission 0.14626840.
    expect(fill.quoteQty).toBe(f('365.671'));
    expect(fill.commission).toBe(f('0.1462684'));
    expect(fill.realizedPnl).toBe(0n);
    expect(account.position(S)).toMatchObject({ amount: f('0.01'), entryPrice: f('36567.1') });
    expect(account.walletBalance).toBe(f('10000') - f('0.1462684'));
  });

  it('adding to a long → volume-weighted entry', () => {
    const account = ledger();
    account.applyFill(S, 'BUY', f('100.1'), f('0.003'), TAKER, 1);
    account.applyFill(S, 'BUY', f('100.2'), f('0.001'), TAKER, 2);
    expect(account.position(S)).toMatchObject({ amount: f('0.004'), entryPrice: f('100.125') });
  });

  it('a weighted entry with a repeating decimal → rounded half-up to 1e-8', () => {
    const account = ledger();
    account.applyFill(S, 'BUY', f('100'), f('1'), TAKER, 1);
    account.applyFill(S, 'BUY', f('100.01'), f('2'), TAKER, 2);
    // (100 + 200.02) / 3 = 100.0066666…
    expect(account.position(S).entryPrice).toBe(f('100.00666667'));
  });

  it('reducing a long → realized = closed × (exit − entry), entry unchanged', () => {
    const account = ledger();
    account.applyFill(S, 'BUY', f('100'), f('1'), TAKER, 1);
    account.applyFill(S, 'BUY', f('110'), f('1'), TAKER, 2);
    const fill = account.applyFill(S, 'SELL', f('120'), f('0.4'), TAKER, 3);
    expect(fill.realizedPnl).toBe(f('6'));
    expect(account.position(S)).toMatchObject({ amount: f('1.6'), entryPrice: f('105') });
  });

  it('a sell larger than the long → closes at the old entry, opens a short at the fill price', () => {
    const account = ledger();
    account.applyFill(S, 'BUY', f('105'), f('1.6'), TAKER, 1);
    const fill = account.applyFill(S, 'SELL', f('90'), f('3'), TAKER, 2);
    expect(fill.realizedPnl).toBe(f('-24'));
    expect(account.position(S)).toMatchObject({ amount: f('-1.4'), entryPrice: f('90') });
  });

  it('covering a short below entry → positive realized PnL', () => {
    const account = ledger();
    account.applyFill(S, 'SELL', f('100'), f('1'), TAKER, 1);
    const fill = account.applyFill(S, 'BUY', f('90'), f('0.5'), TAKER, 2);
    expect(fill.realizedPnl).toBe(f('5'));
    expect(account.position(S)).toMatchObject({ amount: f('-0.5'), entryPrice: f('100') });
  });

  it('closing exactly → flat with entry 0', () => {
    const account = ledger();
    account.applyFill(S, 'SELL', f('100'), f('1'), TAKER, 1);
    account.applyFill(S, 'BUY', f('101'), f('1'), TAKER, 2);
    expect(account.position(S)).toMatchObject({ amount: 0n, entryPrice: 0n, openingCommission: 0n });
  });

  it('wallet change = Σ realized − Σ commission over a round trip', () => {
    const account = ledger();
    const fills = [
      account.applyFill(S, 'BUY', f('100'), f('2'), TAKER, 1),
      account.applyFill(S, 'SELL', f('110'), f('3'), TAKER, 2),
      account.applyFill(S, 'BUY', f('95'), f('1'), f('0.0002'), 3),
    ];
    // 200×0.0005 + 330×0.0005 + 95×0.0002 = 0.1 + 0.165 + 0.019; realized 2×10 + 1×(110−95) = 35.
    expect(fills.map((fill) => fill.realizedPnl)).toEqual([0n, f('20'), f('15')]);
    expect(account.walletBalance).toBe(f('10000') + f('35') - f('0.284'));
    expect(account.position(S).amount).toBe(0n);
  });

  it('breakEvenPrice → entry plus the opening commission per unit (long) or minus it (short)', () => {
    const account = ledger();
    account.applyFill(S, 'BUY', f('67445.9'), f('0.009'), TAKER, 1);
    // The fixture's positionRisk: entryPrice 67445.9, breakEvenPrice 67479.62295.
    expect(breakEvenPrice(account.position(S))).toBe(f('67479.62295'));
    const short = ledger();
    short.applyFill(S, 'SELL', f('100'), f('1'), TAKER, 1);
    expect(breakEvenPrice(short.position(S))).toBe(f('99.95'));
    short.applyFill(S, 'BUY', f('90'), f('0.5'), TAKER, 2);
    // Half of the opening commission stays with the half still open: per unit unchanged.
    expect(breakEvenPrice(short.position(S))).toBe(f('99.95'));
  });
});
