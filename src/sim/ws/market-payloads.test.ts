import { describe, expect, it } from 'vitest';
import { parseFixed } from '../../lib/fixed.ts';
import type { MarketEvent } from '../market/market-feed.ts';
import { MarketPayloads } from './market-payloads.ts';
import { aggTradeEvent, bookTickerEvent, depthEvent, klineEvent, markPriceEvent } from './stream-test-events.ts';
import { FakeMarket } from './stream-test-harness.ts';

function narrow<K extends MarketEvent['kind']>(event: MarketEvent, kind: K): Extract<MarketEvent, { kind: K }> {
  if (event.kind !== kind) throw new Error(`expected ${kind}`);
  return event as Extract<MarketEvent, { kind: K }>;
}

describe('MarketPayloads', () => {
  const market = new FakeMarket();
  const payloads = new MarketPayloads(market);

  it('aggTrade → Binance letters in order, price/qty padded to BTCUSDT precisions (2, 3)', () => {
    const event = narrow(aggTradeEvent(), 'aggTrade');
    const text = payloads.aggTrade(event.eventTime, event.trade);
    expect(Object.keys(JSON.parse(text))).toEqual(['e', 'E', 'a', 's', 'p', 'q', 'nq', 'f', 'l', 'T', 'm']);
    expect(JSON.parse(text)).toEqual({
      e: 'aggTrade',
      E: event.eventTime,
      a: 42,
      s: 'BTCUSDT',
      p: '114048.90',
      q: '0.010',
      nq: '0.010',
      f: 100,
      l: 102,
      T: event.trade.tradeTime,
      m: true,
    });
  });

  it('aggTrade on BNBUSDT → its own precisions (3, 2)', () => {
    const event = narrow(aggTradeEvent('BNBUSDT', '1012.34', '1.5'), 'aggTrade');
    expect(JSON.parse(payloads.aggTrade(event.eventTime, event.trade))).toMatchObject({ p: '1012.340', q: '1.50' });
  });

  it('bookTicker → {e,u,s,b,B,a,A,T,E} padded', () => {
    const event = narrow(bookTickerEvent(), 'bookTicker');
    const parsed = JSON.parse(payloads.bookTicker(event.ticker));
    expect(Object.keys(parsed)).toEqual(['e', 'u', 's', 'b', 'B', 'a', 'A', 'T', 'E']);
    expect(parsed).toMatchObject({ e: 'bookTicker', u: 7, b: '114048.80', B: '1.500', a: '114048.90', A: '2.000' });
  });

  it('depth diff → {e,E,T,s,U,u,pu,b,a} with [price, qty] strings, zero qty kept', () => {
    const event = narrow(depthEvent('BTCUSDT', 20), 'depthUpdate');
    const parsed = JSON.parse(payloads.depthDiff(event));
    expect(Object.keys(parsed)).toEqual(['e', 'E', 'T', 's', 'U', 'u', 'pu', 'b', 'a']);
    expect(parsed).toMatchObject({
      e: 'depthUpdate',
      U: 15,
      u: 20,
      pu: 14,
      b: [['114048.80', '1.500']],
      a: [['114049.00', '0.000']],
    });
  });

  it('partial depth → the top N levels of market.book with the diff header', () => {
    market.bids = [1, 2, 3, 4, 5, 6].map((i) => ({ price: parseFixed(String(100 - i)), qty: parseFixed('1') }));
    market.asks = [1, 2, 3, 4, 5, 6].map((i) => ({ price: parseFixed(String(100 + i)), qty: parseFixed('2') }));
    const event = narrow(depthEvent('BTCUSDT', 30), 'depthUpdate');
    const parsed = JSON.parse(payloads.partialDepth(event, 5));
    expect(parsed).toMatchObject({ e: 'depthUpdate', u: 30, pu: 24 });
    expect(parsed.b).toHaveLength(5);
    expect(parsed.b[0]).toEqual(['99.00', '1.000']);
    expect(parsed.a[4]).toEqual(['105.00', '2.000']);
  });

  it('markPrice → markPriceUpdate with 8-decimal prices and rate', () => {
    const event = narrow(markPriceEvent('3s'), 'markPrice');
    const parsed = JSON.parse(payloads.markPrice(event.state));
    expect(Object.keys(parsed)).toEqual(['e', 'E', 's', 'p', 'i', 'P', 'r', 'T']);
    expect(parsed).toMatchObject({
      e: 'markPriceUpdate',
      p: '114050.12345000',
      i: '114049.50000000',
      P: '114049.75000000',
      r: '0.00010000',
      T: event.state.nextFundingTime,
    });
  });

  it('kline → k with every field; quote volumes carry price+qty decimals', () => {
    const event = narrow(klineEvent(), 'kline');
    const parsed = JSON.parse(payloads.kline(event.eventTime, event.kline));
    expect(Object.keys(parsed)).toEqual(['e', 'E', 's', 'k']);
    expect(Object.keys(parsed.k)).toEqual([
      't',
      'T',
      's',
      'i',
      'f',
      'L',
      'o',
      'c',
      'h',
      'l',
      'v',
      'n',
      'x',
      'q',
      'V',
      'Q',
      'B',
    ]);
    expect(parsed.k).toMatchObject({
      i: '1m',
      o: '114000.00',
      h: '114100.50',
      v: '12.500',
      n: 321,
      x: false,
      q: '1425611.25000',
      V: '6.000',
      Q: '684293.40000',
      B: '0',
    });
  });
});
