import { YunminError } from '../../lib/yunmin-error.ts';
import type { AlertEscalator } from './alert-escalator.ts';
import { renderPostmortem } from './postmortem.ts';

/**
 * An operator command run inside the engine. The same shape as `ControlCommand` in
 * src/server/health-server.ts, restated because the engine layer may not import the server.
 */
export type AlertControlCommand = (args: Readonly<Record<string, unknown>>) => Promise<unknown>;

function text(args: Readonly<Record<string, unknown>>, key: string): string {
  const value = args[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new YunminError('CONTROL_BAD_ARGUMENT', `"${key}" must be a non-empty string`);
  }
  return value.trim();
}

/**
 * The control API of alerting (`POST /control/command/:name`): `ack` {id, by} acknowledges an
 * incident and stops its escalation; `postmortem` {id} renders the review and records that it was
 * drafted (no review reminder after that).
 */
export function alertCommands(escalator: AlertEscalator): Map<string, AlertControlCommand> {
  return new Map<string, AlertControlCommand>([
    [
      'ack',
      async (args) => {
        const incident = escalator.acknowledge(text(args, 'id'), text(args, 'by'));
        return { id: incident.id, status: incident.status, acknowledgements: incident.acknowledgements };
      },
    ],
    [
      'postmortem',
      async (args) => {
        const id = text(args, 'id');
        if (escalator.incident(id) === undefined)
          throw new YunminError('ALERT_INCIDENT_NOT_FOUND', `no incident ${id}`);
        escalator.recordPostmortem(id);
        const incident = escalator.incident(id);
        if (incident === undefined) throw new YunminError('ALERT_INCIDENT_NOT_FOUND', `no incident ${id}`);
        return { id, markdown: renderPostmortem(incident) };
      },
    ],
  ]);
}
