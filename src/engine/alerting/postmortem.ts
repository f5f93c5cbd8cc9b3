import { type Incident, timeToContain, timeToDetect } from '../../domain/incident.ts';
import { formatElapsed, formatUtc, incidentName } from './alert-content.ts';
import { NEXT_MANUAL_STEPS } from './next-manual-steps.ts';
import { recordedRootCause, resumptionGateSection } from './postmortem-gate.ts';

/** What the record does not carry; each left out is printed as "unknown". */
export interface PostmortemExtra {
  /** Realized PnL of the incident window, as a decimal string with its asset ("-13.50 USDT"). */
  readonly pnl?: string;
  /** When the draft was generated (printed only if given, so the output stays deterministic). */
  readonly generatedAt?: number;
}

const UNKNOWN = 'unknown';
const BLANK = '________________________';

/** "close BTCUSDT (batch)" with result ok → BTCUSDT: what the kill switch and §4 actions record. */
function positionsClosed(incident: Incident): string[] {
  const symbols = new Set<string>();
  for (const action of incident.actions) {
    const match = /^close ([A-Z0-9]+)\b/.exec(action.action);
    if (match?.[1] !== undefined && action.result === 'ok') symbols.add(match[1]);
  }
  return [...symbols];
}

const isEscalation = (action: string): boolean =>
  /^alert level \d+$/.test(action) || /^(acknowledge|recovery|review) message$/.test(action);

function relative(incident: Incident, at: number): string {
  const delta = at - incident.detectedAt;
  return `${delta < 0 ? '-' : '+'}${formatElapsed(Math.abs(delta))}`;
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/**
 * The playbook's post-incident review (§1 checklist, §2 error type, §5 step 3 post-mortem, §7 step 4,
 * §9 "document root cause, plan prevention") as Markdown, every measurable field filled from the
 * record: time to detect, to contain and to resolve, impact, the actions timeline relative to
 * detection, acknowledgements and escalations. The root cause and prevention are left for a person.
 * Same input, same output (no clock read).
 */
export function renderPostmortem(incident: Incident, extra: PostmortemExtra = {}): string {
  const ttd = timeToDetect(incident);
  const ttc = timeToContain(incident);
  const resolvedIn = incident.resolvedAt === undefined ? undefined : incident.resolvedAt - incident.detectedAt;
  const closed = positionsClosed(incident);
  const failed = incident.actions.filter((action) => action.result === 'failed' && !isEscalation(action.action));
  const escalations = incident.actions.filter((action) => isEscalation(action.action));
  const step = NEXT_MANUAL_STEPS[incident.type];
  const rootCause = recordedRootCause(incident);
  const lines: string[] = [
    `# Post-incident review: ${incident.id}`,
    '',
    `**${incident.severity} ${cell(incidentName(incident))}**`,
    '',
    '| Field | Value |',
    '|---|---|',
    `| Incident | ${incident.id} |`,
    `| Type | ${incident.type}${incident.symbol === undefined ? '' : ` (${incident.symbol})`} |`,
    `| Severity | ${incident.severity} |`,
    `| Status | ${incident.status} |`,
    `| First evidence | ${formatUtc(incident.firstEvidenceAt)}: ${cell(incident.firstEvidence)} |`,
    `| Detected | ${formatUtc(incident.detectedAt)} |`,
    `| Contained | ${incident.containedAt === undefined ? 'not contained' : formatUtc(incident.containedAt)} |`,
    `| Resolved | ${incident.resolvedAt === undefined ? 'not resolved' : formatUtc(incident.resolvedAt)} |`,
    ...(extra.generatedAt === undefined ? [] : [`| Draft generated | ${formatUtc(extra.generatedAt)} |`]),
    '',
    '## Review checklist',
    '',
    rootCause === undefined
      ? `- [ ] Root cause identified: ${BLANK}`
      : `- [x] Root cause identified: ${cell(rootCause)}`,
    `- [x] Time to detect: ${formatElapsed(ttd)} (first evidence → detection)`,
    `- [${ttc === undefined ? ' ' : 'x'}] Time to contain: ${ttc === undefined ? 'not contained' : formatElapsed(ttc)} (detection → exposure under control)`,
    `- [${resolvedIn === undefined ? ' ' : 'x'}] Time to recover: ${resolvedIn === undefined ? 'not resolved' : formatElapsed(resolvedIn)} (detection → resolved)`,
    `- [ ] Impact: PnL ${extra.pnl ?? UNKNOWN}; positions closed: ${closed.length === 0 ? 'none recorded' : closed.join(', ')}; failed actions: ${failed.length}`,
    `- [ ] Resolution: ${BLANK}`,
    `- [ ] Prevention: ${BLANK}`,
    `- [${incident.acknowledgements.length > 0 ? 'x' : ' '}] Acknowledged: ${incident.acknowledgements.length === 0 ? 'never' : incident.acknowledgements.map((ack) => `${ack.by} (${relative(incident, ack.at)})`).join(', ')}`,
    '- [ ] System worked as expected? ________________________',
    '',
    '## What was detected',
    '',
    `${cell(incident.summary)}. First evidence at ${formatUtc(incident.firstEvidenceAt)}: ${cell(incident.firstEvidence)}.`,
    '',
    '## Actions timeline (times from detection)',
    '',
  ];
  if (incident.actions.length === 0) lines.push('No actions recorded.');
  else {
    lines.push('| Time | Result | Action | Detail |', '|---|---|---|---|');
    for (const action of incident.actions) {
      lines.push(
        `| ${relative(incident, action.at)} | ${action.result.toUpperCase()} | ${cell(action.action)} | ${cell(action.detail ?? '')} |`,
      );
    }
  }
  lines.push('', '## Acknowledgements', '');
  if (incident.acknowledgements.length === 0) lines.push('None.');
  for (const ack of incident.acknowledgements) {
    lines.push(`- ${cell(ack.by)} at ${formatUtc(ack.at)} (${relative(incident, ack.at)})`);
  }
  lines.push('', '## Escalations sent', '');
  if (escalations.length === 0) lines.push('None recorded.');
  for (const action of escalations) {
    lines.push(
      `- ${relative(incident, action.at)} ${action.action}: ${action.result === 'ok' ? 'delivered' : 'FAILED'}${action.detail === undefined ? '' : ` (${cell(action.detail)})`}`,
    );
  }
  lines.push('', ...resumptionGateSection(incident));
  lines.push(
    '## For the people in the room',
    '',
    `- Playbook ${step.section}: ${step.step}`,
    '- Root cause (a person writes this): ',
    '- Prevention plan: ',
    '- Before going LIVE again (§5 step 5): root cause identified, fix tested in backtest, fix tested in dry-run, CTO approval, team briefing.',
    '',
  );
  return lines.join('\n');
}
