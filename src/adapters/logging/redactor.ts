/**
 * Removes secrets from log output (issue 4 point 8: "secrets redacted everywhere"):
 *  - every registered secret value (API key, API secret, control token), wherever it appears;
 *  - request signatures (`signature=<hex>`), `X-MBX-APIKEY` header values and listenKeys, which
 *    the Binance adapter may put in a URL or an error message;
 *  - the value of any field whose name says it is a secret (apiKey, signature, token, password…).
 */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not searched for: redacting every "abc" would wreck the log. */
const MIN_SECRET_LENGTH = 4;
const MAX_DEPTH = 8;

const PATTERNS: readonly { pattern: RegExp; replacement: string }[] = [
  { pattern: /(signature=)[0-9a-f]+/gi, replacement: `$1${REDACTED}` },
  { pattern: /("signature"\s*:\s*")[^"]*/gi, replacement: `$1${REDACTED}` },
  { pattern: /(x-mbx-apikey["']?\s*[:=]\s*["']?)[^\s"',;&}\]]+/gi, replacement: `$1${REDACTED}` },
  { pattern: /(listenKey[=/]|"listenKey"\s*:\s*")[A-Za-z0-9]{16,}/g, replacement: `$1${REDACTED}` },
];

const SECRET_FIELD = /secret|password|passwd|passphrase|token|api[-_]?key|signature|authorization|listen[-_]?key/i;

export class Redactor {
  readonly #secrets: RegExp | undefined;

  constructor(secretValues: readonly string[]) {
    const values = [...new Set(secretValues.filter((value) => value.length >= MIN_SECRET_LENGTH))];
    // Longest first, so a secret that contains another is replaced whole.
    values.sort((a, b) => b.length - a.length);
    this.#secrets = values.length === 0 ? undefined : new RegExp(values.map(escapeRegExp).join('|'), 'g');
  }

  /** The text with every secret and secret-looking token replaced by "[redacted]". */
  text(text: string): string {
    let result = this.#secrets === undefined ? text : text.replace(this.#secrets, REDACTED);
    for (const { pattern, replacement } of PATTERNS) result = result.replace(pattern, replacement);
    return result;
  }

  /**
   * Fields as plain JSON with secrets removed: bigints become strings (a `Fixed` is written as its
   * raw 1e-8 units, so format money with formatFixed before logging it), Errors keep name, message,
   * code, cause and stack, cycles and deep nesting are cut.
   */
  fields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return this.#object(fields, 0, new Set());
  }

  #value(value: unknown, depth: number, seen: Set<object>): unknown {
    switch (typeof value) {
      case 'string':
        return this.text(value);
      case 'number':
        return Number.isFinite(value) ? value : String(value);
      case 'boolean':
        return value;
      case 'bigint':
        return value.toString();
      case 'undefined':
        return undefined;
      case 'function':
      case 'symbol':
        return this.text(String(value));
      case 'object':
        return this.#objectValue(value, depth, seen);
      default:
        return this.text(String(value));
    }
  }

  #objectValue(value: object | null, depth: number, seen: Set<object>): unknown {
    if (value === null) return null;
    if (seen.has(value)) return '[circular]';
    if (depth >= MAX_DEPTH) return '[too deep]';
    seen.add(value);
    try {
      if (value instanceof Error) return this.#object(errorFields(value), depth + 1, seen);
      if (Array.isArray(value)) return value.map((item) => this.#value(item, depth + 1, seen) ?? null);
      if (value instanceof Map) return this.#object(Object.fromEntries(value), depth + 1, seen);
      if (value instanceof Set) return [...value].map((item) => this.#value(item, depth + 1, seen) ?? null);
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      // Secret and Date define toJSON; a Secret's says "[redacted]".
      if (typeof toJSON === 'function') return this.#value(toJSON.call(value), depth + 1, seen);
      return this.#object(value as Record<string, unknown>, depth + 1, seen);
    } finally {
      seen.delete(value);
    }
  }

  #object(value: Readonly<Record<string, unknown>>, depth: number, seen: Set<object>): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      result[key] = SECRET_FIELD.test(key) ? REDACTED : this.#value(child, depth, seen);
    }
    return result;
  }
}

function errorFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) fields.code = code;
  if (error.cause !== undefined) fields.cause = error.cause;
  if (error.stack !== undefined) fields.stack = error.stack;
  return fields;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
