import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decimalsOfStep,
  divFixed,
  divideRounded,
  formatFixed,
  formatFixedTrimmed,
  isMultipleOf,
  mulFixed,
  parseFixed,
  roundToStep,
  tryParseFixed,
} from './fixed.ts';

describe('fixed-point decimals', () => {
  it('Binance padded strings → exact units, and back with the same padding', () => {
    expect(parseFixed('43187.00')).toBe(4_318_700_000_000n);
    expect(formatFixed(parseFixed('0.1'), 3)).toBe('0.100');
    expect(formatFixed(parseFixed('0'), 5)).toBe('0.00000');
    expect(formatFixed(parseFixed('-1.5'), 2)).toBe('-1.50');
    expect(formatFixed(parseFixed('12'), 0)).toBe('12');
  });

  it('a sum that floats get wrong (0.1 + 0.2) → exactly 0.3', () => {
    expect(formatFixedTrimmed(parseFixed('0.1') + parseFixed('0.2'))).toBe('0.3');
  });

  it('malformed text → syntax; more than 8 places → precision; trailing zeros beyond 8 → accepted', () => {
    for (const text of ['', '.', '1e-7', 'abc', '1.2.3', '+1', ' 1', 'NaN']) expect(tryParseFixed(text)).toBe('syntax');
    expect(tryParseFixed('0.000000001')).toBe('precision');
    expect(tryParseFixed('1.1000000000')).toBe(110_000_000n);
    expect(tryParseFixed('.5')).toBe(50_000_000n);
  });

  it('rounding modes → as named, for negative numbers too', () => {
    expect(divideRounded(7n, 2n, 'down')).toBe(3n);
    expect(divideRounded(-7n, 2n, 'down')).toBe(-4n);
    expect(divideRounded(7n, 2n, 'up')).toBe(4n);
    expect(divideRounded(-7n, 2n, 'up')).toBe(-3n);
    expect(divideRounded(-7n, 2n, 'half-up')).toBe(-4n);
    expect(divideRounded(5n, 3n, 'half-up')).toBe(2n);
    expect(divideRounded(-7n, 2n, 'toward-zero')).toBe(-3n);
    expect(() => divideRounded(1n, 0n, 'down')).toThrow(RangeError);
  });

  it('price × qty and fee maths → exact to 1e-8', () => {
    const notional = mulFixed(parseFixed('36567.10'), parseFixed('0.010'));
    expect(formatFixed(notional, 5)).toBe('365.67100');
    expect(formatFixed(mulFixed(notional, parseFixed('0.0004')), 8)).toBe('0.14626840');
    expect(formatFixedTrimmed(divFixed(parseFixed('1'), parseFixed('3')))).toBe('0.33333333');
  });

  it('tick and step grids → round and test membership exactly', () => {
    const tick = parseFixed('0.10');
    expect(isMultipleOf(parseFixed('43187.10'), tick)).toBe(true);
    expect(isMultipleOf(parseFixed('43187.15'), tick)).toBe(false);
    expect(formatFixed(roundToStep(parseFixed('43187.15'), tick, 'down'), 2)).toBe('43187.10');
    expect(formatFixed(roundToStep(parseFixed('43187.15'), tick, 'up'), 2)).toBe('43187.20');
    expect(decimalsOfStep(parseFixed('0.001'))).toBe(3);
    expect(decimalsOfStep(parseFixed('10'))).toBe(0);
  });

  it('any value formatted at 8 places → parses back to itself (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (units) => {
        expect(parseFixed(formatFixed(units, 8))).toBe(units);
      }),
      { numRuns: 500 },
    );
  });
});
