import { z } from 'zod';

/**
 * Durations in fault specs and scenarios: a number of milliseconds, or a string with a unit
 * ("500ms", "30s", "2m", "1h", "1.5s"). Written by people in YAML and curl, so the friendly form
 * matters; the simulator only ever sees integer milliseconds.
 */

const DURATION_PATTERN = /^\s*(-)?(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

export const DURATION_HINT = 'a duration: milliseconds as a number, or a string such as "500ms", "30s", "2m", "1h"';

/** Parses "30s" or 30000 to 30000; undefined when the text is not a duration. */
export function parseDuration(input: number | string): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? Math.round(input) : undefined;
  const match = DURATION_PATTERN.exec(input);
  if (match === null) return undefined;
  const [, sign, amount = '', unit = ''] = match;
  const factor = UNIT_MS[unit];
  if (factor === undefined) return undefined;
  const ms = Math.round(Number(amount) * factor);
  return sign === '-' ? -ms : ms;
}

/** Formats 90000 as "90s" (for logs and docs; exact, never rounded). */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms !== 0 && ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

/** A zod schema for a duration in milliseconds; `signed` allows negative values (clock skew). */
export function durationSchema(options: { signed?: boolean; positive?: boolean } = {}) {
  return z.union([z.number(), z.string()], { error: `expected ${DURATION_HINT}` }).transform((input, context) => {
    const ms = parseDuration(input);
    if (ms === undefined) {
      context.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, got ${JSON.stringify(input)}` });
      return z.NEVER;
    }
    if (options.signed !== true && ms < 0) {
      context.addIssue({ code: 'custom', message: `expected a duration of 0 or more, got ${JSON.stringify(input)}` });
      return z.NEVER;
    }
    if (options.positive === true && ms <= 0) {
      context.addIssue({ code: 'custom', message: `expected a duration above 0, got ${JSON.stringify(input)}` });
      return z.NEVER;
    }
    return ms;
  });
}
