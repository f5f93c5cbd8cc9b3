import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { PriceLevel } from '../../../domain/market-event.ts';
import { parseFixed } from '../../../lib/fixed.ts';
import { TestClock } from '../../../lib/test-clock.ts';
import { DEFAULT_MARKET_OPTIONS, SimulatedMarket } from '../../../sim/market/simulated-market.ts';
import { type RunningSimulator, startSimulator } from '../../../sim/simulator.ts';
import { MarketPayloads } from '../../../sim/ws/market-payloads.ts';
import { CAPTURED_DEPTH_SNAPSHOT, CAPTURED_DEPTH_UPDATE } from './captured-frames.ts';
import { DepthBook } from './depth-book.ts';
import { decodeDepthSnapshot } from './depth-snapshot-decoder.ts';
import { type DepthDiff, decodeStreamMessage } from './stream-message-decoder.ts';

const SYMBOL = 'BTCUSDT';

function level(price: string, qty: string): PriceLevel {
  return { price: parseFixed(price), qty: parseFixed(qty) };
}

function diff(
  firstUpdateId: number,
  finalUpdateId: number,
  previousFinalUpdateId: number,
  changes: Partial<Pick<DepthDiff, 'bids' | 'asks'>> = {},
): DepthDiff {
  return {
    symbol: SYMBOL,
    eventTime: 1,
    transactionTime: 1,
    firstUpdateId,
    finalUpdateId,
    previousFinalUpdateId,
    bids: changes.bids ?? [],
    asks: changes.asks ?? [],
  };
}

function decodeDiff(text: string): DepthDiff {
  const decoded = decodeStreamMessage(text, 0);
  if (decoded.kind !== 'depthDiff') throw new Error(`expected a depth diff, got ${JSON.stringify(decoded)}`);
  return decoded.diff;
}

/** A simulated market with its snapshot taken before the first tick and the diff frames it renders. */
function simulatedMarket() {
  const clock = new TestClock();
  const market = new SimulatedMarket({ clock, options: { ...DEFAULT_MARKET_OPTIONS, historyMinutes: 5 } });
  const payloads = new MarketPayloads(market);
  const frames: string[] = [];
  market.subscribe((event) => {
    if (event.kind === 'depthUpdate' && event.symbol === SYMBOL) frames.push(payloads.depthDiff(event));
  });
  const tick = (count: number) => {
    for (let index = 0; index < count; index += 1) {
      clock.advance(100);
      market.tick();
    }
  };
  return { market, frames, tick };
}

function plain(levels: readonly PriceLevel[]) {
  return levels.map(({ price, qty }) => ({ price, qty }));
}

