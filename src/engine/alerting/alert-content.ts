import type { Incident } from '../../domain/incident.ts';
import type { AlertMessage } from '../../ports/alert-sink.ts';
import type { EscalationRule } from './escalation-matrix.ts';
import { NEXT_MANUAL_STEPS } from './next-manual-steps.ts';

/** What the engine is doing now, for the "current mode and positions" part of an alert. */
export interface AlertContext {
  readonly mode: string;
  readonly tradingState: string;
  /** One line per open position, e.g. "BTCUSDT LONG 0.010". */
  readonly positions: readonly string[];
}

export type AlertKind = 'alert' | 'recovery' | 'review';

/** "2026-01-01 00:01:01 UTC": the playbook's log timestamp, read from a Clock value. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** 850 ms, 4.2 s, 3m 07s, 2h 05m (the same shape as `yunmin incidents`). */
export function formatElapsed(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const seconds = Math.round(abs / 1000);
  if (seconds < 3600) return `${sign}${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(seconds / 60);
  return `${sign}${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** "WS_STALE BTCUSDT: WebSocket stale: 61s": the `{incident}` of §9's "[URGENT] {incident name}". */
export function incidentName(incident: Incident): string {
  const subject = incident.symbol === undefined ? incident.type : `${incident.type} ${incident.symbol}`;
  return `${subject}: ${incident.summary}`;
}

export function renderTitle(template: string, incident: Incident): string {
  return template.replaceAll('{incident}', incidentName(incident)).replaceAll('{status}', incident.status);
}

/** Replaces every secret value (API keys, tokens, webhook URLs) before a message leaves the process. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 4) result = result.replaceAll(secret, '[redacted]');
  return result;
}

/**
 * The body a person can act on (issue 6 point 5): what was detected, what yunmin already did, the
 * state now, the playbook's next manual step, and where to look. Plain text: every channel can carry it.
 */
export function renderAlertText(input: {
  readonly incident: Incident;
  readonly rule: EscalationRule;
  readonly context: AlertContext | undefined;
  readonly dashboardUrl: string | undefined;
  readonly kind: AlertKind;
  readonly reviewDueAt?: number;
}): string {
  const { incident, rule, context } = input;
  const step = NEXT_MANUAL_STEPS[incident.type];
  const lines: string[] = [];
  switch (input.kind) {
    case 'alert':
      lines.push(`${incident.severity} ${incidentName(incident)} (${incident.id}, ${incident.status})`);
      break;
    case 'recovery':
      lines.push(
        `RESOLVED ${incidentName(incident)} (${incident.id})`,
        `Resolved at ${formatUtc(incident.resolvedAt ?? incident.detectedAt)}, ${formatElapsed((incident.resolvedAt ?? incident.detectedAt) - incident.detectedAt)} after detection.`,
      );
      break;
    case 'review':
      lines.push(
        `REVIEW DUE ${incidentName(incident)} (${incident.id})`,
        `Post-incident review due by ${formatUtc(input.reviewDueAt ?? incident.detectedAt)} (playbook §9): schedule the meeting, document the root cause, plan prevention.`,
        `Draft it with: yunmin postmortem ${incident.id} --out postmortem-${incident.id}.md`,
      );
      break;
    default: {
      const unreachable: never = input.kind;
      throw new Error(`unknown alert kind ${String(unreachable)}`);
    }
  }
  lines.push(
    `Detected: ${formatUtc(incident.detectedAt)}: ${incident.summary}`,
    `First evidence: ${formatUtc(incident.firstEvidenceAt)}: ${incident.firstEvidence}`,
    `What yunmin did (times from detection):`,
  );
  if (incident.actions.length === 0) lines.push('  nothing yet');
  for (const action of incident.actions) {
    const detail = action.detail === undefined ? '' : ` (${action.detail})`;
    lines.push(
      `  +${formatElapsed(action.at - incident.detectedAt)} ${action.result.toUpperCase()} ${action.action}${detail}`,
    );
  }
  if (context === undefined) lines.push('Now: engine state unknown');
  else {
    const positions = context.positions.length === 0 ? 'none' : context.positions.join(', ');
    lines.push(`Now: mode ${context.mode}, trading ${context.tradingState}, positions: ${positions}`);
  }
  if (incident.acknowledgements.length > 0) {
    lines.push(
      `Acknowledged by: ${incident.acknowledgements.map((ack) => `${ack.by} at ${formatUtc(ack.at)}`).join(', ')}`,
    );
  }
  lines.push(
    `Expected (§10): ${rule.action}`,
    `Next manual step (playbook ${step.section}): ${step.step}`,
    `Where to look: ${input.dashboardUrl === undefined ? '' : `${input.dashboardUrl}, `}yunmin incidents show ${incident.id}`,
  );
  if (input.kind === 'alert' && incident.acknowledgements.length === 0) {
    lines.push(`Acknowledge (stops escalation): yunmin ack ${incident.id} --by NAME`);
  }
  return lines.join('\n');
}

export interface AlertMessageSpec {
  readonly kind: AlertKind;
  readonly title: string;
  readonly mentions: readonly string[];
  readonly event: AlertMessage['event'];
  /** 1-based matrix level; 0 for acknowledge, recovery and review messages. */
  readonly level: number;
  readonly reviewDueAt?: number;
}

/** The port's message: the text above, structured fields for the JSON webhook, every secret redacted. */
export function buildAlertMessage(
  incident: Incident,
  rule: EscalationRule,
  spec: AlertMessageSpec,
  environment: {
    readonly context: AlertContext | undefined;
    readonly dashboardUrl: string | undefined;
    readonly secrets: readonly string[];
  },
): AlertMessage {
  const { context, dashboardUrl } = environment;
  const redact = (text: string): string => redactSecrets(text, environment.secrets);
  const text = renderAlertText({
    incident,
    rule,
    context,
    dashboardUrl,
    kind: spec.kind,
    ...(spec.reviewDueAt !== undefined && { reviewDueAt: spec.reviewDueAt }),
  });
  const fields: Record<string, string> = {
    incident_id: incident.id,
    type: incident.type,
    severity: incident.severity,
    status: incident.status,
    summary: redact(incident.summary),
    detected_at: formatUtc(incident.detectedAt),
    level: String(spec.level),
    kind: spec.kind,
    show: `yunmin incidents show ${incident.id}`,
    ...(incident.symbol !== undefined && { symbol: incident.symbol }),
    ...(context !== undefined && { mode: context.mode, trading_state: context.tradingState }),
    ...(dashboardUrl !== undefined && { dashboard: dashboardUrl }),
  };
  return {
    // A review reminder must not re-open the paged incident on PagerDuty: its own key.
    dedupKey: spec.kind === 'review' ? `${incident.id}-review` : incident.id,
    severity: incident.severity,
    title: redact(spec.title),
    text: redact(text),
    mentions: spec.mentions,
    event: spec.event,
    fields,
  };
}
