import { describe, expect, it } from 'vitest';
import { maxFixed, minFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import type { AggTrade, Kline, MarketEvent, MarketFeedOptions } from './market-feed.ts';
import { DEFAULT_MARKET_OPTIONS, SimulatedMarket } from './simulated-market.ts';

const START = Date.UTC(2026, 0, 1, 12, 0, 0);

function market(options: Partial<MarketFeedOptions> = {}, startMs = START) {
  const clock = new TestClock(startMs);
  const feed = new SimulatedMarket({ clock, options: { ...DEFAULT_MARKET_OPTIONS, ...options } });
  const events: MarketEvent[] = [];
  feed.subscribe((event) => events.push(event));
  return { feed, clock, events };
}

function tradesOf(events: readonly MarketEvent[], symbol: string): AggTrade[] {
  return events.flatMap((event) => (event.kind === 'aggTrade' && event.trade.symbol === symbol ? [event.trade] : []));
}

function klineEvents(events: readonly MarketEvent[], symbol: string): { eventTime: number; kline: Kline }[] {
  return events.flatMap((event) => (event.kind === 'kline' && event.kline.symbol === symbol ? [event] : []));
}

describe('kline history', () => {
  it('construction → historyMinutes closed 1m candles plus the open one, contiguous, ending at the live price', () => {
    const { feed } = market({ historyMinutes: 500 });
    const klines = feed.klines('BTCUSDT', '1m', { limit: 1500 });
    expect(klines).toHaveLength(501);
    expect(klines[0]?.openTime).toBe(START - 500 * 60_000);
    klines.forEach((kline, index) => {
      expect(kline.openTime).toBe(START - 500 * 60_000 + index * 60_000);
      expect(kline.closeTime).toBe(kline.openTime + 60_000 - 1);
      expect(kline.closed).toBe(index < 500);
      expect(kline.high).toBeGreaterThanOrEqual(maxFixed(kline.open, kline.close));
      expect(kline.low).toBeLessThanOrEqual(minFixed(kline.open, kline.close));
    });
    const lastClosed = klines[499];
    const mid = feed.midPrice('BTCUSDT');
    // The history walk ends where the live path starts: the last close is one walk step (σ ≈ 0.06 %
    // per second at the defaults) from the mid, while the walk spans several percent over 500 minutes.
    const gap = Number((lastClosed?.close ?? 0n) - mid) / Number(mid);
    expect(Math.abs(gap)).toBeLessThan(0.003);
  });

  it('live ticks → the 1m candle matches the trades: first/max/min/last price, Σ qty, trade counts', () => {
    const { feed, clock, events } = market({ historyMinutes: 0 });
    feed.start();
    clock.advance(3 * 60_000 + 30_000);
    for (const kline of feed.klines('ETHUSDT', '1m', { limit: 10 })) {
      const trades = tradesOf(events, 'ETHUSDT').filter(
        (trade) => trade.tradeTime >= kline.openTime && trade.tradeTime <= kline.closeTime,
      );
      expect(trades.length).toBeGreaterThan(100);
      expect(kline.open).toBe(trades[0]?.price);
      expect(kline.close).toBe(trades.at(-1)?.price);
      expect(kline.high).toBe(trades.map((trade) => trade.price).reduce(maxFixed));
      expect(kline.low).toBe(trades.map((trade) => trade.price).reduce(minFixed));
      expect(kline.volume).toBe(trades.reduce((sum, trade) => sum + trade.qty, 0n));
      expect(kline.takerBuyVolume).toBe(
        trades.filter((trade) => !trade.buyerIsMaker).reduce((sum, trade) => sum + trade.qty, 0n),
      );
      expect(kline.firstTradeId).toBe(trades[0]?.firstTradeId);
      expect(kline.lastTradeId).toBe(trades.at(-1)?.lastTradeId);
      expect(kline.trades).toBe(kline.lastTradeId - kline.firstTradeId + 1);
    }
  });

  it('kline events → at most one per 250 ms per symbol, and one closed=true with the final values when the minute rolls', () => {
    const { feed, clock, events } = market({ historyMinutes: 0 });
    feed.start();
    clock.advance(2 * 60_000 + 1000);
    const pushed = klineEvents(events, 'BTCUSDT');
    const open = pushed.filter((event) => !event.kline.closed);
    open.slice(1).forEach((event, index) => {
      expect(event.eventTime - (open[index]?.eventTime ?? 0)).toBeGreaterThanOrEqual(250);
    });
    const closed = pushed.filter((event) => event.kline.closed);
    expect(closed.map((event) => event.kline.openTime)).toEqual([START, START + 60_000]);
    const history = feed.klines('BTCUSDT', '1m', { startTime: START, limit: 2 });
    expect(closed.map((event) => event.kline)).toEqual(history);
  });

  it('other intervals → aggregated from 1m: open first, close last, high max, low min, volumes summed', () => {
    const { feed } = market({ historyMinutes: 600 });
    const minutes = feed.klines('BNBUSDT', '1m', { limit: 1500 });
    for (const [interval, size] of [
      ['5m', 5],
      ['1h', 60],
    ] as const) {
      const aggregated = feed.klines('BNBUSDT', interval, { limit: 1500 });
      expect(aggregated.length).toBeGreaterThan(5);
      for (const kline of aggregated) {
        const parts = minutes.filter((part) => part.openTime >= kline.openTime && part.openTime <= kline.closeTime);
        expect(kline.openTime % (size * 60_000)).toBe(0);
        expect(kline.closeTime).toBe(kline.openTime + size * 60_000 - 1);
        expect(kline.open).toBe(parts[0]?.open);
        expect(kline.close).toBe(parts.at(-1)?.close);
        expect(kline.high).toBe(parts.map((part) => part.high).reduce(maxFixed));
        expect(kline.low).toBe(parts.map((part) => part.low).reduce(minFixed));
        expect(kline.volume).toBe(parts.reduce((sum, part) => sum + part.volume, 0n));
        expect(kline.trades).toBe(parts.reduce((sum, part) => sum + part.trades, 0));
        expect(kline.closed).toBe(parts.every((part) => part.closed));
      }
    }
  });

  it('startTime/endTime/limit → Binance semantics', () => {
    const { feed } = market({ historyMinutes: 100 });
    const all = feed.klines('BTCUSDT', '1m', { limit: 1500 });
    expect(feed.klines('BTCUSDT', '1m', { limit: 3 })).toEqual(all.slice(-3));
    // startTime reads forwards from the first candle opening at or after it.
    expect(feed.klines('BTCUSDT', '1m', { startTime: START - 50 * 60_000 + 1, limit: 2 })).toEqual(
      all.filter((kline) => kline.openTime >= START - 49 * 60_000).slice(0, 2),
    );
    // endTime alone reads the newest candles opening at or before it.
    expect(feed.klines('BTCUSDT', '1m', { endTime: START - 10 * 60_000, limit: 2 }).map((k) => k.openTime)).toEqual([
      START - 11 * 60_000,
      START - 10 * 60_000,
    ]);
    expect(
      feed.klines('BTCUSDT', '1m', { startTime: START - 5 * 60_000, endTime: START - 3 * 60_000, limit: 500 }),
    ).toHaveLength(3);
    expect(feed.klines('BTCUSDT', '1m', { startTime: START + 3_600_000, limit: 500 })).toEqual([]);
    expect(feed.klines('BTCUSDT', '1m', { limit: 5000 })).toHaveLength(101); // clamped to 1500, only 101 exist
  });
});

describe('aggTrade history', () => {
  it('construction → recent trades exist, ids contiguous, bounded to 10 000', () => {
    const { feed } = market({ historyMinutes: 500 });
    const recent = feed.aggTrades('BTCUSDT', { limit: 1000 });
    expect(recent).toHaveLength(1000);
    recent.slice(1).forEach((trade, index) => {
      expect(trade.aggTradeId).toBe((recent[index]?.aggTradeId ?? 0) + 1);
    });
    const newest = recent.at(-1)?.aggTradeId ?? 0;
    expect(feed.aggTrades('BTCUSDT', { fromId: newest - 20_000, limit: 1 })[0]?.aggTradeId).toBe(newest - 9_999);
    expect(recent.at(-1)?.tradeTime).toBeLessThan(START);
  });

  it('fromId / startTime / endTime / limit → Binance semantics', () => {
    const { feed, clock } = market({ historyMinutes: 10 });
    feed.start();
    clock.advance(10_000);
    const all = feed.aggTrades('ETHUSDT', { limit: 1000 });
    const pivot = all[500];
    if (pivot === undefined) throw new Error('not enough trades');
    expect(feed.aggTrades('ETHUSDT', { fromId: pivot.aggTradeId, limit: 3 })).toEqual(all.slice(500, 503));
    const fromTime = feed.aggTrades('ETHUSDT', { startTime: pivot.tradeTime, limit: 1000 });
    expect(fromTime[0]?.tradeTime).toBe(pivot.tradeTime);
    expect(fromTime.every((trade) => trade.tradeTime >= pivot.tradeTime)).toBe(true);
    const untilTime = feed.aggTrades('ETHUSDT', { endTime: pivot.tradeTime, limit: 5 });
    expect(untilTime).toHaveLength(5);
    expect(untilTime.every((trade) => trade.tradeTime <= pivot.tradeTime)).toBe(true);
    expect(untilTime.at(-1)?.aggTradeId).toBe(
      all.filter((trade) => trade.tradeTime <= pivot.tradeTime).at(-1)?.aggTradeId,
    );
    expect(feed.aggTrades('ETHUSDT', { limit: 5000 })).toHaveLength(1000);
  });
});
