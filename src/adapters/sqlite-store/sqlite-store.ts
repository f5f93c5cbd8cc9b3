import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { EngineSession, GateEntry } from '../../domain/approval-gate.ts';
import type { EquityBaseline } from '../../domain/equity-baseline.ts';
import type { Incident } from '../../domain/incident.ts';
import type { KillSwitchRecord } from '../../domain/kill-switch-record.ts';
import type { FillReport } from '../../domain/order.ts';
import { TERMINAL_ORDER_STATES } from '../../domain/order-transitions.ts';
import type { Position } from '../../domain/position.ts';
import type { TrackedOrder } from '../../domain/tracked-order.ts';
import type { Clock } from '../../lib/clock.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import type { ApprovalStore } from '../../ports/approval-store.ts';
import type { EngineSessionStore } from '../../ports/engine-session-store.ts';
import type { IncidentStore } from '../../ports/incident-store.ts';
import type { ResetSummary, Store, StoredEvent, StoredEventRecord, TradingStateRecord } from '../../ports/store.ts';
import { decodeEventPayload, encodeEventPayload } from './event-payload.ts';
import { GateTables } from './gate-tables.ts';
import { incidentFromRow, incidentToRow } from './incident-codec.ts';
import { applyMigrations, LATEST_SCHEMA_VERSION, readSchemaVersion } from './migrations.ts';
import {
  equityBaselineFromJson,
  equityBaselineToJson,
  fillFromRow,
  fillToRow,
  killSwitchFromJson,
  killSwitchToJson,
  orderFromRow,
  orderToRow,
  positionFromRow,
  positionToRow,
  STATE_RECORD_NAMES,
  tradingStateFromJson,
  tradingStateToJson,
} from './record-codecs.ts';
import { StoreCorruptError, storeError } from './store-errors.ts';

/**
 * Durability. WAL journal, `synchronous=NORMAL` by default: every write is in the WAL file (the OS
 * page cache) when the call returns, so it survives the process dying at any instant — kill -9, OOM,
 * a crash — which is the failure crash-only start is built for (tested by killing a writer child).
 * It does NOT survive power loss or a kernel crash: the last commits before the outage may roll back
 * (never torn: SQLite recovers a consistent prefix). We accept that because the venue is the source
 * of truth and startup reconciles open orders, positions and trades, and because an fsync per
 * saveOrder (FULL: ~1–10 ms on disk) sits on the event → order hot path whose budget is < 1 ms.
 * Pass `synchronous: 'FULL'` where power loss matters more than latency.
 *
 * The event log is the engine's own vocabulary; the store only keeps it in order. Expected types
 * (defined by the engine, past tense per STYLE): engine started/stopped, order persisted/sent and each
 * order transition (with the OrderEvent and the new state), fill recorded, position changed, trading
 * state changed, kill switch tripped/released, incident opened/closed, equity baseline captured,
 * reconciliation completed (with what it corrected) and state reset. With those, the orders, fills
 * and positions tables are projections that can be re-derived and audited from the log.
 */
export interface SqliteStoreOptions {
  /** File path (parent directories are created), or ':memory:' for a throwaway store. */
  readonly path: string;
  readonly clock: Clock;
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** How long a write waits for another connection's lock (the CLI reading while the engine runs). */
  readonly busyTimeoutMs?: number;
  /**
   * false: no automatic WAL checkpoint. SQLite otherwise runs one (with an fsync) inside whichever
   * commit crosses 1000 pages, which can be the one that persists an order right before its send;
   * the engine then calls `checkpoint()` from its sync timer instead, off the order path.
   */
  readonly autoCheckpoint?: boolean;
}

export interface StoreCheck {
  readonly ok: boolean;
  readonly detail: string;
}

const TERMINAL_LIST = [...TERMINAL_ORDER_STATES].map((state) => `'${state}'`).join(', ');

