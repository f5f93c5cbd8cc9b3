import { z } from 'zod';
import type { IncidentType, Severity } from '../../domain/incident.ts';

/**
 * The escalation matrix as data (playbook §9 "Emergency Contact Procedures" and §10 "Escalation
 * Matrix"; DESIGN incident matrix rows 9–10): for each incident type, who is told, on which channel,
 * and when. Level 1 goes out at once; every later level only if nobody acknowledged the incident
 * before its time. Channels are named as configured (`slack`, `pagerduty`, `email`…); roles are
 * resolved to a mention and extra channels through the contacts table.
 */
export interface EscalationLevel {
  /** Delay from detection; 0 = at once. Later levels are cancelled by an acknowledgement. */
  readonly afterMs: number;
  readonly roles: readonly string[];
  /** Channel names; each role's contact channels are added to these. */
  readonly channels: readonly string[];
  /** Sent only for incidents at least this severe (the CTO email is for CRIT, playbook §9). */
  readonly minSeverity: 'WARN' | 'CRIT';
  /** Title template: `{incident}` (type, symbol, summary) and `{status}`. */
  readonly title: string;
}

export interface EscalationRule {
  /** The playbook's severity for this type; the incident's own severity wins (§6 is WARN or CRIT by size). */
  readonly severity: Severity;
  /** §10 "Response Time": how soon the people of the last level must answer. */
  readonly responseTimeMs: number;
  readonly levels: readonly EscalationLevel[];
  /** §10 "Action": what is expected, in the playbook's words. */
  readonly action: string;
}

export interface Contact {
  /** How a message names this role: "@trading-lead", "cto@company.com". */
  readonly mention: string;
  /** Channels that reach this role whenever a level names it. */
  readonly channels: readonly string[];
}

export interface EscalationMatrix {
  readonly rules: Readonly<Record<IncidentType, EscalationRule>>;
  readonly contacts: Readonly<Record<string, Contact>>;
  /** §9 "Within 30 min: post-incident review" after a CRIT. */
  readonly reviewDueMs: number;
}

const MINUTE = 60_000;
const INCIDENT_TITLE = '[INCIDENT] {incident} — {status}';
const URGENT_TITLE = '[URGENT] {incident}';

export const DEFAULT_CONTACTS: Readonly<Record<string, Contact>> = {
  'trading-lead': { mention: '@trading-lead', channels: [] },
  engineer: { mention: '@engineer', channels: [] },
  cto: { mention: 'cto@company.com', channels: [] },
};

/**
 * The §9 ladder: level 1 Slack #trading-live mentioning @trading-lead (and whoever §10 names) at
 * once; for CRIT the CTO is emailed "[URGENT] {incident}" at once, which is within §9's 5 minutes and
 * matches §10's "Immediate: … + CTO"; level 2 pages the trading lead when nobody acknowledged within
 * `pageAfterMs` (5 min, §9 "Phone (if no Slack response)").
 */
function ladder(extraRoles: readonly string[], pageAfterMs = 5 * MINUTE): EscalationLevel[] {
  return [
    {
      afterMs: 0,
      roles: ['trading-lead', ...extraRoles],
      channels: ['slack'],
      minSeverity: 'WARN',
      title: INCIDENT_TITLE,
    },
    { afterMs: 0, roles: ['cto'], channels: ['email'], minSeverity: 'CRIT', title: URGENT_TITLE },
    {
      afterMs: pageAfterMs,
      roles: ['trading-lead'],
      channels: ['pagerduty'],
      minSeverity: 'WARN',
      title: INCIDENT_TITLE,
    },
  ];
}

function rule(severity: Severity, responseTimeMs: number, action: string, levels: EscalationLevel[]): EscalationRule {
  return { severity, responseTimeMs, action, levels };
}

/** Defaults: the §10 table where it has a row, §9's ladder for everything else. */
export const DEFAULT_ESCALATION_RULES: Readonly<Record<IncidentType, EscalationRule>> = {
  WS_DISCONNECTED: rule('WARN', 5 * MINUTE, 'Automatic reconnect, monitor', ladder(['engineer'])),
  WS_STALE: rule('CRIT', 0, 'Kill-switch, investigate', ladder(['engineer'])),
  WS_RECONNECT_RATE: rule('WARN', 10 * MINUTE, 'Monitor the connection, investigate', ladder(['engineer'])),
  REST_ERRORS: rule('CRIT', 0, 'Pause orders, diagnose', ladder(['engineer'])),
  REST_UNAVAILABLE: rule('CRIT', 0, 'Pause orders, diagnose', ladder(['engineer'])),
  // §10 "High latency | 10 min | Engineer": the chat post at once, the engineer called in at 10 min.
  HIGH_LATENCY: rule('WARN', 10 * MINUTE, 'Monitor, adjust params', [
    { afterMs: 0, roles: ['trading-lead'], channels: ['slack'], minSeverity: 'WARN', title: INCIDENT_TITLE },
    { afterMs: 10 * MINUTE, roles: ['engineer'], channels: ['slack'], minSeverity: 'WARN', title: INCIDENT_TITLE },
  ]),
  STUCK_ORDER: rule('CRIT', 5 * MINUTE, 'Cancel, close position', ladder(['engineer'])),
  DAILY_DRAWDOWN: rule('CRIT', 0, 'Kill-switch auto', ladder([])),
  POSITION_MISMATCH: rule('CRIT', 5 * MINUTE, 'Stop, reconcile', ladder(['engineer'])),
  BALANCE_MISMATCH: rule('CRIT', 5 * MINUTE, 'Stop, reconcile', ladder(['engineer'])),
  FLASH_CRASH: rule('CRIT', 0, 'Halt; team decides real crash or data error; resume needs approval', ladder([])),
  DATA_ERROR: rule('WARN', 10 * MINUTE, 'Resubscribe, verify the data source', ladder(['engineer'], 10 * MINUTE)),
  KILL_SWITCH_STUCK: rule('CRIT', 0, 'Flatten by other paths, manual intervention', ladder(['engineer'])),
  KILL_SWITCH: rule('CRIT', 0, 'Verify flat, find the trigger', ladder([])),
};

