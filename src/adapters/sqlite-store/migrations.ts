import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../../lib/clock.ts';
import { storeError } from './store-errors.ts';

/**
 * Versioned schema steps. Append new steps at the end; never edit a released one (a database in the
 * field has already run it). Opening the store applies every missing step in ONE transaction, so a
 * crash mid-upgrade leaves the previous version intact.
 *
 * Conventions: STRICT tables (a REAL can never slip into a decimal column); every price, quantity,
 * balance and PnL is TEXT holding a plain decimal (formatFixedTrimmed); booleans are INTEGER 0/1;
 * times are INTEGER epoch milliseconds.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'event log, orders, fills, positions, state records',
    sql: `
      -- Append-only: the engine's record of what happened, replayable in seq order.
      CREATE TABLE event_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload))
      ) STRICT;
      CREATE INDEX event_log_by_type ON event_log (type, seq);
      CREATE TRIGGER event_log_append_only BEFORE UPDATE ON event_log
        BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END;

      CREATE TABLE orders (
        client_order_id TEXT PRIMARY KEY,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL,
        type TEXT NOT NULL,
        quantity TEXT NOT NULL,
        price TEXT,
        time_in_force TEXT,
        reduce_only INTEGER NOT NULL,
        state TEXT NOT NULL,
        venue_order_id INTEGER,
        executed_qty TEXT NOT NULL,
        avg_price TEXT,
        purpose TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_error TEXT
      ) STRICT;

      -- The primary key is the de-duplication: one row per (symbol, trade id), whichever path reported it.
      CREATE TABLE fills (
        symbol TEXT NOT NULL,
        trade_id INTEGER NOT NULL,
        order_id INTEGER NOT NULL,
        client_order_id TEXT,
        side TEXT NOT NULL,
        price TEXT NOT NULL,
        qty TEXT NOT NULL,
        commission TEXT NOT NULL,
        commission_asset TEXT NOT NULL,
        realized_pnl TEXT NOT NULL,
        maker INTEGER NOT NULL,
        time INTEGER NOT NULL,
        PRIMARY KEY (symbol, trade_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE positions (
        symbol TEXT PRIMARY KEY,
        amount TEXT NOT NULL,
        entry_price TEXT NOT NULL,
        realized_pnl TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- Typed singletons (trading state, kill switch, equity baseline) as JSON objects.
      CREATE TABLE state_records (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value)),
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'named values (cursors, sync times); order indexes for active and recent queries',
    sql: `
      CREATE TABLE named_values (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX orders_by_update ON orders (updated_at);
      -- Terminal states as in src/domain/order-transitions.ts TERMINAL_ORDER_STATES.
      CREATE INDEX orders_active ON orders (created_at)
        WHERE state NOT IN ('FILLED', 'CANCELED', 'EXPIRED', 'REJECTED', 'NOT_PLACED');
    `,
  },
  {
    version: 3,
    description: 'incident records (issue 5 point 4)',
    sql: `
      -- One row per incident (domain/incident.ts). Actions and acknowledgements are JSON arrays: they
      -- are always read and written with their incident, never queried on their own.
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        severity TEXT NOT NULL,
        symbol TEXT,
        summary TEXT NOT NULL,
        first_evidence_at INTEGER NOT NULL,
        first_evidence TEXT NOT NULL,
        detected_at INTEGER NOT NULL,
        contained_at INTEGER,
        resolved_at INTEGER,
        status TEXT NOT NULL,
        actions TEXT NOT NULL CHECK (json_valid(actions)),
        acknowledgements TEXT NOT NULL CHECK (json_valid(acknowledgements))
      ) STRICT;
      CREATE INDEX incidents_by_detection ON incidents (detected_at);
      -- IncidentManager.current() reads the unresolved ones on every detector tick.
      CREATE INDEX incidents_unresolved ON incidents (detected_at) WHERE status <> 'RESOLVED';
    `,
  },
  {
    version: 4,
    description: 'orders by venue order id',
    sql: `
      -- REST fills (userTrades) name the venue order id, not ours: the tracker finds its order by it.
      CREATE INDEX orders_by_venue_id ON orders (symbol, venue_order_id) WHERE venue_order_id IS NOT NULL;
    `,
  },
  {
    version: 5,
    description: 'engine sessions and the resumption gate (issue 8 point 5)',
    sql: `
      -- Each engine run records itself: start, a heartbeat every minute, the config hash it ran. A
      -- DRY_RUN session here is the resumption gate's proof that the fix ran on paper (playbook §5 step 5).
      CREATE TABLE engine_sessions (
        id TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        config_hash TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        last_heartbeat_at INTEGER NOT NULL,
        stopped_at INTEGER
      ) STRICT;
      CREATE INDEX engine_sessions_by_start ON engine_sessions (started_at);

      -- The resumption gate's items, one row per (KILL_SWITCH incident, item); recording an item again
      -- replaces the row (the incident's actions keep every recording).
      CREATE TABLE approval_items (
        incident_id TEXT NOT NULL,
        item TEXT NOT NULL,
        value TEXT NOT NULL,
        role TEXT,
        recorded_by TEXT NOT NULL,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (incident_id, item)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
}

const CREATE_VERSION_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`;

/** The version a database is at: 0 when it has never been migrated. */
export function readSchemaVersion(db: DatabaseSync): number {
  const table = db
    .prepare("SELECT 1 AS present FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'")
    .get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get();
  const version = row?.version;
  return typeof version === 'number' ? version : 0;
}

/**
 * Brings the database to the last of `migrations` (which must be numbered 1, 2, 3… in order).
 * BEGIN IMMEDIATE takes the write lock before reading the version, so two processes opening the same
 * file at once cannot both apply a step.
 */
export function applyMigrations(
  db: DatabaseSync,
  clock: Clock,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrationResult {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new RangeError(`migration ${index} has version ${migration.version}; expected ${index + 1}`);
    }
  });
  const latest = migrations.length;
  db.exec('BEGIN IMMEDIATE');
  try {
    const from = readSchemaVersion(db);
    if (from > latest) {
      throw storeError(
        'STORE_SCHEMA_TOO_NEW',
        `database schema is version ${from} but this yunmin knows up to ${latest}: it was written by a newer release; upgrade yunmin (do not delete the state)`,
      );
    }
    db.exec(CREATE_VERSION_TABLE);
    const record = db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)');
    for (const migration of migrations.slice(from)) {
      db.exec(migration.sql);
      record.run(migration.version, migration.description, clock.now());
    }
    db.exec('COMMIT');
    return { from, to: latest };
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