const SQL = {
  appendEvent: 'INSERT INTO event_log (at, type, payload) VALUES (?, ?, ?)',
  events: `SELECT seq, at, type, payload FROM event_log
    WHERE seq >= :fromSeq AND (:types IS NULL OR type IN (SELECT value FROM json_each(:types)))
    ORDER BY seq LIMIT :limit`,
  saveOrder: `INSERT INTO orders (client_order_id, symbol, side, type, quantity, price, time_in_force, reduce_only,
      state, venue_order_id, executed_qty, avg_price, purpose, created_at, updated_at, last_error)
    VALUES (:client_order_id, :symbol, :side, :type, :quantity, :price, :time_in_force, :reduce_only,
      :state, :venue_order_id, :executed_qty, :avg_price, :purpose, :created_at, :updated_at, :last_error)
    ON CONFLICT (client_order_id) DO UPDATE SET symbol = excluded.symbol, side = excluded.side,
      type = excluded.type, quantity = excluded.quantity, price = excluded.price,
      time_in_force = excluded.time_in_force, reduce_only = excluded.reduce_only, state = excluded.state,
      venue_order_id = excluded.venue_order_id, executed_qty = excluded.executed_qty,
      avg_price = excluded.avg_price, purpose = excluded.purpose, created_at = excluded.created_at,
      updated_at = excluded.updated_at, last_error = excluded.last_error`,
  getOrder: 'SELECT * FROM orders WHERE client_order_id = ?',
  getOrderByVenueId: 'SELECT * FROM orders WHERE symbol = ? AND venue_order_id = ?',
  // Same predicate as the partial index orders_active (migration 2).
  activeOrders: `SELECT * FROM orders WHERE state NOT IN (${TERMINAL_LIST}) ORDER BY created_at, client_order_id`,
  recentOrders: 'SELECT * FROM orders ORDER BY updated_at DESC, rowid DESC LIMIT ?',
  // ON CONFLICT on the key only: unlike INSERT OR IGNORE it still fails on a NOT NULL violation.
  recordFill: `INSERT INTO fills (symbol, trade_id, order_id, client_order_id, side, price, qty, commission,
      commission_asset, realized_pnl, maker, time)
    VALUES (:symbol, :trade_id, :order_id, :client_order_id, :side, :price, :qty, :commission,
      :commission_asset, :realized_pnl, :maker, :time)
    ON CONFLICT (symbol, trade_id) DO NOTHING`,
  fills: `SELECT * FROM (SELECT * FROM fills WHERE symbol = ? ORDER BY trade_id DESC LIMIT ?) ORDER BY trade_id`,
  lastTradeId: 'SELECT MAX(trade_id) AS trade_id FROM fills WHERE symbol = ?',
  savePosition: `INSERT INTO positions (symbol, amount, entry_price, realized_pnl, updated_at)
    VALUES (:symbol, :amount, :entry_price, :realized_pnl, :updated_at)
    ON CONFLICT (symbol) DO UPDATE SET amount = excluded.amount, entry_price = excluded.entry_price,
      realized_pnl = excluded.realized_pnl, updated_at = excluded.updated_at`,
  positions: 'SELECT * FROM positions ORDER BY symbol',
  getRecord: 'SELECT value FROM state_records WHERE name = ?',
  setRecord: `INSERT INTO state_records (name, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  getValue: 'SELECT value FROM named_values WHERE key = ?',
  setValue: `INSERT INTO named_values (key, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  saveIncident: `INSERT INTO incidents (id, type, severity, symbol, summary, first_evidence_at, first_evidence,
      detected_at, contained_at, resolved_at, status, actions, acknowledgements)
    VALUES (:id, :type, :severity, :symbol, :summary, :first_evidence_at, :first_evidence,
      :detected_at, :contained_at, :resolved_at, :status, :actions, :acknowledgements)
    ON CONFLICT (id) DO UPDATE SET type = excluded.type, severity = excluded.severity, symbol = excluded.symbol,
      summary = excluded.summary, first_evidence_at = excluded.first_evidence_at,
      first_evidence = excluded.first_evidence, detected_at = excluded.detected_at,
      contained_at = excluded.contained_at, resolved_at = excluded.resolved_at, status = excluded.status,
      actions = excluded.actions, acknowledgements = excluded.acknowledgements`,
  getIncident: 'SELECT * FROM incidents WHERE id = ?',
  // Same predicate as the partial index incidents_unresolved (migration 3).
  listIncidents: `SELECT * FROM incidents WHERE (:openOnly = 0 OR status <> 'RESOLVED')
    ORDER BY detected_at DESC, rowid DESC LIMIT :limit`,
} as const;

type Statements = { readonly [K in keyof typeof SQL]: StatementSync };

/** The Store, IncidentStore, ApprovalStore and EngineSessionStore ports on one SQLite file through Node's built-in node:sqlite (no native dependency). */
export class SqliteStore implements Store, IncidentStore, ApprovalStore, EngineSessionStore {
  readonly #db: DatabaseSync;
  readonly #clock: Clock;
  readonly #statements: Statements;
  readonly #gate: GateTables;
  readonly #path: string;
  #transactionDepth = 0;

  /** Opens (creating if needed) and migrates the database. Throws STORE_OPEN_FAILED / STORE_SCHEMA_TOO_NEW. */
  static open(options: SqliteStoreOptions): SqliteStore {
    const inMemory = options.path === ':memory:';
    const path = inMemory ? options.path : resolve(options.path);
    let db: DatabaseSync | undefined;
    try {
      if (!inMemory) mkdirSync(dirname(path), { recursive: true });
      db = new DatabaseSync(path);
      db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`);
      db.exec('PRAGMA journal_mode = WAL');
      db.exec(`PRAGMA synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
      if (options.autoCheckpoint === false) db.exec('PRAGMA wal_autocheckpoint = 0');
      db.exec('PRAGMA foreign_keys = ON');
      applyMigrations(db, options.clock);
      return new SqliteStore(db, options.clock, path);
    } catch (error) {
      db?.close();
      if (error instanceof YunminError) throw error;
      throw storeError('STORE_OPEN_FAILED', `cannot open the state database ${path}: ${String(error)}`, {
        cause: error,
      });
    }
  }

  private constructor(db: DatabaseSync, clock: Clock, path: string) {
    this.#db = db;
    this.#clock = clock;
    this.#path = path;
    const statements: Partial<Record<keyof typeof SQL, StatementSync>> = {};
    for (const [name, sql] of Object.entries(SQL)) statements[name as keyof typeof SQL] = db.prepare(sql);
    this.#statements = statements as Statements;
    this.#gate = new GateTables(db);
  }

  get path(): string {
    return this.#path;
  }

  get schemaVersion(): number {
    return readSchemaVersion(this.#db);
  }

  appendEvent(event: StoredEvent): number {
    const payload = encodeEventPayload(event.type, event.payload);
    const result = this.#statements.appendEvent.run(event.at, event.type, payload);
    return Number(result.lastInsertRowid);
  }

  /** Events in seq order from `fromSeq` (inclusive); `types` filters (an empty list matches none). */
  events(range: { fromSeq?: number; types?: readonly string[]; limit?: number } = {}): readonly StoredEventRecord[] {
    const rows = this.#statements.events.all({
      fromSeq: range.fromSeq ?? 0,
      types: range.types === undefined ? null : JSON.stringify(range.types),
      limit: checkLimit(range.limit),
    });
    return rows.map((row) => {
      const seq = Number(row.seq);
      return { seq, at: Number(row.at), type: String(row.type), payload: decodeEventPayload(seq, String(row.payload)) };
    });
  }

  saveOrder(order: TrackedOrder): void {
    this.#statements.saveOrder.run(orderToRow(order));
  }

  getOrder(clientOrderId: string): TrackedOrder | undefined {
    const row = this.#statements.getOrder.get(clientOrderId);
    return row === undefined ? undefined : orderFromRow(row);
  }

  getOrderByVenueId(symbol: string, venueOrderId: number): TrackedOrder | undefined {
    const row = this.#statements.getOrderByVenueId.get(symbol, venueOrderId);
    return row === undefined ? undefined : orderFromRow(row);
  }

  activeOrders(): readonly TrackedOrder[] {
    return this.#statements.activeOrders.all().map(orderFromRow);
  }

  /** The `limit` most recently updated orders, newest first. */
  recentOrders(limit: number): readonly TrackedOrder[] {
    return this.#statements.recentOrders.all(checkLimit(limit)).map(orderFromRow);
  }

  recordFill(fill: FillReport): boolean {
    return Number(this.#statements.recordFill.run(fillToRow(fill)).changes) === 1;
  }

  /** The symbol's fills by trade id; with `limit`, the last `limit` of them (still oldest first). */
  fills(symbol: string, range: { limit?: number } = {}): readonly FillReport[] {
    return this.#statements.fills.all(symbol, checkLimit(range.limit)).map(fillFromRow);
  }

  lastTradeId(symbol: string): number | undefined {
    const value = this.#statements.lastTradeId.get(symbol)?.trade_id;
    return typeof value === 'number' ? value : undefined;
  }

  savePosition(position: Position): void {
    this.#statements.savePosition.run(positionToRow(position, this.#clock.now()));
  }

  positions(): readonly Position[] {
    return this.#statements.positions.all().map(positionFromRow);
  }

  getTradingState(): TradingStateRecord | undefined {
    const text = this.#getRecord(STATE_RECORD_NAMES.tradingState);
    return text === undefined ? undefined : tradingStateFromJson(text);
  }

  setTradingState(record: TradingStateRecord): void {
    this.#setRecord(STATE_RECORD_NAMES.tradingState, tradingStateToJson(record));
  }

  /** Never tripped (nothing stored) reads as ARMED. */
  getKillSwitch(): KillSwitchRecord {
    const text = this.#getRecord(STATE_RECORD_NAMES.killSwitch);
    return text === undefined ? { state: 'ARMED' } : killSwitchFromJson(text);
  }

  setKillSwitch(record: KillSwitchRecord): void {
    this.#setRecord(STATE_RECORD_NAMES.killSwitch, killSwitchToJson(record));
  }

  getEquityBaseline(): EquityBaseline | undefined {
    const text = this.#getRecord(STATE_RECORD_NAMES.equityBaseline);
    return text === undefined ? undefined : equityBaselineFromJson(text);
  }

  setEquityBaseline(baseline: EquityBaseline): void {
    this.#setRecord(STATE_RECORD_NAMES.equityBaseline, equityBaselineToJson(baseline));
  }

  getValue(key: string): string | undefined {
    const value = this.#statements.getValue.get(key)?.value;
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw new StoreCorruptError('named_values', key, 'value', 'expected text');
    return value;
  }

  setValue(key: string, value: string): void {
    this.#statements.setValue.run(key, value, this.#clock.now());
  }

  saveIncident(incident: Incident): void {
    this.#statements.saveIncident.run(incidentToRow(incident));
  }

  getIncident(id: string): Incident | undefined {
    const row = this.#statements.getIncident.get(id);
    return row === undefined ? undefined : incidentFromRow(row);
  }

  /** Newest detection first; `openOnly` keeps those not yet RESOLVED (OPEN and CONTAINED). */
  listIncidents(filter: { readonly openOnly?: boolean; readonly limit?: number } = {}): readonly Incident[] {
    return this.#statements.listIncidents
      .all({ openOnly: filter.openOnly === true ? 1 : 0, limit: checkLimit(filter.limit) })
      .map(incidentFromRow);
  }

  saveGateEntry(entry: GateEntry): void {
    this.#gate.saveGateEntry(entry);
  }

  gateEntries(incidentId: string): readonly GateEntry[] {
    return this.#gate.gateEntries(incidentId);
  }

  startEngineSession(session: EngineSession): void {
    this.#gate.startEngineSession(session);
  }

  heartbeatEngineSession(id: string, at: number, stopped?: boolean): void {
    this.#gate.heartbeatEngineSession(id, at, stopped);
  }

  engineSessions(filter?: {
    readonly mode?: EngineSession['mode'];
    readonly limit?: number;
  }): readonly EngineSession[] {
    return this.#gate.engineSessions(filter);
  }

  /**
   * All or nothing. Nested calls become savepoints, so an inner failure that the outer work catches
   * undoes only the inner writes. Work must be synchronous: a promise would outlive the transaction.
   */
  transaction<T>(work: () => T): T {
    const depth = this.#transactionDepth;
    const savepoint = `yunmin_${depth}`;
    this.#db.exec(depth === 0 ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${savepoint}`);
    this.#transactionDepth = depth + 1;
    try {
      const result = work();
      if (isThenable(result)) {
        throw storeError('STORE_ASYNC_TRANSACTION', 'transaction work returned a promise; it must be synchronous');
      }
      this.#db.exec(depth === 0 ? 'COMMIT' : `RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      if (this.#db.isTransaction) {
        this.#db.exec(depth === 0 ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      }
      throw error;
    } finally {
      this.#transactionDepth = depth;
    }
  }

  /**
   * `--reset-state`: deletes every row except the schema version. Event seq numbers keep counting
   * (AUTOINCREMENT), so a seq seen before the reset is never reused for a different event.
   */
  reset(): ResetSummary {
    return this.transaction(() => {
      const records = this.#db.prepare('SELECT name FROM state_records ORDER BY name').all();
      const values = this.#db.prepare('SELECT key FROM named_values ORDER BY key').all();
      const clear = (table: string): number => Number(this.#db.prepare(`DELETE FROM ${table}`).run().changes);
      const incidents = clear('incidents');
      // The gate's items belong to incidents cleared here; sessions describe state that is gone.
      const approvals = clear('approval_items');
      const sessions = clear('engine_sessions');
      const summary: ResetSummary = {
        orders: clear('orders'),
        fills: clear('fills'),
        positions: clear('positions'),
        events: clear('event_log'),
        other: [
          ...records.map((row) => `state record ${String(row.name)}`),
          ...values.map((row) => `value ${String(row.key)}`),
          ...(incidents > 0 ? [`${incidents} incident(s)`] : []),
          ...(approvals > 0 ? [`${approvals} approval item(s)`] : []),
          ...(sessions > 0 ? [`${sessions} engine session(s)`] : []),
        ],
      };
      clear('state_records');
      clear('named_values');
      return summary;
    });
  }

  /**
   * For `yunmin doctor`: SQLite's own integrity check, the schema version, and every stored row
   * decoded (a value that would throw STORE_CORRUPT at run time is reported here first).
   */
  check(): StoreCheck {
    const integrity = this.#db
      .prepare('PRAGMA integrity_check')
      .all()
      .map((row) => String(row.integrity_check));
    const integrityOk = integrity.length === 1 && integrity[0] === 'ok';
    const version = this.schemaVersion;
    const corrupt = this.#decodeEverything();
    const journal = String(this.#db.prepare('PRAGMA journal_mode').get()?.journal_mode);
    const parts = [
      `integrity ${integrityOk ? 'ok' : integrity.slice(0, 5).join('; ')}`,
      `schema v${version} (code v${LATEST_SCHEMA_VERSION})`,
      corrupt.count === 0 ? 'all rows decode' : `${corrupt.count} corrupt row(s), first: ${corrupt.first}`,
      `journal ${journal}`,
    ];
    return { ok: integrityOk && version === LATEST_SCHEMA_VERSION && corrupt.count === 0, detail: parts.join('; ') };
  }

  /** Idempotent. */
  /** Moves the WAL into the database file without blocking other connections (PASSIVE). */
  checkpoint(): void {
    this.#db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #getRecord(name: string): string | undefined {
    const value = this.#statements.getRecord.get(name)?.value;
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw new StoreCorruptError('state_records', name, 'value', 'expected JSON text');
    return value;
  }

  #setRecord(name: string, json: string): void {
    this.#statements.setRecord.run(name, json, this.#clock.now());
  }

  #decodeEverything(): { count: number; first: string | undefined } {
    let count = 0;
    let first: string | undefined;
    const attempt = (decode: () => unknown): void => {
      try {
        decode();
      } catch (error) {
        if (!(error instanceof StoreCorruptError)) throw error;
        count += 1;
        first ??= error.message;
      }
    };
    for (const row of this.#db.prepare('SELECT * FROM orders').iterate()) attempt(() => orderFromRow(row));
    for (const row of this.#db.prepare('SELECT * FROM fills').iterate()) attempt(() => fillFromRow(row));
    for (const row of this.#db.prepare('SELECT * FROM positions').iterate()) attempt(() => positionFromRow(row));
    for (const row of this.#db.prepare('SELECT * FROM incidents').iterate()) attempt(() => incidentFromRow(row));
    for (const row of this.#db.prepare('SELECT seq, payload FROM event_log').iterate()) {
      attempt(() => decodeEventPayload(Number(row.seq), String(row.payload)));
    }
    attempt(() => this.getTradingState());
    attempt(() => this.getKillSwitch());
    attempt(() => this.getEquityBaseline());
    this.#gate.decodeAll(attempt);
    return { count, first };
  }
}

/** SQLite reads LIMIT -1 as "no limit". */
function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return -1;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number ≥ 0, got ${limit}`);
  return limit;
}

function isThenable(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
