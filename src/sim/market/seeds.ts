import { createRandom, type Random } from '../../lib/random.ts';

/**
 * Independent random streams per (seed, symbol, purpose). Separate streams keep the price path of a
 * seed identical whatever else draws numbers: changing `bookLevels` or `historyMinutes` must not
 * change the prices a seed walks.
 */
export type RandomStream = 'path' | 'history' | 'book' | 'trades' | 'tape' | 'ids';

export function randomFor(seed: number, symbol: string, stream: RandomStream): Random {
  // FNV-1a over the key, then handed to mulberry32 as its 32-bit seed.
  const key = `${seed}:${symbol}:${stream}`;
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return createRandom(hash);
}
