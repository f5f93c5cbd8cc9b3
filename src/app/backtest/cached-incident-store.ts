import type { Incident } from '../../domain/incident.ts';
import type { IncidentStore } from '../../ports/incident-store.ts';

/**
 * The backtest's incident store: the detectors ask for the open incidents on every evaluation, which
 * on SQLite decodes each open record's JSON again. In a backtest the IncidentManager is the only
 * writer, so the open list can be kept until the next save.
 */
export class CachedIncidentStore implements IncidentStore {
  readonly #store: IncidentStore;
  #open: readonly Incident[] | undefined;

  constructor(store: IncidentStore) {
    this.#store = store;
  }

  saveIncident(incident: Incident): void {
    this.#open = undefined;
    this.#store.saveIncident(incident);
  }

  getIncident(id: string): Incident | undefined {
    return this.#store.getIncident(id);
  }

  listIncidents(filter?: { readonly openOnly?: boolean; readonly limit?: number }): readonly Incident[] {
    if (filter?.openOnly !== true || filter.limit !== undefined) return this.#store.listIncidents(filter);
    this.#open ??= this.#store.listIncidents({ openOnly: true });
    return this.#open;
  }
}
