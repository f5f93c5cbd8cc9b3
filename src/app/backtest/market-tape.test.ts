import { describe, expect, it } from 'vitest';
import { formatFixedTrimmed, parseFixed } from '../../lib/fixed.ts';
import { AggTradeTape, detectFormat, type MarketTape, openTape, type TapeItem } from './market-tape.ts';

const TICK = parseFixed('0.1');
const T0 = Date.UTC(2025, 9, 1);

function drain(tape: MarketTape): TapeItem[] {
  const items: TapeItem[] = [];
  for (let item = tape.next(); item !== undefined; item = tape.next()) items.push(item);
  return items;
}

const show = (item: TapeItem) =>
  item.kind === 'trade'
    ? `${item.time - T0} trade ${formatFixedTrimmed(item.price)}`
    : `${item.time - T0} candle ${formatFixedTrimmed(item.candle.open)}/${formatFixedTrimmed(item.candle.high)}/${formatFixedTrimmed(item.candle.low)}/${formatFixedTrimmed(item.candle.close)}`;

describe('kline tape', () => {
  it('1m rising candle → open, low, high, close trades at 0/20/40/59.999 s, then its exact candle at 60 s', () => {
    const csv = `timestamp,open,high,low,close,volume\n${T0},100,110,95,105,8\n${T0 + 60_000},105,106,104,104,4\n`;
    const items = drain(openTape(csv, TICK)).map(show);
    expect(items.slice(0, 5)).toEqual([
      '0 trade 100',
      '20000 trade 95',
      '40000 trade 110',
      '59999 trade 105',
      '60000 candle 100/110/95/105',
    ]);
    // The falling candle walks open → high → low → close.
    expect(items.slice(5)).toEqual([
      '60000 trade 105',
      '80000 trade 106',
      '100000 trade 104',
      '119999 trade 104',
      '120000 candle 105/106/104/104',
    ]);
  });

  it('5m candle (Binance 12 columns) → five 1m candles along the walk; volume split evenly', () => {
    const row = (t: number) => `${t},100,130,100,130,50,${t + 299_999},0,10,0,0,0`;
    const items = drain(openTape(`${row(T0)}\n${row(T0 + 300_000)}\n`, TICK));
    const candles = items.filter((item) => item.kind === 'candle');
    expect(candles).toHaveLength(10);
    // Rising: open 100 → low 100 at 100 s → high 130 at 200 s (106 at 120 s, 124 at 180 s) → close 130.
    expect(candles.slice(0, 5).map(show)).toEqual([
      '60000 candle 100/100/100/100',
      '120000 candle 100/106/100/106',
      '180000 candle 106/124/106/124',
      '240000 candle 124/130/124/130',
      '300000 candle 130/130/130/130',
    ]);
    expect(candles[0]?.kind === 'candle' && formatFixedTrimmed(candles[0].candle.volume)).toBe('10');
    expect(detectFormat(row(T0))).toBe('binance-klines');
  });

  it('--from/--to → only the candles opening inside; none → a clear error', () => {
    const csv = `timestamp,open,high,low,close,volume\n${T0},1,1,1,1,1\n${T0 + 60_000},2,2,2,2,1\n${T0 + 120_000},3,3,3,3,1\n`;
    const candles = drain(openTape(csv, TICK, { from: T0 + 60_000, to: T0 + 120_000 })).filter(
      (item) => item.kind === 'candle',
    );
    expect(candles.map(show)).toEqual(['120000 candle 2/2/2/2']);
    expect(() => openTape(csv, TICK, { from: T0 + 999_999 })).toThrow(/no candles in --from\/--to/);
  });

  it('unknown column count → BACKTEST_DATA_INVALID naming the accepted formats', () => {
    expect(() => openTape('a,b,c\n1,2,3\n', TICK)).toThrow(/expected 6 .*12 .*7/);
  });
});

describe('aggTrades tape', () => {
  const header = 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker';
  it('header skipped; trades as they are; 1m candles from them; a quiet minute → a flat candle at the last close', () => {
    const csv = [
      header,
      `1,100.5,0.010,1,1,${T0 + 1000},true`,
      `2,101.0,0.020,2,3,${T0 + 30_000},false`,
      `3,99.9,0.005,4,4,${T0 + 150_000},TRUE`,
    ].join('\r\n');
    const items = drain(new AggTradeTape(csv)).map(show);
    expect(items).toEqual([
      '1000 trade 100.5',
      '30000 trade 101',
      '60000 candle 100.5/101/100.5/101',
      '120000 candle 101/101/101/101',
      '150000 trade 99.9',
      '180000 candle 99.9/99.9/99.9/99.9',
    ]);
  });

  it('microsecond transact_time → milliseconds; a bad row → its line number and the field', () => {
    const [trade] = drain(new AggTradeTape(`1,100,1,1,1,${(T0 + 5) * 1000},false\n`));
    expect(trade?.time).toBe(T0 + 5);
    expect(() => drain(new AggTradeTape(`${header}\n1,100,1,1,1,${T0},maybe\n`))).toThrow(
      /aggTrades CSV line 2: bad is_buyer_maker "maybe"/,
    );
    expect(() => drain(new AggTradeTape(`1,abc,1,1,1,${T0},true\n`))).toThrow(/line 1: bad price "abc"/);
    expect(() => drain(new AggTradeTape(`1,100,1,1,1,${T0 + 10},true\n2,100,1,2,2,${T0},true\n`))).toThrow(
      /line 2: transact_time goes back/,
    );
  });

  it('prices with more than 8 decimals or in exponent form → rounded exactly like the replay CSV', () => {
    const [trade] = drain(new AggTradeTape(`1,100.123456789,1e-3,1,1,${T0},true\n`));
    expect(trade?.kind === 'trade' && [formatFixedTrimmed(trade.price), formatFixedTrimmed(trade.qty)]).toEqual([
      '100.12345679',
      '0.001',
    ]);
  });
});
