import { GATE_ITEM_TITLES, GATE_ITEMS, GATE_RELEASE_ACTION, gateActionName } from '../../domain/approval-gate.ts';
import type { Incident, IncidentAction } from '../../domain/incident.ts';
import { formatElapsed, formatUtc } from './alert-content.ts';

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function relative(incident: Incident, at: number): string {
  const delta = at - incident.detectedAt;
  return `${delta < 0 ? '-' : '+'}${formatElapsed(Math.abs(delta))}`;
}

const lastAction = (incident: Incident, name: string): IncidentAction | undefined =>
  incident.actions.filter((action) => action.action === name).at(-1);

/** The recorded root cause ("by operator:ana: <text>"), for the review checklist. */
export function recordedRootCause(incident: Incident): string | undefined {
  return lastAction(incident, gateActionName('root-cause'))?.detail;
}

/**
 * The postmortem's "Resumption gate" section (issue 8 point 5, playbook §5 step 5): each item with
 * who and when (from the incident actions the gate mirrors), or "missing", and how the release went,
 * a FORCED release in bold with what was missing. Only KILL_SWITCH incidents carry a gate.
 */
export function resumptionGateSection(incident: Incident): string[] {
  if (incident.type !== 'KILL_SWITCH') return [];
  const lines = [
    '## Resumption gate (playbook §5 step 5)',
    '',
    '| Item | Status | Recorded | Detail |',
    '|---|---|---|---|',
  ];
  for (const item of GATE_ITEMS) {
    const action = lastAction(incident, gateActionName(item));
    lines.push(
      action === undefined
        ? `| ${GATE_ITEM_TITLES[item]} | missing | | |`
        : `| ${GATE_ITEM_TITLES[item]} | recorded | ${formatUtc(action.at)} (${relative(incident, action.at)}) | ${cell(action.detail ?? '')} |`,
    );
  }
  const release = lastAction(incident, GATE_RELEASE_ACTION);
  lines.push('');
  if (release === undefined) lines.push('Release: not released through the gate.');
  else if (release.result === 'failed') {
    lines.push(`Release: **FORCED** at ${formatUtc(release.at)}: ${cell(release.detail ?? '')}`);
  } else lines.push(`Release: at ${formatUtc(release.at)}, ${cell(release.detail ?? '')}`);
  lines.push('');
  return lines;
}