export const INCIDENT_TYPES = Object.keys(DEFAULT_ESCALATION_RULES) as readonly IncidentType[];

export const DEFAULT_REVIEW_DUE_MIN = 30;

export const DEFAULT_ESCALATION_MATRIX: EscalationMatrix = {
  rules: DEFAULT_ESCALATION_RULES,
  contacts: DEFAULT_CONTACTS,
  reviewDueMs: DEFAULT_REVIEW_DUE_MIN * MINUTE,
};

const name = z.string().trim().min(1, 'expected a non-empty name');
const nonNegativeSeconds = z.number().finite().min(0, 'expected seconds ≥ 0');

const LEVEL_SCHEMA = z.strictObject({
  after_s: nonNegativeSeconds,
  roles: z.array(name).default([]),
  channels: z.array(name).default([]),
  min_severity: z.enum(['WARN', 'CRIT']).default('WARN'),
  title: z.string().min(1).default(INCIDENT_TITLE),
});

const RULE_OVERRIDE_SCHEMA = z.strictObject({
  severity: z.enum(['INFO', 'WARN', 'CRIT']).optional(),
  response_time_s: nonNegativeSeconds.optional(),
  action: z.string().min(1).optional(),
  /** Replaces the type's whole ladder. */
  levels: z.array(LEVEL_SCHEMA).min(1).optional(),
});

const CONTACT_SCHEMA = z.strictObject({
  mention: z.string().min(1),
  channels: z.array(name).default([]),
});

/**
 * The `alerts.escalation` config section (snake_case like the rest of the file). Everything is
 * optional: an empty section is the playbook's defaults. A matrix entry overrides only the fields it
 * names; `levels` replaces the type's ladder; contacts are merged over the defaults by role.
 */
export const ESCALATION_CONFIG_SCHEMA = z.preprocess(
  (value) => value ?? {},
  z.strictObject({
    review_due_min: z.number().finite().positive().default(DEFAULT_REVIEW_DUE_MIN),
    contacts: z.record(name, CONTACT_SCHEMA).default({}),
    matrix: z
      .partialRecord(z.enum(INCIDENT_TYPES as [IncidentType, ...IncidentType[]]), RULE_OVERRIDE_SCHEMA)
      .default({}),
  }),
);

export type EscalationConfig = z.output<typeof ESCALATION_CONFIG_SCHEMA>;

/** The matrix the escalator runs: defaults with the config's overrides applied. */
export function escalationMatrixFromConfig(config: EscalationConfig): EscalationMatrix {
  const rules = { ...DEFAULT_ESCALATION_RULES };
  for (const type of INCIDENT_TYPES) {
    const override = config.matrix[type];
    if (override === undefined) continue;
    const base = rules[type];
    rules[type] = {
      severity: override.severity ?? base.severity,
      responseTimeMs: override.response_time_s === undefined ? base.responseTimeMs : override.response_time_s * 1000,
      action: override.action ?? base.action,
      levels:
        override.levels === undefined
          ? base.levels
          : override.levels.map((level) => ({
              afterMs: level.after_s * 1000,
              roles: level.roles,
              channels: level.channels,
              minSeverity: level.min_severity,
              title: level.title,
            })),
    };
  }
  return {
    rules,
    contacts: { ...DEFAULT_CONTACTS, ...config.contacts },
    reviewDueMs: config.review_due_min * MINUTE,
  };
}

/**
 * Names in the matrix that nothing answers to: a channel that is not configured, a role without a
 * contact. The composition root logs these at start (a typo must not silently drop a page).
 */
export function escalationMatrixProblems(matrix: EscalationMatrix, channelNames: ReadonlySet<string>): string[] {
  const problems = new Set<string>();
  for (const type of INCIDENT_TYPES) {
    for (const level of matrix.rules[type].levels) {
      for (const role of level.roles) {
        if (matrix.contacts[role] === undefined) problems.add(`${type}: role "${role}" has no contact`);
      }
      for (const channel of levelChannels(matrix, level)) {
        if (!channelNames.has(channel)) problems.add(`${type}: channel "${channel}" is not configured`);
      }
    }
  }
  return [...problems];
}

/** The channel names a level reaches: its own and its roles' contact channels, each once, in order. */
export function levelChannels(matrix: EscalationMatrix, level: EscalationLevel): string[] {
  const names = [...level.channels];
  for (const role of level.roles) names.push(...(matrix.contacts[role]?.channels ?? []));
  return [...new Set(names)];
}

/** The mentions of a level's roles ("@trading-lead"); a role without a contact is named as is. */
export function levelMentions(matrix: EscalationMatrix, level: EscalationLevel): string[] {
  return [...new Set(level.roles.map((role) => matrix.contacts[role]?.mention ?? role))];
}