describe('DepthBook: Binance USD-M rules on hand-made diffs', () => {
  const snapshot = {
    lastUpdateId: 100,
    bids: [level('99', '1'), level('100', '2')],
    asks: [level('102', '1'), level('101', '3')],
  };

  it('before any snapshot → awaiting-snapshot, nothing applied', () => {
    const book = new DepthBook(SYMBOL);
    expect(book.apply(diff(90, 110, 89, { bids: [level('100', '5')] }))).toBe('awaiting-snapshot');
    expect(book.top(5)).toEqual({ bids: [], asks: [] });
    expect(book.isSynced).toBe(false);
  });

  it('snapshot in any order → top() best first: bids descending, asks ascending', () => {
    const book = new DepthBook(SYMBOL);
    book.loadSnapshot(snapshot);
    expect(book.top(5)).toEqual({
      bids: [level('100', '2'), level('99', '1')],
      asks: [level('101', '3'), level('102', '1')],
    });
    expect(book.top(1)).toEqual({ bids: [level('100', '2')], asks: [level('101', '3')] });
    expect(book.lastUpdateId).toBe(100);
  });

  it('u < lastUpdateId → stale, dropped; then U ≤ lastUpdateId ≤ u → applied and synced', () => {
    const book = new DepthBook(SYMBOL);
    book.loadSnapshot(snapshot);
    expect(book.apply(diff(80, 99, 79, { bids: [level('100', '9')] }))).toBe('stale');
    expect(book.isSynced).toBe(false);
    expect(book.apply(diff(95, 105, 94, { bids: [level('100', '7')] }))).toBe('applied');
    expect(book.isSynced).toBe(true);
    expect(book.lastUpdateId).toBe(105);
    expect(book.top(1).bids).toEqual([level('100', '7')]);
  });

  it('first diff starting after the snapshot (U > lastUpdateId) → gap, book cleared', () => {
    const book = new DepthBook(SYMBOL);
    book.loadSnapshot(snapshot);
    expect(book.apply(diff(102, 110, 101))).toBe('gap');
    expect(book.isSynced).toBe(false);
    expect(book.top(5)).toEqual({ bids: [], asks: [] });
    expect(book.apply(diff(111, 112, 110))).toBe('awaiting-snapshot');
  });

  it('pu ≠ previous u → gap; a replay of an applied diff → stale', () => {
    const book = new DepthBook(SYMBOL);
    book.loadSnapshot(snapshot);
    expect(book.apply(diff(95, 105, 94))).toBe('applied');
    expect(book.apply(diff(95, 105, 94))).toBe('stale');
    expect(book.apply(diff(106, 108, 105))).toBe('applied');
    expect(book.apply(diff(112, 115, 111))).toBe('gap');
    expect(book.lastUpdateId).toBe(0);
  });

  it('quantities are absolute and 0 deletes; a new price is inserted in order; deleting an absent level is a no-op', () => {
    const book = new DepthBook(SYMBOL);
    book.loadSnapshot(snapshot);
    const changes = {
      bids: [level('98.5', '4'), level('99', '0'), level('99.5', '1'), level('100', '0.5')],
      asks: [level('101', '0'), level('101.5', '2'), level('103', '0')],
    };
    expect(book.apply(diff(100, 101, 99, changes))).toBe('applied');
    expect(book.top(10)).toEqual({
      bids: [level('100', '0.5'), level('99.5', '1'), level('98.5', '4')],
      asks: [level('101.5', '2'), level('102', '1')],
    });
  });

  it('reset → awaiting-snapshot again', () => {
    const book = new DepthBook(SYMBOL);
    book.loadSnapshot(snapshot);
    book.reset();
    expect(book.apply(diff(95, 105, 94))).toBe('awaiting-snapshot');
  });

  it('captured Binance snapshot + the frame that bridges it (fixture watchOrderBook) → applied', () => {
    const decoded = decodeDepthSnapshot(JSON.parse(CAPTURED_DEPTH_SNAPSHOT));
    if (!decoded.ok) throw new Error(decoded.reason);
    const book = new DepthBook(SYMBOL);
    book.loadSnapshot(decoded.snapshot);
    expect(book.apply(decodeDiff(CAPTURED_DEPTH_UPDATE))).toBe('applied');
    expect(book.lastUpdateId).toBe(11_270_657_314_522);
    // The frame re-sends the touch: best bid 63921.70 × 29.840, best ask 63921.80 × 5.333.
    expect(book.top(1)).toEqual({ bids: [level('63921.70', '29.840')], asks: [level('63921.80', '5.333')] });
  });
});

