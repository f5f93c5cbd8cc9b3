import { z } from 'zod';
import { tryParseFixed } from '../../lib/fixed.ts';

/**
 * Value schemas for config keys. Each carries ONE human message, "expected …", used for every way
 * the value can be wrong (type, range, format), so an error reads
 * `executor.timeout_ms: expected an integer ≥ 100, got "fast"`; `describeProblems` appends the
 * "got …" part from the input.
 */

function expected(text: string): { error: string } {
  return { error: `expected ${text}` };
}

/** An integer in [min, max]; `max` omitted means unbounded above. */
export function integer(min: number, max?: number) {
  const message = expected(max === undefined ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`);
  const base = z.number(message).int(message).min(min, message);
  return max === undefined ? base : base.max(max, message);
}

/**
 * A duration in seconds, > 0. Fractions are allowed: drills run the playbook's thresholds scaled
 * down (issue 5: `yunmin drill --scale F`), so 60 s may become 0.6 s.
 */
export function seconds() {
  const message = expected('a number of seconds > 0');
  return z.number(message).positive(message);
}

/** A plain number in [min, max] with an inclusive or exclusive lower bound. */
export function numberBetween(min: number, max: number, options: { minExclusive?: boolean; what: string }) {
  const message = expected(options.what);
  const lower = z.number(message);
  const bounded = options.minExclusive === true ? lower.gt(min, message) : lower.gte(min, message);
  return bounded.lte(max, message);
}

/**
 * A fraction in (0, 1]. The playbook writes `max_daily_dd: 0.02` and `max_position_pct: 0.02`
 * for 2 % (§5 "Reduce from 2%"), so these keys are fractions even when the name says pct.
 */
export function fraction(example: string) {
  return numberBetween(0, 1, { minExclusive: true, what: `a fraction in (0, 1], ${example}` });
}

/** A percent in (0, 100]: `move_pct: 10` is 10 % (playbook §7 "> 10% move in 1 min"). */
export function percent(example: string) {
  return numberBetween(0, 100, { minExclusive: true, what: `a percent in (0, 100], ${example}` });
}

export function bool() {
  return z.boolean(expected('true or false'));
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, expected(`one of ${values.join(', ')}`));
}

export function nonEmptyText(what: string) {
  const message = expected(what);
  return z.string(message).trim().min(1, message);
}

/** An absolute URL with one of the given schemes, e.g. `https:` for REST and `wss:` for streams. */
export function url(protocols: readonly string[], what: string) {
  const message = expected(what);
  return z.string(message).refine((text) => {
    if (!URL.canParse(text)) return false;
    return protocols.includes(new URL(text).protocol);
  }, message);
}

const SYMBOL_PATTERN = /^[A-Z0-9]{2,32}$/;

/** Binance USDⓈ-M symbols are upper-case letters and digits (`BTCUSDT`, `1000PEPEUSDT`). */
export function symbolList() {
  const symbol = z
    .string(expected('a symbol such as BTCUSDT'))
    .regex(SYMBOL_PATTERN, expected('a symbol such as BTCUSDT'));
  const message = expected('a non-empty list of distinct symbols such as [BTCUSDT, ETHUSDT]');
  return z
    .array(symbol, message)
    .min(1, message)
    .refine((symbols) => new Set(symbols).size === symbols.length, message);
}

/** A non-empty list of REST base URLs, tried in order (playbook §3 option C: endpoint failover). */
export function urlList(protocols: readonly string[], item: string, list: string) {
  const message = expected(`a non-empty list of ${list}`);
  return z.array(url(protocols, item), message).min(1, message);
}

/**
 * An amount of USDT, exact (DESIGN principle 6). YAML reads `300` as a number; the shortest
 * decimal text of a double is what the file said, so `String(value)` recovers it exactly.
 */
export function money(what: string) {
  const message = expected(`${what} (a positive decimal with at most 8 places)`);
  return z.union([z.number(), z.string()], message).refine((value) => {
    const parsed = tryParseFixed(String(value).trim());
    return typeof parsed === 'bigint' && parsed > 0n;
  }, message);
}

/** Free-form map (strategy parameters): validated by its owner, not here. */
export function freeFormMap(what: string) {
  return z.record(z.string(), z.unknown(), expected(what));
}
