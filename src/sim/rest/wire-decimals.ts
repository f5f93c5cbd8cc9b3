import { FIXED_DECIMALS, type Fixed, formatFixed, formatFixedTrimmed } from '../../lib/fixed.ts';
import type { Instrument } from '../instruments.ts';

/**
 * How the REST layer turns exact `Fixed` values into Binance's decimal strings (reference §5: prices
 * and quantities are JSON strings padded to the symbol's precision, "43187.00", "0.100").
 *
 * Padding never rounds: a value with more significant digits than the precision (an average price,
 * a quote amount) keeps them, because the simulator must not invent money that was not there.
 */
export function formatPadded(value: Fixed, decimals: number): string {
  const wanted = Math.min(Math.max(0, decimals), FIXED_DECIMALS);
  const exact = formatFixed(value, FIXED_DECIMALS);
  const [, fraction = ''] = exact.split('.');
  const significant = fraction.replace(/0+$/, '').length;
  return formatFixed(value, Math.max(wanted, significant));
}

/** No padding: "67445.9", "0" (position entry prices, maxNotionalValue). */
export function formatPlain(value: Fixed): string {
  return formatFixedTrimmed(value);
}

/** Eight places, the way Binance reports balances and margins ("0.00000000"). */
export function formatBalance(value: Fixed): string {
  return formatFixed(value, FIXED_DECIMALS);
}

export function formatPrice(instrument: Instrument, value: Fixed): string {
  return formatPadded(value, instrument.pricePrecision);
}

export function formatQty(instrument: Instrument, value: Fixed): string {
  return formatPadded(value, instrument.quantityPrecision);
}

/** Quote amounts (cumQuote, quoteQty, kline quote volume): price places + quantity places ("0.00000" on BTCUSDT). */
export function formatQuote(instrument: Instrument, value: Fixed): string {
  return formatPadded(value, instrument.pricePrecision + instrument.quantityPrecision);
}
