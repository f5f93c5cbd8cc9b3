import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { applyMigrations, LATEST_SCHEMA_VERSION, MIGRATIONS, readSchemaVersion } from './migrations.ts';
import { SqliteStore } from './sqlite-store.ts';

let directory: string;
let path: string;
const clock = new TestClock();

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'yunmin-migrations-'));
  path = join(directory, 'yunmin.sqlite');
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function tableNames(db: DatabaseSync): string[] {
  return db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((row) => String(row.name));
}

describe('migrations', () => {
  it('new file → every step applied once, recorded in schema_version', () => {
    SqliteStore.open({ path, clock }).close();
    SqliteStore.open({ path, clock }).close(); // second open applies nothing
    const db = new DatabaseSync(path);
    const versions = db.prepare('SELECT version, description FROM schema_version ORDER BY version').all();
    expect(versions.map((row) => row.version)).toEqual(MIGRATIONS.map((migration) => migration.version));
    expect(versions.map((row) => row.description)).toEqual(MIGRATIONS.map((migration) => migration.description));
    expect(readSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });

  it('v1 database with rows → upgraded to the latest, rows readable through the store', () => {
    const v1 = new DatabaseSync(path);
    expect(applyMigrations(v1, clock, MIGRATIONS.slice(0, 1))).toEqual({ from: 0, to: 1 });
    expect(tableNames(v1)).not.toContain('named_values');
    v1.exec(`
      INSERT INTO orders VALUES ('ym-1', 'BTCUSDT', 'BUY', 'LIMIT', '0.001', '43187.1', 'GTC', 0, 'OPEN', 42,
        '0', NULL, 'strategy', 1000, 2000, NULL);
      INSERT INTO fills VALUES ('BTCUSDT', 7, 42, 'ym-1', 'BUY', '43187.1', '0.0005', '0.00863742', 'USDT',
        '-0.5', 1, 3000);
      INSERT INTO positions VALUES ('BTCUSDT', '0.0005', '43187.1', '0', 3000);
      INSERT INTO event_log (at, type, payload) VALUES (3000, 'FillRecorded', '{"qty":{"$fixed":"0.0005"}}');
      INSERT INTO state_records VALUES ('trading_state',
        '{"state":"HALTED","changedAt":1,"changedBy":"operator:ana","reason":"drill"}', 1);
    `);
    v1.close();

    const store = SqliteStore.open({ path, clock });
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(store.getOrder('ym-1')).toStrictEqual({
      clientOrderId: 'ym-1',
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: 100_000n,
      price: 4_318_710_000_000n,
      timeInForce: 'GTC',
      reduceOnly: false,
      state: 'OPEN',
      venueOrderId: 42,
      executedQty: 0n,
      purpose: 'strategy',
      createdAt: 1000,
      updatedAt: 2000,
    });
    expect(store.activeOrders().map((order) => order.clientOrderId)).toEqual(['ym-1']);
    expect(store.fills('BTCUSDT').map((fill) => [fill.tradeId, fill.commission, fill.realizedPnl])).toEqual([
      [7, 863_742n, -50_000_000n],
    ]);
    expect(store.positions()).toHaveLength(1);
    expect(store.events().map((event) => event.payload)).toStrictEqual([{ qty: 50_000n }]);
    expect(store.getTradingState()?.state).toBe('HALTED');
    store.setValue('cursor', '7'); // a table migration 2 added
    expect(store.getValue('cursor')).toBe('7');
    store.close();
  });

  it('database newer than the code → STORE_SCHEMA_TOO_NEW, file left as it was', () => {
    SqliteStore.open({ path, clock }).close();
    const db = new DatabaseSync(path);
    db.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'from the future', 1);
    db.close();
    const before = readFileSync(path);
    expect(() => SqliteStore.open({ path, clock })).toThrow(expect.objectContaining({ code: 'STORE_SCHEMA_TOO_NEW' }));
    const after = new DatabaseSync(path);
    expect(readSchemaVersion(after)).toBe(LATEST_SCHEMA_VERSION + 1);
    after.close();
    expect(readFileSync(path).length).toBe(before.length);
  });

  it('a failing step → the whole upgrade rolls back to the previous version', () => {
    const db = new DatabaseSync(path);
    applyMigrations(db, clock, MIGRATIONS.slice(0, 1));
    const broken = [
      ...MIGRATIONS.slice(0, 1),
      { version: 2, description: 'ok', sql: 'CREATE TABLE extra (a TEXT) STRICT' },
      { version: 3, description: 'broken', sql: 'CREATE TABLE half (a TEXT); INSERT INTO no_such_table VALUES (1)' },
    ];
    expect(() => applyMigrations(db, clock, broken)).toThrow(/no_such_table/);
    expect(readSchemaVersion(db)).toBe(1);
    expect(tableNames(db)).not.toContain('extra');
    expect(tableNames(db)).not.toContain('half');
    expect(db.isTransaction).toBe(false);
    db.close();
  });

  it('steps numbered out of order → refused before touching the file', () => {
    const db = new DatabaseSync(path);
    expect(() => applyMigrations(db, clock, [{ version: 2, description: 'x', sql: 'SELECT 1' }])).toThrow(RangeError);
    expect(readSchemaVersion(db)).toBe(0);
    db.close();
  });

  it('a file that is not SQLite → STORE_OPEN_FAILED naming the path', () => {
    writeFileSync(path, 'this is not a database, just forty-odd bytes of text that fills a header');
    expect(() => SqliteStore.open({ path, clock })).toThrow(
      expect.objectContaining({ code: 'STORE_OPEN_FAILED', message: expect.stringContaining(path) }),
    );
  });
});
