import { randomBytes } from 'node:crypto';

/**
 * Binance's `newClientOrderId` rule (reference §2.5): `^[\.A-Z\:/a-z0-9_-]{1,36}$`, -4015 otherwise.
 * The id is chosen before the send and persisted by the caller, so an unknown outcome can be
 * resolved by querying `origClientOrderId` (issue 3, point 4) instead of resending blind.
 */
export const CLIENT_ORDER_ID_PATTERN = /^[.A-Z:/a-z0-9_-]{1,36}$/;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 20;
// 62 * 4 = 248: bytes at or above it are redrawn so every character is equally likely.
const UNBIASED_LIMIT = 248;

// Random bytes are drawn 4 KiB at a time (as node:crypto does for randomUUID): one order id then
// costs a few array reads instead of a call into the CSPRNG, which matters on the order hot path.
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let poolOffset = 0;

function nextRandomByte(): number {
  if (poolOffset >= pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const byte = pool[poolOffset] ?? 0;
  poolOffset += 1;
  return byte;
}

/**
 * A fresh client order id: `prefix` + 20 base62 characters (~119 bits from node:crypto), e.g.
 * "ym-4fQ0b…". The prefix must itself match the pattern and leave room for the random part.
 */
export function generateClientOrderId(prefix = 'ym-'): string {
  if (prefix.length > 36 - RANDOM_CHARS || (prefix !== '' && !CLIENT_ORDER_ID_PATTERN.test(prefix))) {
    throw new RangeError(`client order id prefix must be at most ${36 - RANDOM_CHARS} of [.A-Za-z0-9:/_-]`);
  }
  let id = prefix;
  for (let count = 0; count < RANDOM_CHARS; ) {
    const byte = nextRandomByte();
    if (byte >= UNBIASED_LIMIT) continue;
    id += BASE62.charAt(byte % 62);
    count += 1;
  }
  return id;
}

export function isValidClientOrderId(id: string): boolean {
  return CLIENT_ORDER_ID_PATTERN.test(id);
}
