import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FillReport } from '../../domain/order.ts';
import { type LocalOrderState, ORDER_TRANSITIONS, TERMINAL_ORDER_STATES } from '../../domain/order-transitions.ts';
import type { TrackedOrder } from '../../domain/tracked-order.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { SqliteStore } from './sqlite-store.ts';

const EXTREME = 12_345_678_901_234_567_890_123_456n; // 19 whole digits and 8 decimals

function fullOrder(overrides: Partial<TrackedOrder> = {}): TrackedOrder {
  return {
    clientOrderId: 'ym-full-1',
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: 1n, // 0.00000001: the smallest unit must survive
    price: 4_318_710_000_001n,
    timeInForce: 'GTX',
    reduceOnly: true,
    state: 'PARTIALLY_FILLED',
    venueOrderId: 9_007_199_254_740_991,
    executedQty: EXTREME,
    avgPrice: 4_318_700_000_000n,
    purpose: 'strategy ema-cross',
    createdAt: 1_767_225_600_000,
    updatedAt: 1_767_225_600_123,
    lastError: '-2010 Order would immediately match',
    ...overrides,
  };
}

function minimalOrder(clientOrderId: string, state: LocalOrderState, createdAt = 1_000): TrackedOrder {
  return {
    clientOrderId,
    symbol: 'ETHUSDT',
    side: 'SELL',
    type: 'MARKET',
    quantity: 50_000_000n,
    reduceOnly: false,
    state,
    executedQty: 0n,
    purpose: 'kill-switch',
    createdAt,
    updatedAt: createdAt,
  };
}

function fill(tradeId: number, overrides: Partial<FillReport> = {}): FillReport {
  return {
    symbol: 'BTCUSDT',
    tradeId,
    orderId: 7_001,
    clientOrderId: 'ym-full-1',
    side: 'SELL',
    price: 4_318_710_000_001n,
    qty: 100_000n,
    commission: 1n,
    commissionAsset: 'USDT',
    realizedPnl: -123_456_789n,
    maker: true,
    time: 1_767_225_600_500 + tradeId,
    ...overrides,
  };
}

let directory: string;
let clock: TestClock;
const opened: SqliteStore[] = [];

function openStore(path = join(directory, 'state', 'yunmin.sqlite')): SqliteStore {
  const store = SqliteStore.open({ path, clock });
  opened.push(store);
  return store;
}

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'yunmin-store-'));
  clock = new TestClock();
});

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('SqliteStore orders', () => {
  it('order with every optional field → reads back identical, to the 1e-8 unit', () => {
    const store = openStore();
    store.saveOrder(fullOrder());
    expect(store.getOrder('ym-full-1')).toStrictEqual(fullOrder());
  });

  it('order without optional fields → optionals come back absent, not undefined', () => {
    const store = openStore();
    store.saveOrder(minimalOrder('ym-min', 'PENDING_SUBMIT'));
    const read = store.getOrder('ym-min');
    expect(read).toStrictEqual(minimalOrder('ym-min', 'PENDING_SUBMIT'));
    for (const field of ['price', 'timeInForce', 'venueOrderId', 'avgPrice', 'lastError']) {
      expect(Object.hasOwn(read ?? {}, field)).toBe(false);
    }
  });

  it('saving the same client order id again → the row is replaced, optionals cleared', () => {
    const store = openStore();
    store.saveOrder(fullOrder());
    const { price: _p, avgPrice: _a, lastError: _l, ...rest } = fullOrder({ state: 'FILLED', executedQty: 1n });
    store.saveOrder(rest);
    expect(store.getOrder('ym-full-1')).toStrictEqual(rest);
    expect(store.recentOrders(10)).toHaveLength(1);
  });

  it('unknown client order id → undefined', () => {
    expect(openStore().getOrder('nope')).toBeUndefined();
  });

  it('one order per state → activeOrders returns exactly the non-terminal ones, oldest first', () => {
    const store = openStore();
    const states = Object.keys(ORDER_TRANSITIONS) as LocalOrderState[];
    states.forEach((state, index) => {
      store.saveOrder(minimalOrder(`ym-${state}`, state, 10_000 - index));
    });
    const active = store.activeOrders();
    const expected = states.filter((state) => !TERMINAL_ORDER_STATES.has(state)).reverse();
    expect(active.map((order) => order.state)).toEqual(expected);
    expect(expected).toEqual(
      expect.arrayContaining(['PENDING_SUBMIT', 'SUBMITTED', 'UNKNOWN', 'OPEN', 'PARTIALLY_FILLED', 'PENDING_CANCEL']),
    );
    expect(expected).toHaveLength(6);
  });

  it('recentOrders(n) → the n most recently updated, newest first', () => {
    const store = openStore();
    for (let index = 0; index < 5; index += 1) {
      store.saveOrder({ ...minimalOrder(`ym-${index}`, 'OPEN'), updatedAt: 1_000 + ((index * 3) % 5) });
    }
    // updatedAt: ym-0 1000, ym-1 1003, ym-2 1001, ym-3 1004, ym-4 1002
    expect(store.recentOrders(3).map((order) => order.clientOrderId)).toEqual(['ym-3', 'ym-1', 'ym-4']);
    expect(store.recentOrders(0)).toEqual([]);
    expect(() => store.recentOrders(-1)).toThrow(RangeError);
  });
});

