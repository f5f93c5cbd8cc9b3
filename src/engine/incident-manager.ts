import type { Incident, IncidentAction, IncidentType, Severity } from '../domain/incident.ts';
import type { Clock } from '../lib/clock.ts';
import type { IncidentStore } from '../ports/incident-store.ts';
import type { Logger } from '../ports/logger.ts';

export interface OpenIncident {
  readonly type: IncidentType;
  readonly severity: Severity;
  readonly symbol?: string;
  /** One line for the log and the alert, in the playbook's words ("WebSocket stale: 75s"). */
  readonly summary: string;
  readonly firstEvidenceAt: number;
  readonly firstEvidence: string;
}

/**
 * Opens, updates and closes incident records (issue 5 point 4). One incident per (type, symbol) is
 * open at a time: a detector that keeps firing adds to it instead of opening another. Every change is
 * persisted and logged, and listeners (alerting, issue 6) are told.
 */
export class IncidentManager {
  readonly #clock: Clock;
  readonly #store: IncidentStore;
  readonly #logger: Logger;
  readonly #listeners: ((incident: Incident) => void)[] = [];
  #sequence = 0;

  constructor(deps: { clock: Clock; store: IncidentStore; logger: Logger }) {
    this.#clock = deps.clock;
    this.#store = deps.store;
    this.#logger = deps.logger;
  }

  onChange(listener: (incident: Incident) => void): void {
    this.#listeners.push(listener);
  }

  /** The open (or contained, not yet resolved) incident of this type and symbol. */
  current(type: IncidentType, symbol?: string): Incident | undefined {
    return this.#store
      .listIncidents({ openOnly: true })
      .find((incident) => incident.type === type && incident.symbol === symbol);
  }

  open(input: OpenIncident): Incident {
    const existing = this.current(input.type, input.symbol);
    if (existing !== undefined) return existing;
    const now = this.#clock.now();
    this.#sequence += 1;
    const incident: Incident = {
      id: `INC-${now.toString(36).toUpperCase()}-${this.#sequence}`,
      type: input.type,
      severity: input.severity,
      ...(input.symbol !== undefined && { symbol: input.symbol }),
      summary: input.summary,
      firstEvidenceAt: input.firstEvidenceAt,
      firstEvidence: input.firstEvidence,
      detectedAt: now,
      actions: [],
      status: 'OPEN',
      acknowledgements: [],
    };
    this.#log(input.severity, `${input.summary} [${incident.id}]`);
    return this.#save(incident);
  }

  action(id: string, action: string, result: IncidentAction['result'], detail?: string): Incident | undefined {
    const incident = this.#store.getIncident(id);
    if (incident === undefined) return undefined;
    const entry: IncidentAction = { at: this.#clock.now(), action, result, ...(detail !== undefined && { detail }) };
    this.#log(
      result === 'failed' ? 'CRIT' : 'INFO',
      `${incident.type} ${id}: ${action}: ${result}${detail === undefined ? '' : ` (${detail})`}`,
    );
    return this.#save({ ...incident, actions: [...incident.actions, entry] });
  }

  /** The exposure is under control (orders paused, positions closed, stream back): time to contain stops. */
  contain(id: string, detail?: string): Incident | undefined {
    const incident = this.#store.getIncident(id);
    if (incident === undefined || incident.containedAt !== undefined) return incident;
    this.#log('INFO', `${incident.type} ${id}: contained${detail === undefined ? '' : ` (${detail})`}`);
    return this.#save({ ...incident, containedAt: this.#clock.now(), status: 'CONTAINED' });
  }

  /** The cause has passed (or an operator closed it). */
  resolve(id: string, detail?: string): Incident | undefined {
    const incident = this.#store.getIncident(id);
    if (incident === undefined || incident.status === 'RESOLVED') return incident;
    const now = this.#clock.now();
    this.#log('INFO', `${incident.type} ${id}: resolved${detail === undefined ? '' : ` (${detail})`}`);
    return this.#save({ ...incident, containedAt: incident.containedAt ?? now, resolvedAt: now, status: 'RESOLVED' });
  }

  acknowledge(id: string, by: string): Incident | undefined {
    const incident = this.#store.getIncident(id);
    if (incident === undefined) return undefined;
    this.#log('INFO', `${incident.type} ${id}: acknowledged by ${by}`);
    return this.#save({ ...incident, acknowledgements: [...incident.acknowledgements, { by, at: this.#clock.now() }] });
  }

  #save(incident: Incident): Incident {
    this.#store.saveIncident(incident);
    for (const listener of this.#listeners) listener(incident);
    return incident;
  }

  #log(severity: Severity, message: string): void {
    if (severity === 'CRIT') this.#logger.crit(message);
    else if (severity === 'WARN') this.#logger.warn(message);
    else this.#logger.info(message);
  }
}
