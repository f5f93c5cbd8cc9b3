import type { EquityBaseline } from '../domain/equity-baseline.ts';
import type { KillSwitchRecord } from '../domain/kill-switch-record.ts';
import type { FillReport } from '../domain/order.ts';
import type { Position } from '../domain/position.ts';
import type { TrackedOrder } from '../domain/tracked-order.ts';
import type { TradingState } from '../domain/trading-state.ts';

/** One entry of the append-only event log: what happened, in order, for replay and review. */
export interface StoredEvent {
  readonly type: string;
  readonly at: number;
  /** JSON-serialisable; bigints (Fixed) are stored as decimal strings by the implementation. */
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface StoredEventRecord extends StoredEvent {
  readonly seq: number;
}

export interface TradingStateRecord {
  readonly state: TradingState;
  readonly changedAt: number;
  /** "automation:<detector>" or "operator:<name>". */
  readonly changedBy: string;
  readonly reason: string;
}

export interface ResetSummary {
  readonly orders: number;
  readonly fills: number;
  readonly positions: number;
  readonly events: number;
  readonly other: readonly string[];
}

/**
 * Durable state (SQLite in production). Synchronous on purpose: an order is persisted before it is
 * sent, and a crash between two statements must be recoverable, so every write is committed when
 * the call returns (use `transaction` to group).
 */
export interface Store {
  /** Appends to the event log; returns its sequence number. */
  appendEvent(event: StoredEvent): number;
  events(range?: { fromSeq?: number; types?: readonly string[]; limit?: number }): readonly StoredEventRecord[];

  saveOrder(order: TrackedOrder): void;
  getOrder(clientOrderId: string): TrackedOrder | undefined;
  /** Our order by the venue's id (REST fills name only that). */
  getOrderByVenueId(symbol: string, venueOrderId: number): TrackedOrder | undefined;
  /** Orders not in a terminal state (PENDING_SUBMIT, SUBMITTED, UNKNOWN, OPEN, PARTIALLY_FILLED, PENDING_CANCEL). */
  activeOrders(): readonly TrackedOrder[];
  recentOrders(limit: number): readonly TrackedOrder[];

  /** Records a fill once: false when (symbol, tradeId) was already recorded. */
  recordFill(fill: FillReport): boolean;
  fills(symbol: string, range?: { limit?: number }): readonly FillReport[];
  /** Highest trade id recorded for the symbol: where a restart resumes `userTrades`. */
  lastTradeId(symbol: string): number | undefined;

  savePosition(position: Position): void;
  positions(): readonly Position[];

  getTradingState(): TradingStateRecord | undefined;
  setTradingState(record: TradingStateRecord): void;
  getKillSwitch(): KillSwitchRecord;
  setKillSwitch(record: KillSwitchRecord): void;
  getEquityBaseline(): EquityBaseline | undefined;
  setEquityBaseline(baseline: EquityBaseline): void;

  /** Small named values (cursors, last sync times). */
  getValue(key: string): string | undefined;
  setValue(key: string, value: string): void;

  /** Runs `work` in one transaction (all or nothing). */
  transaction<T>(work: () => T): T;
  /** Flushes the write-ahead log into the database, off the order path (the engine's sync timer). */
  checkpoint(): void;
  /** `--reset-state`: clears everything deliberately and says what it cleared. */
  reset(): ResetSummary;
  close(): void;
}