describe('DepthBook: the simulator’s real diff stream', () => {
  it('snapshot + every diff → the simulator’s own book, level for level', () => {
    const { market, frames, tick } = simulatedMarket();
    const book = new DepthBook(SYMBOL);
    book.loadSnapshot(market.book(SYMBOL, 1000));
    tick(500);
    expect(frames.length).toBeGreaterThan(100);
    for (const frame of frames) expect(book.apply(decodeDiff(frame))).toBe('applied');
    const truth = market.book(SYMBOL, 1000);
    expect(book.lastUpdateId).toBe(truth.lastUpdateId);
    expect(book.top(1000)).toEqual({ bids: plain(truth.bids), asks: plain(truth.asks) });
  });

  it('diffs buffered before the snapshot → the older ones stale, the rest applied, book correct', () => {
    const { market, frames, tick } = simulatedMarket();
    tick(30);
    const snapshot = market.book(SYMBOL, 1000);
    tick(30);
    const book = new DepthBook(SYMBOL);
    const results = frames.map((frame) => book.apply(decodeDiff(frame)));
    expect(new Set(results)).toEqual(new Set(['awaiting-snapshot']));
    book.loadSnapshot(snapshot);
    const replayed = frames.map((frame) => book.apply(decodeDiff(frame)));
    expect(replayed.filter((result) => result === 'stale').length).toBeGreaterThan(0);
    expect(replayed.filter((result) => result === 'gap')).toEqual([]);
    const truth = market.book(SYMBOL, 1000);
    expect(book.top(1000)).toEqual({ bids: plain(truth.bids), asks: plain(truth.asks) });
  });

  it('one diff dropped → gap at the next; a new snapshot + the diffs after it → in sync again', () => {
    const { market, frames, tick } = simulatedMarket();
    const book = new DepthBook(SYMBOL);
    book.loadSnapshot(market.book(SYMBOL, 1000));
    tick(40);
    const seen = frames.length;
    const dropped = 20;
    for (const frame of frames.slice(0, dropped)) expect(book.apply(decodeDiff(frame))).toBe('applied');
    expect(book.apply(decodeDiff(frames[dropped + 1] as string))).toBe('gap');
    expect(book.isSynced).toBe(false);
    // Resync as the caller does: keep the diffs from the gap on, fetch a new snapshot, replay them.
    const buffered = frames.slice(dropped + 1, seen);
    const resnapshot = market.book(SYMBOL, 1000);
    tick(20);
    book.loadSnapshot(resnapshot);
    const results = [...buffered, ...frames.slice(seen)].map((frame) => book.apply(decodeDiff(frame)));
    expect(results).not.toContain('gap');
    expect(results.filter((result) => result === 'stale')).toHaveLength(buffered.length - 1);
    expect(book.isSynced).toBe(true);
    const truth = market.book(SYMBOL, 1000);
    expect(book.top(1000)).toEqual({ bids: plain(truth.bids), asks: plain(truth.asks) });
  });
});

describe('DepthBook over loopback: simulator WebSocket diffs vs a later REST snapshot', () => {
  let sim: RunningSimulator | undefined;
  let socket: WebSocket | undefined;

  afterEach(async () => {
    socket?.terminate();
    await sim?.stop();
  });

  it('buffer diffs, GET /fapi/v1/depth, apply → equals GET /fapi/v1/depth taken after 200 more ticks', async () => {
    sim = await startSimulator({ port: 0, seed: 11, manualTicks: true, market: { historyMinutes: 5 } });
    const running = sim;
    const book = new DepthBook(SYMBOL);
    const buffer: DepthDiff[] = [];
    socket = new WebSocket(`${running.urls.ws}/public/ws/btcusdt@depth@100ms`);
    socket.on('message', (data: WebSocket.RawData) => {
      const decoded = decodeStreamMessage(data.toString(), 0);
      if (decoded.kind !== 'depthDiff') return;
      if (book.apply(decoded.diff) === 'awaiting-snapshot') buffer.push(decoded.diff);
    });
    await once(socket, 'open');
    const fetchSnapshot = async () => {
      const response = await fetch(`${running.urls.rest}/fapi/v1/depth?symbol=${SYMBOL}&limit=1000`);
      const decoded = decodeDepthSnapshot(await response.json());
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.snapshot;
    };
    const tick = async (count: number) => {
      for (let index = 0; index < count; index += 1) {
        running.market.tick();
        if (index % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const settle = async (lastUpdateId: number) => {
      const deadline = Date.now() + 5_000;
      while (book.lastUpdateId !== lastUpdateId && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };

    await tick(20);
    const first = await fetchSnapshot();
    // Diffs that were in flight when the snapshot was taken still land in the buffer.
    await new Promise((resolve) => setTimeout(resolve, 50));
    book.loadSnapshot(first);
    const replayed = buffer.splice(0).map((diff) => book.apply(diff));
    expect(replayed).not.toContain('gap');
    await tick(200);
    const later = await fetchSnapshot();
    await settle(later.lastUpdateId);
    expect(book.isSynced).toBe(true);
    expect(book.lastUpdateId).toBe(later.lastUpdateId);
    expect(book.top(1000)).toEqual({ bids: plain(later.bids), asks: plain(later.asks) });
  });
});
