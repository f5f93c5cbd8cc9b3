import { z } from 'zod';
import { divideRounded, FIXED_DECIMALS, type Fixed, tryParseFixed } from '../../../lib/fixed.ts';

/**
 * Field schemas shared by the REST reply parsers (reference §5): decimals arrive as strings and
 * become exact `Fixed`; ids and timestamps are JSON numbers per the docs, but captured fixtures
 * stringify them, so a digit string is accepted too.
 */

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * A wire decimal as Fixed. Binance never sends more than 8 places for USDⓈ-M values, but a longer
 * one (a computed field such as breakEvenPrice) is rounded half-up rather than failing the reply.
 */
export function parseWireDecimal(text: string): Fixed | undefined {
  const parsed = tryParseFixed(text);
  if (typeof parsed === 'bigint') return parsed;
  if (parsed === 'syntax' || !DECIMAL_TEXT.test(text)) return undefined;
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const extra = fraction.length - FIXED_DECIMALS;
  const scaled = divideRounded(BigInt(whole + fraction), 10n ** BigInt(extra), 'half-up');
  return text.startsWith('-') ? -scaled : scaled;
}

export const decimal = z.string().transform((text, context): Fixed => {
  const value = parseWireDecimal(text);
  if (value === undefined) {
    context.addIssue({ code: 'custom', message: `not a decimal: ${JSON.stringify(text.slice(0, 40))}` });
    return z.NEVER;
  }
  return value;
});

export const integer = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d{1,16}$/)
    .transform(Number),
]);

export const booleanFlag = z.union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')]);

/** The first issue as "path: message", for an EXCHANGE_BAD_RESPONSE message (never the whole body). */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'reply does not match the expected shape';
  const path = issue.path.length === 0 ? 'reply' : issue.path.join('.');
  return `${path}: ${issue.message}`;
}
