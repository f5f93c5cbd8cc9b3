import { beforeEach, describe, expect, it } from 'vitest';
import type { PriceLevel } from '../../../domain/market-event.ts';
import { parseFixed } from '../../../lib/fixed.ts';
import { TestClock } from '../../../lib/test-clock.ts';
import type { DepthDiff } from '../wire/stream-message-decoder.ts';
import { type BookEvent, DepthBookSync, type DepthSnapshot } from './depth-book-sync.ts';

const level = (price: string, qty: string): PriceLevel => ({ price: parseFixed(price), qty: parseFixed(qty) });

/** A diff U..u chained to `pu` that sets one bid level. */
function diff(first: number, final: number, previous: number, bid: PriceLevel = level('100', '1')): DepthDiff {
  return {
    symbol: 'BTCUSDT',
    eventTime: 1_000 + final,
    transactionTime: 999 + final,
    firstUpdateId: first,
    finalUpdateId: final,
    previousFinalUpdateId: previous,
    bids: [bid],
    asks: [],
  };
}

const SNAPSHOT: DepthSnapshot = {
  lastUpdateId: 15,
  bids: [level('100', '2'), level('99', '3')],
  asks: [level('101', '4')],
};

let clock: TestClock;
let books: BookEvent[];
let resyncs: string[];
let snapshotRequests: { resolve: (snapshot: DepthSnapshot) => void; reject: (error: Error) => void }[];
let sync: DepthBookSync;

beforeEach(() => {
  clock = new TestClock();
  books = [];
  resyncs = [];
  snapshotRequests = [];
  sync = new DepthBookSync({
    symbol: 'BTCUSDT',
    depth: 2,
    clock,
    fetchSnapshot: () => new Promise((resolve, reject) => snapshotRequests.push({ resolve, reject })),
    onBook: (event) => books.push(event),
    onResynced: (reason) => resyncs.push(reason),
    retryInitialMs: 250,
    retryMaxMs: 1_000,
    maxBufferedDiffs: 100,
  });
});

const flush = async () => {
  for (let round = 0; round < 5; round++) await Promise.resolve();
};

async function answerSnapshot(snapshot: DepthSnapshot = SNAPSHOT) {
  const request = snapshotRequests.at(-1);
  if (request === undefined) throw new Error('no snapshot was requested');
  request.resolve(snapshot);
  await flush();
}

describe('DepthBookSync (reference §3.3 local book)', () => {
  it('diffs before the snapshot → buffered; one snapshot request; replay bridges and emits the book once', async () => {
    sync.accept(diff(10, 12, 9));
    sync.accept(diff(13, 16, 12, level('98', '5')));
    expect(snapshotRequests).toHaveLength(1);
    expect(books).toEqual([]);
    await answerSnapshot();
    expect(books).toHaveLength(1);
    expect(books[0]).toMatchObject({ kind: 'book', symbol: 'BTCUSDT', lastUpdateId: 16, eventTime: 1_016 });
    expect(books[0]?.bids).toEqual([level('100', '2'), level('99', '3')]);
    expect(sync.isSynced).toBe(true);
    sync.accept(diff(17, 18, 16, level('100.5', '1')));
    expect(books.at(-1)?.bids).toEqual([level('100.5', '1'), level('100', '2')]);
    expect(resyncs).toEqual([]);
  });

  it('pu ≠ previous u → book reset, snapshot refetched, bookResynced once the new book bridges', async () => {
    sync.accept(diff(13, 16, 12));
    await answerSnapshot();
    sync.accept(diff(20, 22, 19)); // 17..19 lost
    expect(sync.isSynced).toBe(false);
    expect(snapshotRequests).toHaveLength(2);
    await answerSnapshot({ lastUpdateId: 21, bids: [level('90', '1')], asks: [level('91', '1')] });
    expect(books.at(-1)).toMatchObject({ lastUpdateId: 22 });
    expect(books.at(-1)?.bids).toEqual([level('100', '1'), level('90', '1')]);
    expect(resyncs).toEqual(['gap: diff U=20 u=22 pu=19 after book u=16']);
  });

  it('snapshot older than the buffered diffs (U > lastUpdateId) → asked again after a backoff', async () => {
    sync.accept(diff(20, 22, 19));
    await answerSnapshot({ ...SNAPSHOT, lastUpdateId: 15 });
    expect(books).toEqual([]);
    expect(snapshotRequests).toHaveLength(1);
    clock.advance(250);
    expect(snapshotRequests).toHaveLength(2);
    await answerSnapshot({ ...SNAPSHOT, lastUpdateId: 21 });
    expect(books.at(-1)).toMatchObject({ lastUpdateId: 22 });
  });

  it('snapshot request fails → retried with a doubling, capped delay; diffs keep buffering', async () => {
    sync.accept(diff(13, 16, 12));
    snapshotRequests.at(-1)?.reject(new Error('503'));
    await flush();
    clock.advance(250);
    snapshotRequests.at(-1)?.reject(new Error('503'));
    await flush();
    clock.advance(499);
    expect(snapshotRequests).toHaveLength(2);
    clock.advance(1);
    expect(snapshotRequests).toHaveLength(3);
    sync.accept(diff(17, 18, 16));
    await answerSnapshot();
    expect(books.at(-1)).toMatchObject({ lastUpdateId: 18 });
  });

  it('stop → nothing more is emitted, no timer left', async () => {
    sync.accept(diff(20, 22, 19));
    await answerSnapshot();
    sync.stop();
    clock.advance(10_000);
    expect(snapshotRequests).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
