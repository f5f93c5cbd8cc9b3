import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value (API key, API secret, control token) that never prints itself: JSON.stringify,
 * util.inspect / console.log, template strings and string concatenation all render "[redacted]".
 * The only way to the value is an explicit `reveal()`, so a leak is visible in review.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself; call it only where the value must leave the process (signing, headers). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
