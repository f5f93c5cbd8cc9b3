import { type Fixed, fixedFromFloat, fixedToFloat, maxFixed, minFixed, parseFixed } from '../../lib/fixed.ts';
import type { Random } from '../../lib/random.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import { type PricePath, RandomWalkPath } from './price-path.ts';

/** One candle of a replay file, exact decimals (float noise rounded to 8 places on load). */
export interface ReplayCandle {
  readonly openTime: number;
  readonly open: Fixed;
  readonly high: Fixed;
  readonly low: Fixed;
  readonly close: Fixed;
  readonly volume: Fixed;
}

export const REPLAY_CSV_INVALID = 'SIM_REPLAY_CSV_INVALID';

/** `timestamp,open,high,low,close,volume` (the shared sample) and Binance's 12-column kline dump. */
const SAMPLE_COLUMNS = 6;
const BINANCE_KLINE_COLUMNS = 12;

/**
 * Parses a replay CSV. Accepted: the shared sample format with its header, and the 12-column kline
 * CSV of data.binance.vision (no header in older dumps, `open_time,…` header in newer ones). A bad
 * row throws a YunminError naming its line, so a typo in a drill file is found at start-up and not
 * halfway through a run.
 */
export function parseReplayCsv(csv: string): ReplayCandle[] {
  const candles: ReplayCandle[] = [];
  let columns: number | undefined;
  const lines = csv.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === '') return;
    const cells = line.split(',').map((cell) => cell.trim());
    const fail = (why: string): never => {
      throw new YunminError(REPLAY_CSV_INVALID, `replay CSV line ${lineNumber}: ${why}: ${JSON.stringify(raw)}`);
    };
    if (columns === undefined && candles.length === 0 && !/^\d/.test(cells[0] ?? '')) {
      if (cells.length !== SAMPLE_COLUMNS && cells.length !== BINANCE_KLINE_COLUMNS) {
        fail(`header has ${cells.length} columns, expected ${SAMPLE_COLUMNS} or ${BINANCE_KLINE_COLUMNS}`);
      }
      columns = cells.length;
      return;
    }
    if (cells.length !== SAMPLE_COLUMNS && cells.length !== BINANCE_KLINE_COLUMNS) {
      fail(`expected ${SAMPLE_COLUMNS} or ${BINANCE_KLINE_COLUMNS} columns, found ${cells.length}`);
    }
    if (columns !== undefined && cells.length !== columns) fail(`expected ${columns} columns, found ${cells.length}`);
    columns = cells.length;
    const [time = '', open = '', high = '', low = '', close = '', volume = ''] = cells;
    const openTime = parseTimestamp(time) ?? fail(`bad timestamp ${JSON.stringify(time)}`);
    const price = (name: string, text: string): Fixed => {
      const value = parseCsvDecimal(text) ?? fail(`bad ${name} ${JSON.stringify(text)}`);
      return value > 0n ? value : fail(`${name} must be above 0`);
    };
    const candle: ReplayCandle = {
      openTime,
      open: price('open', open),
      high: price('high', high),
      low: price('low', low),
      close: price('close', close),
      volume: parseCsvDecimal(volume) ?? fail(`bad volume ${JSON.stringify(volume)}`),
    };
    if (candle.high < maxFixed(candle.open, candle.close) || candle.low > minFixed(candle.open, candle.close)) {
      fail('high/low do not contain open and close');
    }
    const previous = candles.at(-1);
    if (previous !== undefined && openTime <= previous.openTime) fail('timestamps must increase');
    candles.push(candle);
  });
  if (candles.length === 0) throw new YunminError(REPLAY_CSV_INVALID, 'replay CSV has no candles');
  return candles;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:Z)?$/;

/** UTC "YYYY-MM-DD HH:MM[:SS]" or epoch milliseconds (microseconds in newer Binance dumps). */
function parseTimestamp(text: string): number | undefined {
  if (/^\d{1,17}$/.test(text)) {
    const value = Number(text);
    return value >= 1e14 ? Math.floor(value / 1000) : value;
  }
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second = '0'] = match.map(Number);
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined) {
    return undefined;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, Number(second));
  return Number.isFinite(ms) ? ms : undefined;
}

