import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Fixed, isMultipleOf } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import { ApiError } from '../api-error.ts';
import { DEFAULT_INSTRUMENTS } from '../instruments.ts';
import type { BookSnapshot, MarketEvent, MarketFeedOptions } from './market-feed.ts';
import { DEFAULT_MARKET_OPTIONS, SimulatedMarket } from './simulated-market.ts';

type DepthUpdate = Extract<MarketEvent, { kind: 'depthUpdate' }>;

function market(options: Partial<MarketFeedOptions> = {}, clock = new TestClock()) {
  const feed = new SimulatedMarket({ clock, options: { ...DEFAULT_MARKET_OPTIONS, historyMinutes: 5, ...options } });
  const events: MarketEvent[] = [];
  feed.subscribe((event) => events.push(event));
  return { feed, clock, events };
}

function expectBookInvariants(book: BookSnapshot, levels: number): void {
  const instrument = DEFAULT_INSTRUMENTS.find((candidate) => candidate.symbol === book.symbol);
  if (instrument === undefined) throw new Error(`no instrument ${book.symbol}`);
  expect(book.bids).toHaveLength(levels);
  expect(book.asks).toHaveLength(levels);
  const onGrid = (level: { price: Fixed; qty: Fixed }) =>
    isMultipleOf(level.price, instrument.tickSize) && isMultipleOf(level.qty, instrument.stepSize) && level.qty > 0n;
  expect(book.bids.every(onGrid)).toBe(true);
  expect(book.asks.every(onGrid)).toBe(true);
  const bidsDescending = book.bids.every(
    (level, index) => index === 0 || level.price < (book.bids[index - 1]?.price ?? 0n),
  );
  const asksAscending = book.asks.every(
    (level, index) => index === 0 || level.price > (book.asks[index - 1]?.price ?? 0n),
  );
  expect(bidsDescending).toBe(true);
  expect(asksAscending).toBe(true);
  expect(book.bids[0]?.price ?? 0n).toBeLessThan(book.asks[0]?.price ?? 0n);
}

/** A local book per reference §3.3: buffer, snapshot, drop u < lastUpdateId, check U ≤ id ≤ u, then pu chain. */
class LocalBook {
  readonly bids = new Map<Fixed, Fixed>();
  readonly asks = new Map<Fixed, Fixed>();
  #lastUpdateId: number;
  #previousFinal: number | undefined;

  constructor(snapshot: BookSnapshot) {
    for (const level of snapshot.bids) this.bids.set(level.price, level.qty);
    for (const level of snapshot.asks) this.asks.set(level.price, level.qty);
    this.#lastUpdateId = snapshot.lastUpdateId;
  }

