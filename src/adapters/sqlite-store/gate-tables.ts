import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { type EngineSession, GATE_ITEMS, type GateEntry } from '../../domain/approval-gate.ts';
import type { ApprovalStore } from '../../ports/approval-store.ts';
import type { EngineSessionStore } from '../../ports/engine-session-store.ts';
import type { SqlRow } from './record-codecs.ts';
import { RowReader } from './row-reader.ts';

const SQL = {
  saveGateEntry: `INSERT INTO approval_items (incident_id, item, value, role, recorded_by, recorded_at)
    VALUES (:incident_id, :item, :value, :role, :recorded_by, :recorded_at)
    ON CONFLICT (incident_id, item) DO UPDATE SET value = excluded.value, role = excluded.role,
      recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
  gateEntries: 'SELECT * FROM approval_items WHERE incident_id = ?',
  startSession: `INSERT INTO engine_sessions (id, mode, config_hash, started_at, last_heartbeat_at, stopped_at)
    VALUES (:id, :mode, :config_hash, :started_at, :last_heartbeat_at, :stopped_at)`,
  heartbeat: `UPDATE engine_sessions SET last_heartbeat_at = MAX(last_heartbeat_at, :at),
      stopped_at = CASE WHEN :stopped = 1 THEN :at ELSE stopped_at END
    WHERE id = :id`,
  sessions: `SELECT * FROM engine_sessions WHERE (:mode IS NULL OR mode = :mode)
    ORDER BY started_at DESC, id DESC LIMIT :limit`,
} as const;

const MODES: readonly EngineSession['mode'][] = ['LIVE', 'DRY_RUN'];

function gateEntryFromRow(row: Readonly<Record<string, unknown>>): GateEntry {
  const read = new RowReader('approval_items', `${String(row.incident_id)}/${String(row.item)}`, row);
  const role = read.optionalString('role');
  return {
    incidentId: read.string('incident_id'),
    item: read.oneOf('item', GATE_ITEMS),
    value: read.string('value'),
    ...(role !== undefined && { role }),
    by: read.string('recorded_by'),
    at: read.integer('recorded_at'),
  };
}

function sessionFromRow(row: Readonly<Record<string, unknown>>): EngineSession {
  const read = new RowReader('engine_sessions', String(row.id), row);
  const stoppedAt = read.optionalInteger('stopped_at');
  return {
    id: read.string('id'),
    mode: read.oneOf('mode', MODES),
    configHash: read.string('config_hash'),
    startedAt: read.integer('started_at'),
    lastHeartbeatAt: read.integer('last_heartbeat_at'),
    ...(stoppedAt !== undefined && { stoppedAt }),
  };
}

/**
 * The tables of migration 5 (engine sessions, resumption gate items) on the store's connection.
 * Kept apart from SqliteStore, which delegates to it, so each file stays about one thing.
 */
export class GateTables implements ApprovalStore, EngineSessionStore {
  readonly #db: DatabaseSync;
  readonly #statements: { readonly [K in keyof typeof SQL]: StatementSync };

  constructor(db: DatabaseSync) {
    this.#db = db;
    const statements: Partial<Record<keyof typeof SQL, StatementSync>> = {};
    for (const [name, sql] of Object.entries(SQL)) statements[name as keyof typeof SQL] = db.prepare(sql);
    this.#statements = statements as { readonly [K in keyof typeof SQL]: StatementSync };
  }

  saveGateEntry(entry: GateEntry): void {
    const row: SqlRow = {
      incident_id: entry.incidentId,
      item: entry.item,
      value: entry.value,
      role: entry.role ?? null,
      recorded_by: entry.by,
      recorded_at: entry.at,
    };
    this.#statements.saveGateEntry.run(row);
  }

  gateEntries(incidentId: string): readonly GateEntry[] {
    const entries = this.#statements.gateEntries.all(incidentId).map(gateEntryFromRow);
    return entries.sort((a, b) => GATE_ITEMS.indexOf(a.item) - GATE_ITEMS.indexOf(b.item));
  }

  startEngineSession(session: EngineSession): void {
    this.#statements.startSession.run({
      id: session.id,
      mode: session.mode,
      config_hash: session.configHash,
      started_at: session.startedAt,
      last_heartbeat_at: session.lastHeartbeatAt,
      stopped_at: session.stoppedAt ?? null,
    });
  }

  heartbeatEngineSession(id: string, at: number, stopped = false): void {
    this.#statements.heartbeat.run({ id, at, stopped: stopped ? 1 : 0 });
  }

  engineSessions(
    filter: { readonly mode?: EngineSession['mode']; readonly limit?: number } = {},
  ): readonly EngineSession[] {
    return this.#statements.sessions.all({ mode: filter.mode ?? null, limit: filter.limit ?? -1 }).map(sessionFromRow);
  }

  /** For `check()`: decodes every row; returns the decode errors' messages. */
  decodeAll(attempt: (decode: () => unknown) => void): void {
    for (const row of this.#db.prepare('SELECT * FROM approval_items').iterate()) attempt(() => gateEntryFromRow(row));
    for (const row of this.#db.prepare('SELECT * FROM engine_sessions').iterate()) attempt(() => sessionFromRow(row));
  }
}
