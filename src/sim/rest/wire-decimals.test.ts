import { describe, expect, it } from 'vitest';
import { parseFixed } from '../../lib/fixed.ts';
import { formatBalance, formatPadded, formatPlain } from './wire-decimals.ts';

describe('wire decimals', () => {
  it('value with fewer places than the precision → padded ("43187.00", "0.100", "0.00000")', () => {
    expect(formatPadded(parseFixed('43187'), 2)).toBe('43187.00');
    expect(formatPadded(parseFixed('0.1'), 3)).toBe('0.100');
    expect(formatPadded(0n, 5)).toBe('0.00000');
    expect(formatPadded(parseFixed('7'), 0)).toBe('7');
  });

  it('value with more places than the precision → every digit kept, never rounded', () => {
    expect(formatPadded(parseFixed('114048.955'), 2)).toBe('114048.955');
    expect(formatPadded(parseFixed('-0.00000001'), 2)).toBe('-0.00000001');
  });

  it('plain and balance formats → "67445.9" / "0" and eight places', () => {
    expect(formatPlain(parseFixed('67445.90'))).toBe('67445.9');
    expect(formatPlain(0n)).toBe('0');
    expect(formatPlain(parseFixed('100000000'))).toBe('100000000');
    expect(formatBalance(parseFixed('25.7261006'))).toBe('25.72610060');
  });
});
