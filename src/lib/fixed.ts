/**
 * Exact decimal arithmetic on scaled bigints (DESIGN principle 6: money is never a binary float).
 *
 * A `Fixed` is an integer count of 1e-8 units: "43187.10" is 4_318_710_000_000n. Eight decimals
 * cover every USDⓈ-M tick and step size (the smallest is 1e-8) and every fee rate.
 * Binance sends decimals as strings; parse them once here and format them back padded.
 */
export type Fixed = bigint;

export const FIXED_DECIMALS = 8;
export const FIXED_SCALE = 100_000_000n;
export const FIXED_ZERO: Fixed = 0n;
export const FIXED_ONE: Fixed = FIXED_SCALE;

// Binance's own parameter pattern (-1100) allows digits, one dot and no sign or exponent;
// we also accept a leading minus so PnL and position amounts round-trip.
const DECIMAL_PATTERN = /^(-)?(\d{1,20})?(?:\.(\d{0,20}))?$/;

export type ParseFixedFailure = 'syntax' | 'precision';

/** Parses a plain decimal string. Returns the failure kind instead of throwing (hot path). */
export function tryParseFixed(text: string): Fixed | ParseFixedFailure {
  const match = DECIMAL_PATTERN.exec(text);
  if (match === null) return 'syntax';
  const [, sign, whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return 'syntax';
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > FIXED_DECIMALS) return 'precision';
  const units = BigInt(whole === '' ? '0' : whole) * FIXED_SCALE + BigInt(trimmed.padEnd(FIXED_DECIMALS, '0'));
  return sign === '-' ? -units : units;
}

/** Parses a plain decimal string or throws a RangeError naming the text. */
export function parseFixed(text: string): Fixed {
  const result = tryParseFixed(text);
  if (typeof result === 'string') {
    throw new RangeError(`not a decimal with at most ${FIXED_DECIMALS} places: ${JSON.stringify(text)}`);
  }
  return result;
}

/** Builds a Fixed from an integer count of whole units. */
export function fixedFromInteger(value: number | bigint): Fixed {
  return BigInt(value) * FIXED_SCALE;
}

/**
 * Converts a binary float to the nearest Fixed. Only for generated data (simulated price paths,
 * CSV replays); never for balances, orders or PnL.
 */
export function fixedFromFloat(value: number): Fixed {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return BigInt(Math.round(value * 1e8));
}

/** Lossy conversion for statistics and charts only. */
export function fixedToFloat(value: Fixed): number {
  return Number(value) / 1e8;
}

export type Rounding = 'down' | 'up' | 'half-up' | 'toward-zero';

/** Divides two bigints with an explicit rounding rule (down = toward minus infinity). */
export function divideRounded(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) return divideRounded(-numerator, -denominator, rounding);
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  switch (rounding) {
    case 'toward-zero':
      return quotient;
    case 'down':
      return numerator < 0n ? quotient - 1n : quotient;
    case 'up':
      return numerator > 0n ? quotient + 1n : quotient;
    case 'half-up': {
      const twice = (remainder < 0n ? -remainder : remainder) * 2n;
      if (twice < denominator) return quotient;
      return numerator < 0n ? quotient - 1n : quotient + 1n;
    }
  }
}

/** a × b, rounded to 8 decimals. */
export function mulFixed(a: Fixed, b: Fixed, rounding: Rounding = 'half-up'): Fixed {
  return divideRounded(a * b, FIXED_SCALE, rounding);
}

/** a ÷ b, rounded to 8 decimals. */
export function divFixed(a: Fixed, b: Fixed, rounding: Rounding = 'half-up'): Fixed {
  return divideRounded(a * FIXED_SCALE, b, rounding);
}

/** Rounds a value to a multiple of `step` (a tick or step size). */
export function roundToStep(value: Fixed, step: Fixed, rounding: Rounding): Fixed {
  if (step <= 0n) return value;
  return divideRounded(value, step, rounding) * step;
}

export function isMultipleOf(value: Fixed, step: Fixed): boolean {
  return step <= 0n || value % step === 0n;
}

export function absFixed(value: Fixed): Fixed {
  return value < 0n ? -value : value;
}

export function minFixed(a: Fixed, b: Fixed): Fixed {
  return a < b ? a : b;
}

export function maxFixed(a: Fixed, b: Fixed): Fixed {
  return a > b ? a : b;
}

/**
 * Formats with exactly `decimals` places, the way Binance pads ("43187.00", "0.100").
 * Digits beyond `decimals` are rounded half-up.
 */
export function formatFixed(value: Fixed, decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > FIXED_DECIMALS) {
    throw new RangeError(`decimals must be an integer from 0 to ${FIXED_DECIMALS}, got ${decimals}`);
  }
  const unit = 10n ** BigInt(FIXED_DECIMALS - decimals);
  const scaled = divideRounded(value, unit, 'half-up');
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  const body = decimals === 0 ? whole : `${whole}.${fraction}`;
  return negative ? `-${body}` : body;
}

/** Formats with no trailing zeros ("0.1", "43187.5", "2"): for places that are not padded. */
export function formatFixedTrimmed(value: Fixed): string {
  const padded = formatFixed(value, FIXED_DECIMALS);
  return padded.replace(/\.?0+$/, '');
}

/** Number of decimal places in a step such as 0.001 (3) or 10 (0). */
export function decimalsOfStep(step: Fixed): number {
  for (let decimals = 0; decimals <= FIXED_DECIMALS; decimals += 1) {
    if (step % 10n ** BigInt(FIXED_DECIMALS - decimals) === 0n) return decimals;
  }
  return FIXED_DECIMALS;
}