describe('SqliteStore fills', () => {
  it('a fill recorded twice → true then false, one row, exact values', () => {
    const store = openStore();
    expect(store.recordFill(fill(101))).toBe(true);
    expect(store.recordFill(fill(101, { qty: 999n }))).toBe(false);
    expect(store.fills('BTCUSDT')).toStrictEqual([fill(101)]);
  });

  it('same trade id on another symbol → a different fill', () => {
    const store = openStore();
    expect(store.recordFill(fill(5))).toBe(true);
    expect(store.recordFill(fill(5, { symbol: 'ETHUSDT' }))).toBe(true);
    expect(store.fills('BTCUSDT')).toHaveLength(1);
    expect(store.fills('ETHUSDT')).toHaveLength(1);
  });

  it('fill without client order id → comes back without the property', () => {
    const store = openStore();
    const { clientOrderId: _omit, ...anonymous } = fill(7, { maker: false, realizedPnl: EXTREME });
    store.recordFill(anonymous);
    const [read] = store.fills('BTCUSDT');
    expect(read).toStrictEqual(anonymous);
    expect(Object.hasOwn(read ?? {}, 'clientOrderId')).toBe(false);
  });

  it('fills with a limit → the last n by trade id, oldest first; lastTradeId is the highest', () => {
    const store = openStore();
    for (const tradeId of [30, 10, 50, 20, 40]) store.recordFill(fill(tradeId));
    expect(store.fills('BTCUSDT', { limit: 2 }).map((f) => f.tradeId)).toEqual([40, 50]);
    expect(store.fills('BTCUSDT').map((f) => f.tradeId)).toEqual([10, 20, 30, 40, 50]);
    expect(store.lastTradeId('BTCUSDT')).toBe(50);
    expect(store.lastTradeId('ETHUSDT')).toBeUndefined();
  });
});

