import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFixed, tryParseFixed } from '../../../lib/fixed.ts';
import { parseWireDecimal, parseWireDecimalAt } from './wire-decimal.ts';

/** Strings built from the characters that matter to a decimal parser, plus a few that must fail. */
const decimalish = fc.string({
  unit: fc.constantFrom('0', '1', '5', '9', '.', '-', '+', 'e', ' ', 'x'),
  maxLength: 30,
});

describe('parseWireDecimal', () => {
  it('Binance strings → exact Fixed units', () => {
    expect(parseWireDecimal('63921.70')).toBe(6_392_170_000_000n);
    expect(parseWireDecimal('0.001')).toBe(100_000n);
    expect(parseWireDecimal('0.00000000')).toBe(0n);
    expect(parseWireDecimal('-1.5')).toBe(-150_000_000n);
    expect(parseWireDecimal('11794.15000000')).toBe(1_179_415_000_000n);
  });

  it('non-decimals → syntax; a ninth non-zero place → precision (as tryParseFixed)', () => {
    for (const text of ['', '.', '-', '-.', '1e5', '+1', ' 1', '1,5', 'NaN', '1.2.3']) {
      expect(parseWireDecimal(text)).toBe('syntax');
    }
    expect(parseWireDecimal('1.000000001')).toBe('precision');
    expect(parseWireDecimal('1.100000000000')).toBe(110_000_000n);
  });

  it('values beyond 2^53 units → still exact (falls back to the BigInt path)', () => {
    expect(parseWireDecimal('123456789012.12345678')).toBe(12_345_678_901_212_345_678n);
    expect(parseWireDecimal('99999999999999999999.99999999')).toBe(tryParseFixed('99999999999999999999.99999999'));
    expect(parseWireDecimal('900719925.47409919')).toBe(90_071_992_547_409_919n);
  });

  it('any string → the same result as tryParseFixed (property)', () => {
    fc.assert(
      fc.property(decimalish, (text) => {
        expect(parseWireDecimal(text)).toEqual(tryParseFixed(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('any Fixed formatted with any padding → parsed back exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 27n), max: 10n ** 27n }),
        fc.integer({ min: 0, max: 8 }),
        (value, decimals) => {
          const text = formatFixed(value, decimals);
          expect(parseWireDecimal(text)).toBe(tryParseFixed(text));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('parseWireDecimalAt → reads only the given range', () => {
    expect(parseWireDecimalAt('["63921.70","5.333"]', 2, 10)).toBe(6_392_170_000_000n);
    expect(parseWireDecimalAt('["63921.70","5.333"]', 1, 10)).toBe('syntax');
  });
});
