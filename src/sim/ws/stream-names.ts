import type { KlineInterval } from '../market/market-feed.ts';

/**
 * Binance stream names and the path each one is served on since the 2026-03-06 split
 * (reference §3.1): high-frequency book data on `/public`, everything else on `/market`.
 */
export interface StreamClass {
  /** The canonical spelling ("btcusdt@aggTrade"): the delivery index key and the `stream` of a wrapper. */
  readonly name: string;
  readonly channel: 'public' | 'market';
}

export const PARTIAL_DEPTH_LEVELS = [5, 10, 20] as const;
export const DEPTH_SPEEDS = ['', '@100ms', '@500ms'] as const;

const KLINE_INTERVALS: ReadonlySet<string> = new Set([
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
]);

/** Lower-cased suffix → canonical suffix and channel, for the suffixes without parameters. */
const FIXED_SUFFIXES: ReadonlyMap<string, { suffix: string; channel: 'public' | 'market' }> = new Map([
  ['bookticker', { suffix: 'bookTicker', channel: 'public' }],
  ['depth', { suffix: 'depth', channel: 'public' }],
  ['depth@100ms', { suffix: 'depth@100ms', channel: 'public' }],
  ['depth@500ms', { suffix: 'depth@500ms', channel: 'public' }],
  // The raw trade stream is routed to /public (reference fixtures: "/public/ws … btcusdt@trade").
  ['trade', { suffix: 'trade', channel: 'public' }],
  ['aggtrade', { suffix: 'aggTrade', channel: 'market' }],
  ['markprice', { suffix: 'markPrice', channel: 'market' }],
  ['markprice@1s', { suffix: 'markPrice@1s', channel: 'market' }],
  ['miniticker', { suffix: 'miniTicker', channel: 'market' }],
  ['ticker', { suffix: 'ticker', channel: 'market' }],
  ['forceorder', { suffix: 'forceOrder', channel: 'market' }],
  ['compositeindex', { suffix: 'compositeIndex', channel: 'market' }],
  ['assetindex', { suffix: 'assetIndex', channel: 'market' }],
]);

const ALL_MARKET_STREAMS: ReadonlyMap<string, StreamClass> = new Map(
  (
    [
      ['!bookticker', '!bookTicker', 'public'],
      ['!markprice@arr', '!markPrice@arr', 'market'],
      ['!markprice@arr@1s', '!markPrice@arr@1s', 'market'],
      ['!miniticker@arr', '!miniTicker@arr', 'market'],
      ['!ticker@arr', '!ticker@arr', 'market'],
      ['!forceorder@arr', '!forceOrder@arr', 'market'],
      ['!contractinfo', '!contractInfo', 'market'],
      ['!assetindex@arr', '!assetIndex@arr', 'market'],
    ] as const
  ).map(([lower, name, channel]) => [lower, { name, channel }]),
);

const PARTIAL_DEPTH = /^depth(5|10|20)(@100ms|@500ms)?$/;
const SYMBOL = /^[a-z0-9_]{1,40}$/;

/**
 * Classifies a stream name from a path or a SUBSCRIBE frame. undefined means a name no path serves
 * (a typo, ccxt's "/ws/0" connection index, a listenKey): Binance accepts those and sends nothing.
 * Symbols are matched lower-cased and suffixes case-insensitively, except a kline interval, where
 * "1m" (minute) and "1M" (month) differ.
 */
export function classifyStream(given: string): StreamClass | undefined {
  if (given.startsWith('!')) return ALL_MARKET_STREAMS.get(given.toLowerCase());
  const at = given.indexOf('@');
  if (at <= 0) return undefined;
  const symbol = given.slice(0, at).toLowerCase();
  if (!SYMBOL.test(symbol)) return undefined;
  const suffix = given.slice(at + 1);
  const lower = suffix.toLowerCase();
  const fixed = FIXED_SUFFIXES.get(lower);
  if (fixed !== undefined) return { name: `${symbol}@${fixed.suffix}`, channel: fixed.channel };
  if (PARTIAL_DEPTH.test(lower)) return { name: `${symbol}@${lower}`, channel: 'public' };
  if (lower.startsWith('kline_') && KLINE_INTERVALS.has(suffix.slice('kline_'.length))) {
    return { name: `${symbol}@kline_${suffix.slice('kline_'.length)}`, channel: 'market' };
  }
  return undefined;
}

/** The canonical stream names of one symbol, built once so the hot path allocates no strings. */
export interface SymbolStreamNames {
  readonly aggTrade: string;
  readonly bookTicker: string;
  readonly markPrice3s: string;
  readonly markPrice1s: string;
  /** `@depth`, `@depth@100ms`, `@depth@500ms`. */
  readonly depthDiff: readonly string[];
  /** [levels, name] for every partial-depth level and speed. */
  readonly partialDepth: readonly (readonly [number, string])[];
  kline(interval: KlineInterval): string;
}

export function symbolStreamNames(symbol: string): SymbolStreamNames {
  const lower = symbol.toLowerCase();
  const klines = new Map<string, string>();
  return {
    aggTrade: `${lower}@aggTrade`,
    bookTicker: `${lower}@bookTicker`,
    markPrice3s: `${lower}@markPrice`,
    markPrice1s: `${lower}@markPrice@1s`,
    depthDiff: DEPTH_SPEEDS.map((speed) => `${lower}@depth${speed}`),
    partialDepth: PARTIAL_DEPTH_LEVELS.flatMap((levels) =>
      DEPTH_SPEEDS.map((speed) => [levels, `${lower}@depth${levels}${speed}`] as const),
    ),
    kline(interval) {
      let name = klines.get(interval);
      if (name === undefined) {
        name = `${lower}@kline_${interval}`;
        klines.set(interval, name);
      }
      return name;
    },
  };
}