describe('SqliteStore positions and state records', () => {
  it('positions → upserted by symbol, exact, sorted by symbol', () => {
    const store = openStore();
    store.savePosition({ symbol: 'ETHUSDT', amount: -1n, entryPrice: EXTREME, realizedPnl: -EXTREME });
    store.savePosition({ symbol: 'BTCUSDT', amount: 100n, entryPrice: 1n, realizedPnl: 0n });
    store.savePosition({ symbol: 'BTCUSDT', amount: 0n, entryPrice: 0n, realizedPnl: 5n });
    expect(store.positions()).toStrictEqual([
      { symbol: 'BTCUSDT', amount: 0n, entryPrice: 0n, realizedPnl: 5n },
      { symbol: 'ETHUSDT', amount: -1n, entryPrice: EXTREME, realizedPnl: -EXTREME },
    ]);
  });

  it('trading state, equity baseline and values → undefined until set, then exact', () => {
    const store = openStore();
    expect(store.getTradingState()).toBeUndefined();
    expect(store.getEquityBaseline()).toBeUndefined();
    expect(store.getValue('cursor')).toBeUndefined();
    const tradingState = {
      state: 'REDUCING',
      changedAt: 5,
      changedBy: 'automation:ws-stale',
      reason: 'stale',
    } as const;
    store.setTradingState(tradingState);
    store.setEquityBaseline({ day: '2026-01-01', equity: 30_012_345_678n, capturedAt: 1_767_225_600_000 });
    store.setValue('cursor', '');
    store.setValue('cursor2', 'a');
    store.setValue('cursor2', 'b');
    expect(store.getTradingState()).toStrictEqual(tradingState);
    expect(store.getEquityBaseline()).toStrictEqual({
      day: '2026-01-01',
      equity: 30_012_345_678n,
      capturedAt: 1_767_225_600_000,
    });
    expect(store.getValue('cursor')).toBe('');
    expect(store.getValue('cursor2')).toBe('b');
  });

  it('kill switch → ARMED when never set; TRIPPED and released ARMED records round-trip', () => {
    const store = openStore();
    expect(store.getKillSwitch()).toStrictEqual({ state: 'ARMED' });
    const tripped = { state: 'TRIPPED', reason: 'Daily DD: 2.1%', at: 99, by: 'automation:drawdown' } as const;
    store.setKillSwitch(tripped);
    expect(store.getKillSwitch()).toStrictEqual(tripped);
    const released = { state: 'ARMED', releasedAt: 120, releasedBy: 'operator:ana', forced: false } as const;
    store.setKillSwitch(released);
    expect(store.getKillSwitch()).toStrictEqual(released);
    store.setKillSwitch({ state: 'ARMED', releasedBy: 'operator:bo' });
    expect(store.getKillSwitch()).toStrictEqual({ state: 'ARMED', releasedBy: 'operator:bo' });
  });
});

describe('SqliteStore event log', () => {
  it('events → sequential seq, bigints back as bigints, filters by from/types/limit', () => {
    const store = openStore();
    const first = store.appendEvent({ type: 'OrderSubmitted', at: 1, payload: { qty: 1n, id: '123', nested: [-5n] } });
    const second = store.appendEvent({ type: 'OrderFilled', at: 2, payload: {} });
    const third = store.appendEvent({ type: 'OrderSubmitted', at: 3, payload: { absent: undefined, n: 1.5 } });
    expect([second - first, third - second]).toEqual([1, 1]);
    expect(store.events()).toStrictEqual([
      { seq: first, type: 'OrderSubmitted', at: 1, payload: { qty: 1n, id: '123', nested: [-5n] } },
      { seq: second, type: 'OrderFilled', at: 2, payload: {} },
      { seq: third, type: 'OrderSubmitted', at: 3, payload: { n: 1.5 } },
    ]);
    expect(store.events({ fromSeq: second }).map((event) => event.seq)).toEqual([second, third]);
    expect(store.events({ types: ['OrderSubmitted'] }).map((event) => event.seq)).toEqual([first, third]);
    expect(store.events({ types: [] })).toEqual([]);
    expect(store.events({ limit: 1 }).map((event) => event.seq)).toEqual([first]);
  });

  it('event with NaN → STORE_INVALID_EVENT and nothing appended', () => {
    const store = openStore();
    expect(() => store.appendEvent({ type: 'Bad', at: 1, payload: { price: Number.NaN } })).toThrow(
      expect.objectContaining({ code: 'STORE_INVALID_EVENT' }),
    );
    expect(store.events()).toEqual([]);
  });

  it('an UPDATE of the event log (outside the API) → refused by the append-only trigger', () => {
    const path = join(directory, 'log.sqlite');
    openStore(path).appendEvent({ type: 'EngineStarted', at: 1, payload: {} });
    const raw = new DatabaseSync(path);
    expect(() => raw.exec("UPDATE event_log SET type = 'x'")).toThrow(/append-only/);
    raw.close();
  });
});

