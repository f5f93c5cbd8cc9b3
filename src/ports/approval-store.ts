import type { GateEntry } from '../domain/approval-gate.ts';

/** The resumption gate's recorded items (SQLite in production, beside the Store), per KILL_SWITCH incident. */
export interface ApprovalStore {
  /** Records an item; an item recorded again for the same incident replaces the earlier one. */
  saveGateEntry(entry: GateEntry): void;
  /** The incident's recorded items, in GATE_ITEMS order. */
  gateEntries(incidentId: string): readonly GateEntry[];
}
