import { describe, expect, it } from 'vitest';
import { parseFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { nextFundingTime } from './mark-price.ts';
import type { MarketEvent, MarketFeedOptions } from './market-feed.ts';
import { DEFAULT_MARKET_OPTIONS, SimulatedMarket } from './simulated-market.ts';

const START = Date.UTC(2026, 0, 1, 12, 0, 0);

function market(options: Partial<MarketFeedOptions> = {}) {
  const clock = new TestClock(START);
  const feed = new SimulatedMarket({ clock, options: { ...DEFAULT_MARKET_OPTIONS, historyMinutes: 0, ...options } });
  const events: MarketEvent[] = [];
  feed.subscribe((event) => events.push(event));
  feed.start();
  return { feed, clock, events };
}

/** Two markets on the same seed, one of which will be shocked; the other shows the undisturbed path. */
function twins() {
  return { shocked: market(), calm: market() };
}

function advanceBoth(pair: ReturnType<typeof twins>, ms: number): void {
  pair.shocked.clock.advance(ms);
  pair.calm.clock.advance(ms);
}

function ratio(a: bigint, b: bigint): number {
  return Number(a) / Number(b);
}

describe('markPrice', () => {
  it('10 s of ticking → ten 1s events and three 3s events per symbol, on the second', () => {
    const { clock, events } = market();
    clock.advance(10_000);
    const marks = events.flatMap((event) =>
      event.kind === 'markPrice' && event.state.symbol === 'BTCUSDT' ? [event] : [],
    );
    expect(marks.filter((event) => event.cadence === '1s').map((event) => event.state.eventTime - START)).toEqual([
      1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000,
    ]);
    expect(marks.filter((event) => event.cadence === '3s').map((event) => event.state.eventTime - START)).toEqual([
      3000, 6000, 9000,
    ]);
  });

  it('state → mark near the mid, index a hair below, funding 0.0001, next funding at the next 8 h mark', () => {
    const { feed, clock } = market();
    clock.advance(5000);
    const state = feed.markPrice('ETHUSDT');
    expect(Math.abs(ratio(state.markPrice, feed.midPrice('ETHUSDT')) - 1)).toBeLessThan(0.002);
    expect(state.indexPrice).toBeLessThan(state.markPrice);
    expect(ratio(state.indexPrice, state.markPrice)).toBeGreaterThan(0.9999);
    expect(state.fundingRate).toBe(parseFixed('0.0001'));
    expect(state.nextFundingTime).toBe(Date.UTC(2026, 0, 1, 16));
  });

  it('nextFundingTime → the next 00:00/08:00/16:00 UTC strictly after now', () => {
    expect(nextFundingTime(Date.UTC(2026, 0, 1, 0, 0, 0))).toBe(Date.UTC(2026, 0, 1, 8));
    expect(nextFundingTime(Date.UTC(2026, 0, 1, 7, 59, 59, 999))).toBe(Date.UTC(2026, 0, 1, 8));
    expect(nextFundingTime(Date.UTC(2026, 0, 1, 23, 30))).toBe(Date.UTC(2026, 0, 2, 0));
  });
});

describe('applyShock', () => {
  it("'market' −10 % over 1 s → book, trades, klines and mark fall 5 % by half time and 10 % at the end", () => {
    const pair = twins();
    pair.shocked.feed.applyShock({ symbol: 'BTCUSDT', move: parseFixed('-0.10'), overMs: 1000, scope: 'market' });
    advanceBoth(pair, 500);
    expect(ratio(pair.shocked.feed.midPrice('BTCUSDT'), pair.calm.feed.midPrice('BTCUSDT'))).toBeCloseTo(0.95, 4);
    advanceBoth(pair, 500);
    expect(ratio(pair.shocked.feed.midPrice('BTCUSDT'), pair.calm.feed.midPrice('BTCUSDT'))).toBeCloseTo(0.9, 4);
    expect(ratio(pair.shocked.feed.lastPrice('BTCUSDT'), pair.calm.feed.lastPrice('BTCUSDT'))).toBeCloseTo(0.9, 3);
    advanceBoth(pair, 2000);
    const shockedMark = pair.shocked.feed.markPrice('BTCUSDT').markPrice;
    expect(ratio(shockedMark, pair.calm.feed.markPrice('BTCUSDT').markPrice)).toBeCloseTo(0.9, 3);
    const [kline] = pair.shocked.feed.klines('BTCUSDT', '1m', { limit: 1 });
    expect(ratio(kline?.low ?? 0n, pair.calm.feed.klines('BTCUSDT', '1m', { limit: 1 })[0]?.low ?? 1n)).toBeLessThan(
      0.91,
    );
    // Other symbols are untouched.
    expect(pair.shocked.feed.midPrice('ETHUSDT')).toBe(pair.calm.feed.midPrice('ETHUSDT'));
  });

  it('revertAfterMs → the price returns to its path at that time', () => {
    const pair = twins();
    pair.shocked.feed.applyShock({
      symbol: 'ETHUSDT',
      move: parseFixed('-0.2'),
      overMs: 500,
      scope: 'market',
      revertAfterMs: 2000,
    });
    advanceBoth(pair, 1900);
    expect(ratio(pair.shocked.feed.midPrice('ETHUSDT'), pair.calm.feed.midPrice('ETHUSDT'))).toBeCloseTo(0.8, 3);
    advanceBoth(pair, 100);
    expect(pair.shocked.feed.midPrice('ETHUSDT')).toBe(pair.calm.feed.midPrice('ETHUSDT'));
  });

  it('cancel → the price returns to its path on the next tick', () => {
    const pair = twins();
    const cancel = pair.shocked.feed.applyShock({
      symbol: 'BNBUSDT',
      move: parseFixed('0.05'),
      overMs: 0,
      scope: 'market',
    });
    advanceBoth(pair, 1000);
    expect(ratio(pair.shocked.feed.midPrice('BNBUSDT'), pair.calm.feed.midPrice('BNBUSDT'))).toBeCloseTo(1.05, 3);
    cancel();
    advanceBoth(pair, 100);
    expect(pair.shocked.feed.midPrice('BNBUSDT')).toBe(pair.calm.feed.midPrice('BNBUSDT'));
  });

  it("'mark-price-only' → mark and index move, book and trades stay exactly on the path", () => {
    const pair = twins();
    const cancel = pair.shocked.feed.applyShock({
      symbol: 'BTCUSDT',
      move: parseFixed('-0.3'),
      overMs: 1000,
      scope: 'mark-price-only',
    });
    advanceBoth(pair, 3000);
    const shocked = pair.shocked.feed.markPrice('BTCUSDT');
    const calm = pair.calm.feed.markPrice('BTCUSDT');
    expect(ratio(shocked.markPrice, calm.markPrice)).toBeCloseTo(0.7, 6);
    expect(ratio(shocked.indexPrice, calm.indexPrice)).toBeCloseTo(0.7, 6);
    const marketData = (events: readonly MarketEvent[]) => events.filter((event) => event.kind !== 'markPrice');
    expect(marketData(pair.shocked.events)).toEqual(marketData(pair.calm.events));
    cancel();
    advanceBoth(pair, 100);
    expect(pair.shocked.feed.markPrice('BTCUSDT')).toEqual(pair.calm.feed.markPrice('BTCUSDT'));
  });

  it('bad shocks → rejected with a clear error, unknown symbol → -1121', () => {
    const { feed } = market();
    expect(() => feed.applyShock({ symbol: 'BTCUSDT', move: parseFixed('-1'), overMs: 0, scope: 'market' })).toThrow(
      /-100 %/,
    );
    expect(() => feed.applyShock({ symbol: 'BTCUSDT', move: 1n, overMs: -5, scope: 'market' })).toThrow(/overMs/);
    expect(() => feed.applyShock({ symbol: 'NOPE', move: 1n, overMs: 0, scope: 'market' })).toThrow(
      expect.objectContaining({ code: -1121 }),
    );
  });
});

describe('setPrice', () => {
  it('setPrice → the book re-quotes around the new price at once, with a depth diff, and the walk goes on from there', () => {
    const { feed, clock, events } = market();
    clock.advance(1000);
    const before = events.length;
    feed.setPrice('BTCUSDT', parseFixed('90000'));
    expect(feed.midPrice('BTCUSDT')).toBe(parseFixed('90000'));
    expect(events.slice(before).some((event) => event.kind === 'depthUpdate' && event.symbol === 'BTCUSDT')).toBe(true);
    clock.advance(1000);
    expect(Math.abs(ratio(feed.midPrice('BTCUSDT'), parseFixed('90000')) - 1)).toBeLessThan(0.01);
    expect(() => feed.setPrice('BTCUSDT', 0n)).toThrow(/above 0/);
  });
});
