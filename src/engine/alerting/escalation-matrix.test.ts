import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ESCALATION_MATRIX,
  ESCALATION_CONFIG_SCHEMA,
  escalationMatrixFromConfig,
  escalationMatrixProblems,
  INCIDENT_TYPES,
  levelChannels,
  levelMentions,
} from './escalation-matrix.ts';
import { NEXT_MANUAL_STEPS } from './next-manual-steps.ts';

describe('escalation matrix', () => {
  it('empty config section → the playbook defaults (review due in 30 min)', () => {
    const matrix = escalationMatrixFromConfig(ESCALATION_CONFIG_SCHEMA.parse(null));
    expect(matrix).toEqual(DEFAULT_ESCALATION_MATRIX);
    expect(matrix.reviewDueMs).toBe(1_800_000);
  });

  it('defaults → level 1 Slack @trading-lead at once; page at 5 min; CTO email only for CRIT (§9)', () => {
    const levels = DEFAULT_ESCALATION_MATRIX.rules.WS_STALE.levels;
    expect(levels[0]).toMatchObject({ afterMs: 0, channels: ['slack'], minSeverity: 'WARN' });
    const first = levels[0];
    expect(first && levelMentions(DEFAULT_ESCALATION_MATRIX, first)).toContain('@trading-lead');
    expect(levels[1]).toMatchObject({ channels: ['email'], minSeverity: 'CRIT', title: '[URGENT] {incident}' });
    expect(levels[2]).toMatchObject({ afterMs: 300_000, channels: ['pagerduty'] });
    expect(DEFAULT_ESCALATION_MATRIX.rules.HIGH_LATENCY.responseTimeMs).toBe(600_000);
  });

  it('every incident type → a rule and a next manual step', () => {
    for (const type of INCIDENT_TYPES) {
      expect(DEFAULT_ESCALATION_MATRIX.rules[type].levels.length).toBeGreaterThan(0);
      expect(NEXT_MANUAL_STEPS[type].step.length).toBeGreaterThan(20);
    }
  });

  it('an override → only the named fields change; levels replace the ladder; contacts merge', () => {
    const config = ESCALATION_CONFIG_SCHEMA.parse({
      review_due_min: 15,
      contacts: { cto: { mention: 'cto@example.org', channels: ['email-cto'] } },
      matrix: {
        HIGH_LATENCY: { response_time_s: 300 },
        STUCK_ORDER: { levels: [{ after_s: 60, roles: ['engineer'], channels: ['telegram'] }] },
      },
    });
    const matrix = escalationMatrixFromConfig(config);
    expect(matrix.reviewDueMs).toBe(900_000);
    expect(matrix.rules.HIGH_LATENCY.responseTimeMs).toBe(300_000);
    expect(matrix.rules.HIGH_LATENCY.levels).toEqual(DEFAULT_ESCALATION_MATRIX.rules.HIGH_LATENCY.levels);
    expect(matrix.rules.STUCK_ORDER.levels).toEqual([
      {
        afterMs: 60_000,
        roles: ['engineer'],
        channels: ['telegram'],
        minSeverity: 'WARN',
        title: '[INCIDENT] {incident} — {status}',
      },
    ]);
    expect(matrix.contacts['trading-lead']?.mention).toBe('@trading-lead');
    const ctoLevel = matrix.rules.WS_STALE.levels[1];
    expect(ctoLevel && levelChannels(matrix, ctoLevel)).toEqual(['email', 'email-cto']);
  });

  it('an unknown incident type or key → rejected with its path', () => {
    const unknownType = ESCALATION_CONFIG_SCHEMA.safeParse({ matrix: { WS_STAEL: { action: 'x' } } });
    expect(unknownType.success).toBe(false);
    const unknownKey = ESCALATION_CONFIG_SCHEMA.safeParse({ matrix: { WS_STALE: { resposne_time_s: 5 } } });
    expect(unknownKey.success).toBe(false);
    const negative = ESCALATION_CONFIG_SCHEMA.safeParse({ matrix: { WS_STALE: { levels: [{ after_s: -1 }] } } });
    expect(negative.success).toBe(false);
  });

  it('a channel in the matrix that is not configured → listed as a problem', () => {
    const problems = escalationMatrixProblems(DEFAULT_ESCALATION_MATRIX, new Set(['slack', 'email']));
    expect(problems).toContain('WS_STALE: channel "pagerduty" is not configured');
    expect(problems.some((p) => p.includes('"slack"'))).toBe(false);
    expect(escalationMatrixProblems(DEFAULT_ESCALATION_MATRIX, new Set(['slack', 'email', 'pagerduty']))).toEqual([]);
  });
});