describe('SqliteStore durability, transactions, reset', () => {
  it('close then reopen the file → every kind of record is still there', () => {
    const path = join(directory, 'nested', 'dir', 'yunmin.sqlite');
    const store = openStore(path);
    store.saveOrder(fullOrder());
    store.recordFill(fill(1));
    store.savePosition({ symbol: 'BTCUSDT', amount: 3n, entryPrice: 4n, realizedPnl: 5n });
    store.setKillSwitch({ state: 'TRIPPED', reason: 'r', at: 1, by: 'operator:x' });
    store.setValue('k', 'v');
    store.appendEvent({ type: 'T', at: 9, payload: { x: 2n } });
    store.close();
    store.close(); // idempotent
    const reopened = openStore(path);
    expect(reopened.getOrder('ym-full-1')).toStrictEqual(fullOrder());
    expect(reopened.fills('BTCUSDT')).toStrictEqual([fill(1)]);
    expect(reopened.positions()).toStrictEqual([{ symbol: 'BTCUSDT', amount: 3n, entryPrice: 4n, realizedPnl: 5n }]);
    expect(reopened.getKillSwitch().state).toBe('TRIPPED');
    expect(reopened.getValue('k')).toBe('v');
    expect(reopened.events().map((event) => event.payload)).toStrictEqual([{ x: 2n }]);
    expect(reopened.check()).toMatchObject({ ok: true });
    expect(reopened.check().detail).toContain('journal wal');
  });

  it('work that throws → nothing it wrote is kept, the error propagates', () => {
    const store = openStore();
    expect(() =>
      store.transaction(() => {
        store.saveOrder(fullOrder());
        store.recordFill(fill(1));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.getOrder('ym-full-1')).toBeUndefined();
    expect(store.fills('BTCUSDT')).toEqual([]);
    expect(store.transaction(() => 42)).toBe(42);
  });

  it('nested transaction that throws and is caught → only the inner writes are undone', () => {
    const store = openStore();
    store.transaction(() => {
      store.saveOrder(minimalOrder('outer', 'OPEN'));
      expect(() =>
        store.transaction(() => {
          store.saveOrder(minimalOrder('inner', 'OPEN'));
          throw new Error('inner');
        }),
      ).toThrow('inner');
      store.transaction(() => store.setValue('kept', 'yes'));
    });
    expect(store.getOrder('outer')).toBeDefined();
    expect(store.getOrder('inner')).toBeUndefined();
    expect(store.getValue('kept')).toBe('yes');
  });

  it('async work → STORE_ASYNC_TRANSACTION and rolled back', async () => {
    const store = openStore();
    const run = (): unknown =>
      store.transaction(() => {
        store.setValue('x', '1');
        return Promise.resolve(1);
      });
    expect(run).toThrow(expect.objectContaining({ code: 'STORE_ASYNC_TRANSACTION' }));
    expect(store.getValue('x')).toBeUndefined();
  });

  it('reset → counts per table, names the other records, leaves an empty usable store', () => {
    const store = openStore();
    store.saveOrder(fullOrder());
    store.saveOrder(minimalOrder('b', 'OPEN'));
    store.recordFill(fill(1));
    store.recordFill(fill(2));
    store.recordFill(fill(3));
    store.savePosition({ symbol: 'BTCUSDT', amount: 1n, entryPrice: 1n, realizedPnl: 0n });
    const before = store.appendEvent({ type: 'T', at: 1, payload: {} });
    store.setKillSwitch({ state: 'TRIPPED', reason: 'r', at: 1, by: 'automation:x' });
    store.setValue('cursor', '5');
    expect(store.reset()).toStrictEqual({
      orders: 2,
      fills: 3,
      positions: 1,
      events: 1,
      other: ['state record kill_switch', 'value cursor'],
    });
    expect(store.recentOrders(10)).toEqual([]);
    expect(store.getKillSwitch()).toStrictEqual({ state: 'ARMED' });
    expect(store.getValue('cursor')).toBeUndefined();
    expect(store.reset()).toStrictEqual({ orders: 0, fills: 0, positions: 0, events: 0, other: [] });
    expect(store.appendEvent({ type: 'T', at: 2, payload: {} })).toBeGreaterThan(before);
  });

  it(':memory: store → works without a file', () => {
    const store = SqliteStore.open({ path: ':memory:', clock });
    store.saveOrder(fullOrder());
    expect(store.getOrder('ym-full-1')).toStrictEqual(fullOrder());
    store.close();
  });
});
