import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../lib/test-clock.ts';
import { DEFAULT_MARKET_OPTIONS, SimulatedMarket } from '../../../sim/market/simulated-market.ts';
import { MarketPayloads } from '../../../sim/ws/market-payloads.ts';
import { CAPTURED_DEPTH_UPDATE, CAPTURED_KLINE, CAPTURED_TRADE } from './captured-frames.ts';
import { scanMarketFrame } from './market-frame-scanner.ts';
import { decodeWithJsonParse } from './stream-message-decoder.ts';

const RECEIVED_AT = 1_767_225_600_123;

/** Depth, bookTicker and aggTrade frames as the simulator renders them, raw and in combined wrappers. */
function simulatorFrames(ticks: number): string[] {
  const clock = new TestClock();
  const market = new SimulatedMarket({ clock, options: { ...DEFAULT_MARKET_OPTIONS, historyMinutes: 5 } });
  const payloads = new MarketPayloads(market);
  const frames: string[] = [];
  const add = (stream: string, raw: string) => frames.push(raw, `{"stream":"${stream}","data":${raw}}`);
  market.subscribe((event) => {
    if (event.kind === 'depthUpdate') add(`${event.symbol.toLowerCase()}@depth@100ms`, payloads.depthDiff(event));
    if (event.kind === 'bookTicker')
      add(`${event.ticker.symbol.toLowerCase()}@bookTicker`, payloads.bookTicker(event.ticker));
    if (event.kind === 'aggTrade') {
      add(`${event.trade.symbol.toLowerCase()}@aggTrade`, payloads.aggTrade(event.eventTime, event.trade));
    }
  });
  for (let tick = 0; tick < ticks; tick += 1) {
    clock.advance(100);
    market.tick();
  }
  return frames;
}

describe('scanMarketFrame', () => {
  const frames = simulatorFrames(200);

  it('every simulator depth, bookTicker and aggTrade frame, raw and combined → accepted, equal to the JSON.parse path', () => {
    const kinds = new Set<string>();
    for (const frame of frames) {
      const scanned = scanMarketFrame(frame, RECEIVED_AT);
      expect(scanned).toBeDefined();
      expect(scanned).toEqual(decodeWithJsonParse(frame, RECEIVED_AT));
      kinds.add(scanned?.kind === 'market' ? scanned.event.kind : String(scanned?.kind));
    }
    expect([...kinds].sort()).toEqual(['bookTicker', 'depthDiff', 'trade']);
  });

  it('the captured Binance depth frame (ps, st, zero-quantity deletes) → accepted, equal to the JSON.parse path', () => {
    const scanned = scanMarketFrame(CAPTURED_DEPTH_UPDATE, RECEIVED_AT);
    expect(scanned?.kind).toBe('depthDiff');
    expect(scanned).toEqual(decodeWithJsonParse(CAPTURED_DEPTH_UPDATE, RECEIVED_AT));
  });

  it('JSON whitespace between tokens → accepted, same result', () => {
    const spaced = JSON.stringify(JSON.parse(CAPTURED_DEPTH_UPDATE), null, 2);
    expect(scanMarketFrame(spaced, RECEIVED_AT)).toEqual(decodeWithJsonParse(CAPTURED_DEPTH_UPDATE, RECEIVED_AT));
  });

  it('other event types (kline, raw trade, user data, acks) → undefined: the general path decodes them', () => {
    for (const text of [CAPTURED_KLINE, CAPTURED_TRADE, '{"result":null,"id":1}', '{"e":"ORDER_TRADE_UPDATE","E":1}']) {
      expect(scanMarketFrame(text, RECEIVED_AT)).toBeUndefined();
    }
  });

  it('frames outside the fast subset → undefined', () => {
    const depth = '{"e":"depthUpdate","E":1,"T":1,"s":"BTCUSDT","U":1,"u":2,"pu":0,"b":[["1.0","2"]],"a":[]}';
    const ticker = '{"e":"bookTicker","u":7,"s":"BTCUSDT","b":"1.5","B":"2","a":"1.6","A":"3","T":1,"E":2}';
    expect(scanMarketFrame(depth, 0)).toBeDefined();
    expect(scanMarketFrame(ticker, 0)).toBeDefined();
    const outside = [
      depth.replace('"BTCUSDT"', '"BTC\\u0055SDT"'), // escape
      depth.replace('"E":1,', '"E":1,"E":2,'), // duplicate key
      depth.replace('["1.0","2"]', '["1.0","2","x"]'), // three-element level
      depth.replace('"s":"BTCUSDT"', '"s":"BTCUSDT","x":{"y":1}'), // nested unknown value
      depth.replace('"E":1,', '"E":1.0,'), // integer written as a fraction
      depth.replace('"pu":0,', ''), // missing field
      depth.replace('"2"]', '"-2"]'), // negative quantity
      depth.replace('"E":1,', '"E":1,"data":5,'), // would read as a wrapper
      depth.replace('{"e":"depthUpdate","E":1,', '{"E":1,"e":"depthUpdate",'), // e not first
      ticker.replace('"b":"1.5"', '"b":1.5'), // a price as a JSON number
      `{"stream":"x","data":${ticker},"extra":1}`,
      `${depth}x`,
      depth.slice(0, -1),
    ];
    for (const text of outside) expect(scanMarketFrame(text, 0)).toBeUndefined();
  });

  it('a one-character key U+7075 (same code as "pu" packed) → skipped as unknown, not read as pu', () => {
    const depth = '{"e":"depthUpdate","E":1,"T":1,"s":"X","U":1,"u":2,"\u7075":5,"pu":0,"b":[],"a":[]}';
    expect(scanMarketFrame(depth, 0)).toEqual(decodeWithJsonParse(depth, 0));
    expect(scanMarketFrame(depth, 0)).toMatchObject({ diff: { previousFinalUpdateId: 0 } });
  });

  it('any one-character edit of a real frame → undefined, or exactly what JSON.parse + readers give (property)', () => {
    const sample = [CAPTURED_DEPTH_UPDATE, ...frames.slice(0, 60)];
    const alphabet = '0123456789.,-:[]{}" \\eEuUbBaApsTmqtrl\u7075';
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sample.length - 1 }),
        fc.nat(),
        fc.constantFrom(...alphabet),
        fc.constantFrom('replace', 'insert', 'delete'),
        (which, position, character, edit) => {
          const frame = sample[which] as string;
          const at = position % frame.length;
          const edited =
            edit === 'replace'
              ? frame.slice(0, at) + character + frame.slice(at + 1)
              : edit === 'insert'
                ? frame.slice(0, at) + character + frame.slice(at)
                : frame.slice(0, at) + frame.slice(at + 1);
          const scanned = scanMarketFrame(edited, RECEIVED_AT);
          if (scanned !== undefined) expect(scanned).toEqual(decodeWithJsonParse(edited, RECEIVED_AT));
        },
      ),
      { numRuns: 30_000 },
    );
  });
});
