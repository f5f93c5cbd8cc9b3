import { join } from 'node:path';

/** Symbol of the bundled replay sample. */
export const REPLAY_SAMPLE_SYMBOL = 'BTCUSDT';

/**
 * Path of the bundled sample: one day (288 five-minute candles, 2025-10-01 UTC) of real Binance
 * BTCUSDT prices, for `--replay` drills and tests.
 */
export function replaySamplePath(): string {
  return join(import.meta.dirname, 'samples', 'btcusdt-5m-sample.csv');
}