const PLAIN_DECIMAL = /^(\d+)(?:\.(\d*))?$/;

/**
 * A CSV decimal rounded half-up to 8 places. Resampled dumps carry float noise such as
 * `32.126329999999996`; exponent forms (`1e-05`) go through a float once, which is allowed for
 * replayed market data (never for account values).
 */
export function parseCsvDecimal(text: string): Fixed | undefined {
  const match = PLAIN_DECIMAL.exec(text);
  if (match !== null) {
    const [, whole = '0', fraction = ''] = match;
    if (fraction.length <= 8) return parseFixed(fraction === '' ? whole : `${whole}.${fraction}`);
    const kept = parseFixed(`${whole}.${fraction.slice(0, 8)}`);
    return fraction.charCodeAt(8) >= 53 ? kept + 1n : kept; // 9th digit ≥ 5 rounds up
  }
  if (!/^[0-9.]+[eE][+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? fixedFromFloat(value) : undefined;
}

/**
 * Replays candles, each over `ticksPerCandle` ticks, passing open → low → high → close for a rising
 * candle and open → high → low → close for a falling one (the usual OHLC-to-path convention), so the
 * replayed extremes and close are hit exactly. After the last candle the path walks on randomly from
 * the last close instead of freezing the market.
 */
export class CsvReplayPath implements PricePath {
  readonly #candles: readonly ReplayCandle[];
  readonly #ticksPerCandle: number;
  readonly #continuation: RandomWalkPath;
  #tick = 0;
  /** setPrice() on a replay scales the file by this factor from then on. */
  #scale = 1;
  #current: number;

  constructor(candles: readonly ReplayCandle[], ticksPerCandle: number, volatility: number, random: Random) {
    const first = candles[0];
    const last = candles.at(-1);
    if (first === undefined || last === undefined) throw new RangeError('a replay needs at least one candle');
    this.#candles = candles;
    this.#ticksPerCandle = Math.max(1, Math.floor(ticksPerCandle));
    this.#current = fixedToFloat(first.open);
    this.#continuation = new RandomWalkPath(fixedToFloat(last.close), volatility, random);
  }

  get current(): number {
    return this.#current;
  }

  /** The candle the next tick belongs to, or undefined once the file is exhausted. */
  get candleIndex(): number {
    return Math.floor(this.#tick / this.#ticksPerCandle);
  }

  next(): number {
    const candle = this.#candles[this.candleIndex];
    if (candle === undefined) {
      this.#current = this.#continuation.next() * this.#scale;
      return this.#current;
    }
    const step = (this.#tick % this.#ticksPerCandle) + 1;
    this.#tick += 1;
    this.#current = pathWithinCandle(candle, step / this.#ticksPerCandle) * this.#scale;
    return this.#current;
  }

  set(price: number): void {
    if (!(price > 0)) throw new RangeError(`a price path cannot be set to ${price}`);
    const unscaled = this.#current / this.#scale;
    this.#scale = price / unscaled;
    this.#current = price;
  }

  /** Volume of the candle being replayed, for sizing trades (0 once the file is exhausted). */
  currentVolume(): Fixed {
    return this.#candles[this.candleIndex]?.volume ?? 0n;
  }
}

/** Price at `progress` ∈ (0, 1] through a candle's three legs. */
function pathWithinCandle(candle: ReplayCandle, progress: number): number {
  const open = fixedToFloat(candle.open);
  const close = fixedToFloat(candle.close);
  const rising = candle.close >= candle.open;
  const first = fixedToFloat(rising ? candle.low : candle.high);
  const second = fixedToFloat(rising ? candle.high : candle.low);
  const leg = progress * 3;
  if (leg <= 1) return lerp(open, first, leg);
  if (leg <= 2) return lerp(first, second, leg - 1);
  return lerp(second, close, leg - 2);
}

function lerp(from: number, to: number, fraction: number): number {
  return fraction >= 1 ? to : from + (to - from) * fraction;
}
