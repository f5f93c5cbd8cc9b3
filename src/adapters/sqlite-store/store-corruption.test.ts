import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { SqliteStore } from './sqlite-store.ts';
import { StoreCorruptError } from './store-errors.ts';

let directory: string;
let path: string;
let store: SqliteStore;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'yunmin-corrupt-'));
  path = join(directory, 'yunmin.sqlite');
  store = SqliteStore.open({ path, clock: new TestClock() });
  store.saveOrder({
    clientOrderId: 'ym-1',
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: 100_000n,
    price: 4_318_710_000_000n,
    reduceOnly: false,
    state: 'OPEN',
    executedQty: 0n,
    purpose: 'strategy',
    createdAt: 1,
    updatedAt: 1,
  });
  store.recordFill({
    symbol: 'BTCUSDT',
    tradeId: 9,
    orderId: 1,
    side: 'BUY',
    price: 1n,
    qty: 1n,
    commission: 0n,
    commissionAsset: 'USDT',
    realizedPnl: 0n,
    maker: false,
    time: 1,
  });
  store.savePosition({ symbol: 'BTCUSDT', amount: 1n, entryPrice: 1n, realizedPnl: 0n });
  store.setKillSwitch({ state: 'TRIPPED', reason: 'r', at: 1, by: 'automation:x' });
  store.setEquityBaseline({ day: '2026-01-01', equity: 1n, capturedAt: 1 });
  store.appendEvent({ type: 'T', at: 1, payload: { qty: 1n } });
  expect(store.check().ok).toBe(true);
});

afterEach(() => {
  store.close();
  rmSync(directory, { recursive: true, force: true });
});

/** Damages the file behind the store's back, as a bad disk or a hand edit would. */
function tamper(sql: string): void {
  const raw = new DatabaseSync(path);
  raw.exec(sql);
  raw.close();
}

function corruption(read: () => unknown): StoreCorruptError {
  try {
    read();
  } catch (error) {
    if (error instanceof StoreCorruptError) return error;
    throw error;
  }
  throw new Error('expected STORE_CORRUPT, nothing was thrown');
}

describe('corrupt rows → STORE_CORRUPT naming table, key and column', () => {
  it.each([
    ["UPDATE orders SET quantity = '1.2.3'", () => store.getOrder('ym-1'), 'orders', 'ym-1', 'quantity'],
    ["UPDATE orders SET price = '0.000000001'", () => store.activeOrders(), 'orders', 'ym-1', 'price'],
    ["UPDATE orders SET state = 'HALF_OPEN'", () => store.recentOrders(1), 'orders', 'ym-1', 'state'],
    ["UPDATE fills SET qty = 'NaN'", () => store.fills('BTCUSDT'), 'fills', 'BTCUSDT/9', 'qty'],
    ["UPDATE positions SET amount = '1e5'", () => store.positions(), 'positions', 'BTCUSDT', 'amount'],
    [
      `UPDATE state_records SET value = '{"state":"TRIPPED","at":1,"by":"x"}' WHERE name = 'kill_switch'`,
      () => store.getKillSwitch(),
      'state_records',
      'kill_switch',
      'value.reason',
    ],
    [
      `UPDATE state_records SET value = '{"day":"2026-01-01","equity":12.5,"capturedAt":1}' WHERE name = 'equity_baseline'`,
      () => store.getEquityBaseline(),
      'state_records',
      'equity_baseline',
      'value.equity',
    ],
    [
      `DROP TRIGGER event_log_append_only; UPDATE event_log SET payload = '{"qty":{"$fixed":"x"}}'`,
      () => store.events(),
      'event_log',
      '1',
      'payload',
    ],
  ])('%s → STORE_CORRUPT', (sql, read, table, key, column) => {
    tamper(sql);
    const error = corruption(read);
    expect(error).toMatchObject({ code: 'STORE_CORRUPT', table, key, column });
    expect(error.message).toContain(table);
    expect(error.message).toContain(column);
    const check = store.check();
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('1 corrupt row(s)');
  });
});