  apply(event: DepthUpdate): void {
    if (event.finalUpdateId < this.#lastUpdateId) return;
    if (this.#previousFinal === undefined) {
      if (!(event.firstUpdateId <= this.#lastUpdateId && this.#lastUpdateId <= event.finalUpdateId)) {
        throw new Error(`first event ${event.firstUpdateId}..${event.finalUpdateId} misses ${this.#lastUpdateId}`);
      }
    } else if (event.previousFinalUpdateId !== this.#previousFinal) {
      throw new Error(`gap: pu ${event.previousFinalUpdateId} ≠ previous u ${this.#previousFinal}`);
    }
    for (const [side, levels] of [
      [this.bids, event.bids],
      [this.asks, event.asks],
    ] as const) {
      for (const level of levels) {
        if (level.qty === 0n) side.delete(level.price);
        else side.set(level.price, level.qty);
      }
    }
    this.#previousFinal = event.finalUpdateId;
  }

  expectEqual(snapshot: BookSnapshot): void {
    const sorted = (side: Map<Fixed, Fixed>, descending: boolean) =>
      [...side].sort((a, b) => (a[0] < b[0] ? -1 : 1) * (descending ? -1 : 1)).map(([price, qty]) => ({ price, qty }));
    expect(sorted(this.bids, true)).toEqual(snapshot.bids);
    expect(sorted(this.asks, false)).toEqual(snapshot.asks);
  }
}

function depthEvents(events: readonly MarketEvent[], symbol: string): DepthUpdate[] {
  return events.filter((event): event is DepthUpdate => event.kind === 'depthUpdate' && event.symbol === symbol);
}

describe('SimulatedMarket determinism', () => {
  it('same seed → same events tick for tick; another seed → different prices', () => {
    const first = market({ seed: 7 });
    const second = market({ seed: 7 });
    const other = market({ seed: 8 });
    for (let tick = 0; tick < 200; tick += 1) {
      for (const run of [first, second, other]) {
        run.clock.advance(100);
        run.feed.tick();
      }
    }
    expect(first.events.length).toBeGreaterThan(1000);
    expect(second.events).toEqual(first.events);
    expect(other.feed.book('BTCUSDT', 5)).not.toEqual(first.feed.book('BTCUSDT', 5));
  });

  it('the live path of a seed does not depend on history length or book depth', () => {
    const mids = (options: Partial<MarketFeedOptions>) => {
      const { feed } = market({ seed: 3, ...options });
      return Array.from({ length: 50 }, () => {
        feed.tick();
        return feed.midPrice('ETHUSDT');
      });
    };
    expect(mids({ historyMinutes: 0, bookLevels: 20 })).toEqual(mids({ historyMinutes: 30, bookLevels: 100 }));
  });
});

describe('SimulatedMarket book', () => {
  it('many ticks → every level on the tick/step grid, sides sorted, never crossed, bookLevels deep', () => {
    const { feed, events } = market();
    for (let tick = 0; tick < 500; tick += 1) {
      feed.tick();
      for (const instrument of feed.instruments) expectBookInvariants(feed.book(instrument.symbol, 1000), 100);
    }
    for (const event of events) {
      if (event.kind !== 'aggTrade') continue;
      const instrument = feed.instrument(event.trade.symbol);
      expect(isMultipleOf(event.trade.price, instrument?.tickSize ?? 0n)).toBe(true);
      expect(isMultipleOf(event.trade.qty, instrument?.stepSize ?? 0n)).toBe(true);
    }
  });

  it('any seed, spread, depth and volatility → the invariants hold (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 0.01, noNaN: true }),
        (seed, halfSpreadTicks, bookLevels, volatility) => {
          const { feed } = market({ seed, halfSpreadTicks, bookLevels, volatility, historyMinutes: 0 });
          for (let tick = 0; tick < 40; tick += 1) {
            feed.tick();
            expectBookInvariants(feed.book('BNBUSDT', 1000), bookLevels);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('book(limit) → the top `limit` levels of the full book', () => {
    const { feed } = market();
    feed.tick();
    const full = feed.book('BTCUSDT', 1000);
    const top = feed.book('BTCUSDT', 5);
    expect(top.bids).toEqual(full.bids.slice(0, 5));
    expect(top.asks).toEqual(full.asks.slice(0, 5));
    expect(top.lastUpdateId).toBe(full.lastUpdateId);
  });

  it('depth diffs → U = previous u + 1, pu = previous u, u − previous u in 1..20', () => {
    const { feed, events } = market();
    for (let tick = 0; tick < 300; tick += 1) feed.tick();
    const diffs = depthEvents(events, 'ETHUSDT');
    expect(diffs).toHaveLength(300);
    diffs.slice(1).forEach((diff, index) => {
      const previous = diffs[index]?.finalUpdateId ?? 0;
      expect(diff.firstUpdateId).toBe(previous + 1);
      expect(diff.previousFinalUpdateId).toBe(previous);
      expect(diff.finalUpdateId - previous).toBeGreaterThanOrEqual(1);
      expect(diff.finalUpdateId - previous).toBeLessThanOrEqual(20);
    });
    expect(feed.book('ETHUSDT', 10).lastUpdateId).toBe(diffs.at(-1)?.finalUpdateId);
  });

  it('snapshot at any point + buffered diffs per §3.3 → the local book equals book(symbol, 1000) every tick', () => {
    for (const snapshotAfter of [0, 1, 37]) {
      const { feed, events } = market({ seed: 11 });
      for (let tick = 0; tick < snapshotAfter; tick += 1) feed.tick();
      const local = new LocalBook(feed.book('BTCUSDT', 1000));
      let applied = 0;
      for (let tick = 0; tick < 400; tick += 1) {
        feed.tick();
        if (tick === 200) feed.setPrice('BTCUSDT', 100_000_00000000n); // a jump far beyond the ladder
        const diffs = depthEvents(events, 'BTCUSDT');
        for (const diff of diffs.slice(applied)) local.apply(diff);
        applied = diffs.length;
        local.expectEqual(feed.book('BTCUSDT', 1000));
      }
    }
  });

  it('bookTicker events → emitted when the touch changes, carrying the current u and the best levels', () => {
    const { feed, events } = market();
    for (let tick = 0; tick < 100; tick += 1) {
      const before = events.length;
      feed.tick();
      const fresh = events.slice(before);
      const diff = depthEvents(fresh, 'BTCUSDT')[0];
      const ticker = fresh.find((event) => event.kind === 'bookTicker' && event.ticker.symbol === 'BTCUSDT');
      const book = feed.book('BTCUSDT', 1);
      const current = feed.bookTicker('BTCUSDT');
      expect(current.updateId).toBe(diff?.finalUpdateId);
      expect([current.bidPrice, current.bidQty, current.askPrice, current.askQty]).toEqual([
        book.bids[0]?.price,
        book.bids[0]?.qty,
        book.asks[0]?.price,
        book.asks[0]?.qty,
      ]);
      if (ticker?.kind === 'bookTicker') expect(ticker.ticker).toEqual(current);
    }
    expect(events.filter((event) => event.kind === 'bookTicker').length).toBeGreaterThan(100);
  });

  it('aggTrades → ids monotonic and contiguous, trade ids chained, price at the touch', () => {
    const { feed, events } = market();
    for (let tick = 0; tick < 200; tick += 1) feed.tick();
    const trades = events.flatMap((event) =>
      event.kind === 'aggTrade' && event.trade.symbol === 'BTCUSDT' ? [event.trade] : [],
    );
    expect(trades.length).toBeGreaterThan(100);
    trades.slice(1).forEach((trade, index) => {
      const previous = trades[index];
      expect(trade.aggTradeId).toBe((previous?.aggTradeId ?? 0) + 1);
      expect(trade.firstTradeId).toBe((previous?.lastTradeId ?? 0) + 1);
      expect(trade.lastTradeId).toBeGreaterThanOrEqual(trade.firstTradeId);
    });
    expect(feed.lastPrice('BTCUSDT')).toBe(trades.at(-1)?.price);
  });
});

describe('SimulatedMarket ticking', () => {
  it('start() → one tick per tickMs on the Clock; stop() → no more ticks', () => {
    const { feed, clock, events } = market({ tickMs: 250 });
    const ticked: string[] = [];
    feed.onTick((symbol) => ticked.push(symbol));
    feed.start();
    clock.advance(1000);
    expect(ticked).toEqual(Array.from({ length: 4 }, () => ['BTCUSDT', 'ETHUSDT', 'BNBUSDT']).flat());
    feed.stop();
    const count = events.length;
    clock.advance(5000);
    expect(events.length).toBe(count);
  });

  it('onTick → runs after the symbol has its new book and events', () => {
    const { feed, events } = market();
    const seen: { symbol: string; bookId: number; lastDiffId: number | undefined }[] = [];
    feed.onTick((symbol) =>
      seen.push({
        symbol,
        bookId: feed.book(symbol, 5).lastUpdateId,
        lastDiffId: depthEvents(events, symbol).at(-1)?.finalUpdateId,
      }),
    );
    feed.tick();
    expect(seen).toHaveLength(3);
    for (const entry of seen) expect(entry.bookId).toBe(entry.lastDiffId);
  });

  it('unsubscribe → no more events to that listener', () => {
    const { feed } = market();
    const received: MarketEvent[] = [];
    const unsubscribe = feed.subscribe((event) => received.push(event));
    feed.tick();
    const count = received.length;
    unsubscribe();
    feed.tick();
    expect(count).toBeGreaterThan(0);
    expect(received).toHaveLength(count);
  });

  it('unknown symbol → ApiError -1121; instrument() → undefined', () => {
    const { feed } = market();
    expect(feed.instrument('DOGEUSDT')).toBeUndefined();
    expect(() => feed.book('DOGEUSDT', 5)).toThrow(ApiError);
    expect(() => feed.markPrice('DOGEUSDT')).toThrow(expect.objectContaining({ code: -1121 }));
  });

  it('invalid options → YunminError SIM_MARKET_OPTIONS_INVALID', () => {
    for (const options of [{ tickMs: 0 }, { bookLevels: 0 }, { volatility: -1 }, { historyMinutes: 1.5 }]) {
      expect(() => market(options)).toThrow(expect.objectContaining({ code: 'SIM_MARKET_OPTIONS_INVALID' }));
    }
    expect(() => market({ replay: { symbol: 'XRPUSDT', csv: '', replayCandleMs: 1000 } })).toThrow(YunminError);
  });
});

describe('SimulatedMarket odd limits', () => {
  it('NaN or out-of-range limits → clamped results, never a crash', () => {
    const { feed } = market();
    feed.tick();
    expect(feed.book('BTCUSDT', Number.NaN).bids).toHaveLength(100);
    expect(feed.book('BTCUSDT', -3).bids).toHaveLength(0);
    expect(feed.klines('BTCUSDT', '1m', { limit: Number.NaN }).length).toBeGreaterThan(0);
    expect(feed.aggTrades('BTCUSDT', { limit: Number.NaN }).length).toBeGreaterThan(0);
    expect(feed.aggTrades('BTCUSDT', { limit: 0 })).toHaveLength(1);
  });
});
