import type { Incident } from '../domain/incident.ts';

/** Durable incident records (SQLite in production, beside the Store). */
export interface IncidentStore {
  saveIncident(incident: Incident): void;
  getIncident(id: string): Incident | undefined;
  /** Newest first. */
  listIncidents(filter?: { readonly openOnly?: boolean; readonly limit?: number }): readonly Incident[];
}
