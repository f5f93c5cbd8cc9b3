import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../domain/incident.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { applyMigrations, LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.ts';
import { SqliteStore } from './sqlite-store.ts';

const clock = new TestClock();

function incident(id: string, detectedAt: number, overrides: Partial<Incident> = {}): Incident {
  return {
    id,
    type: 'WS_STALE',
    severity: 'CRIT',
    summary: 'WebSocket stale: 75s',
    firstEvidenceAt: detectedAt - 61_000,
    firstEvidence: 'last message on market stream',
    detectedAt,
    actions: [],
    status: 'OPEN',
    acknowledgements: [],
    ...overrides,
  };
}

const full: Incident = incident('INC-FULL-1', 1_767_225_661_000, {
  type: 'KILL_SWITCH',
  symbol: 'BTCUSDT',
  summary: 'Kill switch tripped by automation:ws-stale: "stale" — 75 s',
  actions: [
    { at: 1_767_225_661_001, action: 'persist TRIPPED', result: 'ok' },
    { at: 1_767_225_661_040, action: 'close BTCUSDT', result: 'failed', detail: '-2022 ReduceOnly Order is rejected.' },
    { at: 1_767_225_661_090, action: 'verify flat', result: 'started' },
  ],
  containedAt: 1_767_225_661_095,
  resolvedAt: 1_767_225_700_000,
  status: 'RESOLVED',
  acknowledgements: [{ by: 'ana', at: 1_767_225_670_000 }],
});

let store: SqliteStore | undefined;
let directory: string | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
});

function memoryStore(): SqliteStore {
  store = SqliteStore.open({ path: ':memory:', clock });
  return store;
}

describe('SqliteStore as IncidentStore', () => {
  it('every field set → read back exactly; minimal incident → optionals stay absent', () => {
    const s = memoryStore();
    const minimal = incident('INC-MIN-1', 2_000_000);
    s.saveIncident(full);
    s.saveIncident(minimal);
    expect(s.getIncident('INC-FULL-1')).toStrictEqual(full);
    expect(s.getIncident('INC-MIN-1')).toStrictEqual(minimal);
    expect(s.getIncident('INC-NONE')).toBeUndefined();
  });

  it('saving the same id again → the row is updated, not duplicated', () => {
    const s = memoryStore();
    const first = incident('INC-1', 1_000_000);
    s.saveIncident(first);
    const updated: Incident = {
      ...first,
      actions: [{ at: 1_000_010, action: 'reconnect', result: 'ok' }],
      containedAt: 1_000_020,
      status: 'CONTAINED',
    };
    s.saveIncident(updated);
    expect(s.listIncidents()).toStrictEqual([updated]);
  });

  it('listIncidents → newest detection first; openOnly leaves RESOLVED out (CONTAINED stays); limit cuts', () => {
    const s = memoryStore();
    s.saveIncident(incident('INC-OLD', 1_000, { status: 'RESOLVED', containedAt: 1_500, resolvedAt: 2_000 }));
    s.saveIncident(incident('INC-NEW', 3_000));
    s.saveIncident(incident('INC-MID', 2_000, { status: 'CONTAINED', containedAt: 2_500 }));
    expect(s.listIncidents().map((i) => i.id)).toEqual(['INC-NEW', 'INC-MID', 'INC-OLD']);
    expect(s.listIncidents({ openOnly: true }).map((i) => i.id)).toEqual(['INC-NEW', 'INC-MID']);
    expect(s.listIncidents({ limit: 1 }).map((i) => i.id)).toEqual(['INC-NEW']);
    expect(s.listIncidents({ openOnly: true, limit: 5 })).toHaveLength(2);
    expect(() => s.listIncidents({ limit: -1 })).toThrow(RangeError);
  });

  it('reset → incidents cleared and counted among the other records', () => {
    const s = memoryStore();
    s.saveIncident(incident('INC-A', 1_000));
    s.saveIncident(incident('INC-B', 2_000));
    expect(s.reset().other).toContain('2 incident(s)');
    expect(s.listIncidents()).toEqual([]);
  });

  it('actions stored as something other than an array of objects → STORE_CORRUPT naming the column', () => {
    directory = mkdtempSync(join(tmpdir(), 'yunmin-incidents-'));
    const file = join(directory, 'yunmin.sqlite');
    const onDisk = SqliteStore.open({ path: file, clock });
    onDisk.saveIncident(incident('INC-BAD', 1_000));
    onDisk.close();
    const db = new DatabaseSync(file);
    // Broken behind the store's back, as a hand edit would.
    db.prepare('UPDATE incidents SET actions = \'[{"at":"soon","action":"x","result":"ok"}]\'').run();
    db.close();
    const reopened = SqliteStore.open({ path: file, clock });
    expect(() => reopened.getIncident('INC-BAD')).toThrow(
      expect.objectContaining({ code: 'STORE_CORRUPT', column: 'actions[0].at' }),
    );
    expect(reopened.check().ok).toBe(false);
    reopened.close();
  });

  it('v2 database with rows → upgraded to the latest (≥ v3), old rows kept, incidents usable', () => {
    directory = mkdtempSync(join(tmpdir(), 'yunmin-incidents-'));
    const file = join(directory, 'yunmin.sqlite');
    const v2 = new DatabaseSync(file);
    expect(applyMigrations(v2, clock, MIGRATIONS.slice(0, 2))).toEqual({ from: 0, to: 2 });
    v2.exec(`
      INSERT INTO positions VALUES ('BTCUSDT', '0.0005', '43187.1', '0', 3000);
      INSERT INTO named_values VALUES ('cursor', '7', 3000);
      INSERT INTO state_records VALUES ('kill_switch', '{"state":"TRIPPED","reason":"drill","at":5,"by":"operator:ana"}', 5);
    `);
    v2.close();

    store = SqliteStore.open({ path: file, clock });
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
    expect(store.positions().map((p) => [p.symbol, p.amount])).toEqual([['BTCUSDT', 50_000n]]);
    expect(store.getValue('cursor')).toBe('7');
    expect(store.getKillSwitch()).toStrictEqual({ state: 'TRIPPED', reason: 'drill', at: 5, by: 'operator:ana' });
    store.saveIncident(full);
    expect(store.getIncident(full.id)).toStrictEqual(full);
  });
});
