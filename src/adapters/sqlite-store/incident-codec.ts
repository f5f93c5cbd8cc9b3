import type {
  Acknowledgement,
  Incident,
  IncidentAction,
  IncidentStatus,
  IncidentType,
  Severity,
} from '../../domain/incident.ts';
import type { SqlRow } from './record-codecs.ts';
import { RowReader } from './row-reader.ts';

/**
 * Incident ⇄ `incidents` row (migration 3). Every column is checked on the way back in, so a record
 * edited by hand or written by a buggy release stops with STORE_CORRUPT naming the column, instead of
 * turning into a wrong time to detect in a review.
 */
const INCIDENT_TYPES: readonly IncidentType[] = [
  'WS_DISCONNECTED',
  'WS_STALE',
  'WS_RECONNECT_RATE',
  'REST_ERRORS',
  'REST_UNAVAILABLE',
  'HIGH_LATENCY',
  'STUCK_ORDER',
  'DAILY_DRAWDOWN',
  'POSITION_MISMATCH',
  'BALANCE_MISMATCH',
  'FLASH_CRASH',
  'DATA_ERROR',
  'KILL_SWITCH_STUCK',
  'KILL_SWITCH',
];
const SEVERITIES: readonly Severity[] = ['INFO', 'WARN', 'CRIT'];
const STATUSES: readonly IncidentStatus[] = ['OPEN', 'CONTAINED', 'RESOLVED'];
const ACTION_RESULTS: readonly IncidentAction['result'][] = ['ok', 'failed', 'started'];

export function incidentToRow(incident: Incident): SqlRow {
  return {
    id: incident.id,
    type: incident.type,
    severity: incident.severity,
    symbol: incident.symbol ?? null,
    summary: incident.summary,
    first_evidence_at: incident.firstEvidenceAt,
    first_evidence: incident.firstEvidence,
    detected_at: incident.detectedAt,
    contained_at: incident.containedAt ?? null,
    resolved_at: incident.resolvedAt ?? null,
    status: incident.status,
    // Field by field, so nothing beyond the contract is stored (JSON.stringify drops undefined).
    actions: JSON.stringify(
      incident.actions.map((entry) => ({
        at: entry.at,
        action: entry.action,
        result: entry.result,
        detail: entry.detail,
      })),
    ),
    acknowledgements: JSON.stringify(incident.acknowledgements.map((ack) => ({ by: ack.by, at: ack.at }))),
  };
}

export function incidentFromRow(row: Readonly<Record<string, unknown>>): Incident {
  const key = typeof row.id === 'string' ? row.id : '?';
  const read = new RowReader('incidents', key, row);
  const symbol = read.optionalString('symbol');
  const containedAt = read.optionalInteger('contained_at');
  const resolvedAt = read.optionalInteger('resolved_at');
  return {
    id: read.string('id'),
    type: read.oneOf('type', INCIDENT_TYPES),
    severity: read.oneOf('severity', SEVERITIES),
    ...(symbol === undefined ? {} : { symbol }),
    summary: read.string('summary'),
    firstEvidenceAt: read.integer('first_evidence_at'),
    firstEvidence: read.string('first_evidence'),
    detectedAt: read.integer('detected_at'),
    actions: jsonObjects(read, key, 'actions').map(({ reader }) => {
      const detail = reader.optionalString('detail');
      return {
        at: reader.integer('at'),
        action: reader.string('action'),
        result: reader.oneOf('result', ACTION_RESULTS),
        ...(detail === undefined ? {} : { detail }),
      };
    }),
    ...(containedAt === undefined ? {} : { containedAt }),
    ...(resolvedAt === undefined ? {} : { resolvedAt }),
    status: read.oneOf('status', STATUSES),
    acknowledgements: jsonObjects(read, key, 'acknowledgements').map(
      ({ reader }): Acknowledgement => ({ by: reader.string('by'), at: reader.integer('at') }),
    ),
  };
}

/** A JSON array column of objects, each with its own reader (columns read "actions[2].at"). */
function jsonObjects(read: RowReader, key: string, column: string): { reader: RowReader }[] {
  const text = read.string(column);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw read.corrupt(column, 'not valid JSON', error);
  }
  if (!Array.isArray(parsed)) throw read.corrupt(column, 'not a JSON array');
  return parsed.map((element: unknown, index) => {
    if (typeof element !== 'object' || element === null || Array.isArray(element)) {
      throw read.corrupt(`${column}[${index}]`, 'not a JSON object');
    }
    return { reader: new RowReader('incidents', key, element as Record<string, unknown>, `${column}[${index}].`) };
  });
}
