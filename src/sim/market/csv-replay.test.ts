import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFixed, roundToStep } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { DEFAULT_INSTRUMENTS } from '../instruments.ts';
import { parseCsvDecimal, parseReplayCsv, REPLAY_CSV_INVALID } from './csv-replay.ts';
import { REPLAY_SAMPLE_SYMBOL, replaySamplePath } from './replay-sample.ts';
import { DEFAULT_MARKET_OPTIONS, SimulatedMarket } from './simulated-market.ts';

const SAMPLE = readFileSync(replaySamplePath(), 'utf8');
const BTC_TICK = DEFAULT_INSTRUMENTS[0]?.tickSize ?? 0n;

describe('parseReplayCsv', () => {
  it('the bundled sample → 288 five-minute candles of 2025-10-01 with float noise rounded', () => {
    const candles = parseReplayCsv(SAMPLE);
    expect(candles).toHaveLength(288);
    expect(candles[0]).toEqual({
      openTime: Date.UTC(2025, 9, 1),
      open: parseFixed('114048.94'),
      high: parseFixed('114222.95'),
      low: parseFixed('114048.93'),
      close: parseFixed('114211.4'),
      volume: parseFixed('52.59571'),
    });
    expect(candles[1]?.volume).toBe(parseFixed('32.12633')); // was 32.126329999999996
    expect(candles.at(-1)?.openTime).toBe(Date.UTC(2025, 9, 1, 23, 55));
  });

  it("Binance's 12-column kline CSV, with or without header → the same candles", () => {
    const rows = [
      '1759276800000,114048.90,114222.90,114048.90,114211.40,5259.571,1759277099999,600000000.1,12345,2600.1,300000000.2,0',
      '1759277100000,114211.40,114308.00,114186.40,114237.00,3212.633,1759277399999,366000000.5,9876,1600.3,180000000.4,0',
    ];
    const header =
      'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
    const bare = parseReplayCsv(rows.join('\n'));
    expect(bare).toHaveLength(2);
    expect(bare[1]).toMatchObject({
      openTime: 1759277100000,
      close: parseFixed('114237'),
      volume: parseFixed('3212.633'),
    });
    expect(parseReplayCsv([header, ...rows].join('\r\n'))).toEqual(bare);
  });

  it.each([
    ['a missing column', '2025-10-01 00:10:00,1,2,0.5,1.5', 4],
    ['a word for a price', '2025-10-01 00:10:00,abc,2,0.5,1.5,3', 4],
    ['a high below the close', '2025-10-01 00:10:00,1,2,0.5,2.5,3', 4],
    ['a timestamp going back', '2025-10-01 00:00:00,1,2,0.5,1.5,3', 4],
    ['a bad timestamp', 'yesterday,1,2,0.5,1.5,3', 4],
    ['a zero price', '2025-10-01 00:10:00,0,2,0,1.5,3', 4],
  ])('%s → YunminError naming the line', (_name, badRow, line) => {
    const csv = [SAMPLE.split('\n').slice(0, 3).join('\n'), badRow, '2025-10-01 00:20:00,1,2,0.5,1.5,3'].join('\n');
    let caught: unknown;
    try {
      parseReplayCsv(csv);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: REPLAY_CSV_INVALID });
    expect(String((caught as Error).message)).toContain(`line ${line}:`);
  });

  it('an empty file → YunminError "no candles"', () => {
    expect(() => parseReplayCsv('timestamp,open,high,low,close,volume\n')).toThrow(/no candles/);
  });

  it('decimals → rounded half-up to 8 places; exponents accepted; junk rejected', () => {
    expect(parseCsvDecimal('0.123456785')).toBe(parseFixed('0.12345679'));
    expect(parseCsvDecimal('0.123456784999')).toBe(parseFixed('0.12345678'));
    expect(parseCsvDecimal('1e-05')).toBe(parseFixed('0.00001'));
    expect(parseCsvDecimal('7')).toBe(parseFixed('7'));
    expect(parseCsvDecimal('-1')).toBeUndefined();
    expect(parseCsvDecimal('1,5')).toBeUndefined();
  });
});

describe('CSV replay in the market', () => {
  function replayMarket(csv: string, replayCandleMs = 1000) {
    const clock = new TestClock();
    const feed = new SimulatedMarket({
      clock,
      options: {
        ...DEFAULT_MARKET_OPTIONS,
        historyMinutes: 0,
        replay: { symbol: REPLAY_SAMPLE_SYMBOL, csv, replayCandleMs },
      },
    });
    return { feed, clock };
  }

  it('each candle over replayCandleMs → the mid starts at the open, stays within high/low, ends on the close', () => {
    const { feed, clock } = replayMarket(SAMPLE);
    const candles = parseReplayCsv(SAMPLE);
    const snap = (price: bigint) => roundToStep(price, BTC_TICK, 'half-up');
    expect(feed.midPrice('BTCUSDT')).toBe(snap(candles[0]?.open ?? 0n));
    feed.start();
    for (const candle of candles) {
      for (let tick = 0; tick < 10; tick += 1) {
        clock.advance(100);
        const mid = feed.midPrice('BTCUSDT');
        expect(mid).toBeGreaterThanOrEqual(snap(candle.low));
        expect(mid).toBeLessThanOrEqual(snap(candle.high));
      }
      expect(feed.midPrice('BTCUSDT')).toBe(snap(candle.close));
    }
  });

  it('the extremes of each candle are visited', () => {
    const { feed } = replayMarket(SAMPLE, 3000);
    const candles = parseReplayCsv(SAMPLE).slice(0, 20);
    for (const candle of candles) {
      const mids = Array.from({ length: 30 }, () => {
        feed.tick();
        return feed.midPrice('BTCUSDT');
      });
      const snap = (price: bigint) => roundToStep(price, BTC_TICK, 'half-up');
      expect(mids).toContain(snap(candle.high));
      expect(mids).toContain(snap(candle.low));
    }
  });

  it('after the last candle → the price walks on from the last close instead of freezing', () => {
    const csv = 'timestamp,open,high,low,close,volume\n2025-10-01 00:00:00,100000,100100,99900,100050,10\n';
    const { feed } = replayMarket(csv, 500);
    for (let tick = 0; tick < 5; tick += 1) feed.tick();
    expect(feed.midPrice('BTCUSDT')).toBe(parseFixed('100050'));
    const later = Array.from({ length: 20 }, () => {
      feed.tick();
      return feed.midPrice('BTCUSDT');
    });
    expect(new Set(later).size).toBeGreaterThan(1);
  });

  it('a bad replay file → the market refuses to start, naming the line', () => {
    expect(() => replayMarket('timestamp,open,high,low,close,volume\n2025-10-01 00:00:00,1,2,3\n')).toThrow(/line 2:/);
  });
});
