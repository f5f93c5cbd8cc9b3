import { describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { LineLogger, MemoryIncidentStore } from '../detectors/network-detector-test-kit.ts';
import { IncidentManager } from '../incident-manager.ts';
import { alertCommands } from './alert-control-commands.ts';
import { AlertEscalator, POSTMORTEM_ACTION } from './alert-escalator.ts';

function setup() {
  const clock = new TestClock();
  const store = new MemoryIncidentStore();
  const logger = new LineLogger();
  const incidents = new IncidentManager({ clock, store, logger });
  const escalator = new AlertEscalator({
    clock,
    incidents,
    channels: new Map(),
    logger,
    lookup: (id) => store.getIncident(id),
  });
  const incident = incidents.open({
    type: 'STUCK_ORDER',
    severity: 'CRIT',
    summary: 'order stuck 301s',
    firstEvidenceAt: clock.now(),
    firstEvidence: 'LIMIT placed',
  });
  return { clock, store, escalator, incident, commands: alertCommands(escalator) };
}

describe('alertCommands', () => {
  it('ack {id, by} → acknowledgement recorded, escalation cancelled', async () => {
    const { commands, incident, store, escalator } = setup();
    expect(escalator.counters().pendingEscalations).toBe(1);
    await commands.get('ack')?.({ id: incident.id, by: 'ana' });
    expect(store.getIncident(incident.id)?.acknowledgements.map((a) => a.by)).toEqual(['ana']);
    expect(escalator.counters().pendingEscalations).toBe(0);
  });

  it('ack without a name → CONTROL_BAD_ARGUMENT', async () => {
    const { commands, incident } = setup();
    await expect(commands.get('ack')?.({ id: incident.id, by: ' ' })).rejects.toMatchObject({
      code: 'CONTROL_BAD_ARGUMENT',
    });
  });

  it('postmortem {id} → Markdown, and the draft recorded on the incident', async () => {
    const { commands, incident, store } = setup();
    const result = (await commands.get('postmortem')?.({ id: incident.id })) as { markdown: string };
    expect(result.markdown).toContain(`# Post-incident review: ${incident.id}`);
    expect(store.getIncident(incident.id)?.actions.some((a) => a.action === POSTMORTEM_ACTION)).toBe(true);
  });

  it('postmortem of an unknown id → ALERT_INCIDENT_NOT_FOUND', async () => {
    const { commands } = setup();
    await expect(commands.get('postmortem')?.({ id: 'INC-NONE' })).rejects.toMatchObject({
      code: 'ALERT_INCIDENT_NOT_FOUND',
    });
  });
});
