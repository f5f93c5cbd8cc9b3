import { randomBytes } from 'node:crypto';
import type { Random } from '../../lib/random.ts';

/**
 * Client order ids (reference §2.5): the user's own must match Binance's pattern (-4015 otherwise);
 * absent ones are generated with 22 alphanumerics, like Binance's "iCXL1BywlBaf2sesNUrVl3".
 */
export const CLIENT_ORDER_ID_PATTERN = /^[.A-Z:/a-z0-9_-]{1,36}$/;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const GENERATED_LENGTH = 22;

export function isValidClientOrderId(id: string): boolean {
  return CLIENT_ORDER_ID_PATTERN.test(id);
}

/**
 * Makes ids from a seeded Random when one is given (reproducible runs), else from node:crypto.
 * `web()` gives the kind of id Binance shows for orders placed in its web UI ("web_…").
 */
export class ClientOrderIdGenerator {
  readonly #random: Random | undefined;

  constructor(random?: Random) {
    this.#random = random;
  }

  next(): string {
    return this.#characters(GENERATED_LENGTH);
  }

  web(): string {
    return `web_${this.#characters(16)}`;
  }

  #characters(length: number): string {
    const random = this.#random;
    if (random !== undefined) {
      let id = '';
      for (let index = 0; index < length; index += 1) id += ALPHABET[random.integer(0, ALPHABET.length - 1)];
      return id;
    }
    let id = '';
    for (const byte of randomBytes(length)) id += ALPHABET[byte % ALPHABET.length];
    return id;
  }
}
