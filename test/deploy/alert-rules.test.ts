import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/main.ts';
import { DEFAULT_ESCALATION_RULES } from '../../src/engine/alerting/escalation-matrix.ts';
import { alertGroups, engineExposition, metricNamesIn, readDeployFile } from './deploy-files.ts';

const MINUTE = 60_000;

/** The alert name of an incident type: WS_STALE → YunminIncidentWsStale. */
function alertNameOf(type: string): string {
  return `YunminIncident${type
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}`;
}

/** `yunmin a b …` invocations in a commands annotation → the words that must be (sub)commands. */
function commandPaths(annotation: string): string[][] {
  return annotation
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('yunmin '))
    .map((part) => part.split(/\s+/).slice(1));
}

function resolves(program: Command, words: readonly string[]): boolean {
  const top = program.commands.find((command) => command.name() === words[0]);
  if (top === undefined) return false;
  // A command with subcommands needs the next word to be one of them.
  if (top.commands.length === 0) return true;
  return top.commands.some((sub) => sub.name() === words[1]);
}

describe('deploy/prometheus/alerts.yml against the engine', () => {
  it('every yunmin_ metric the rules and the Grafana dashboard use → exported by EngineMetrics', async () => {
    const { names } = await engineExposition();
    const used = new Set<string>();
    for (const group of alertGroups())
      for (const rule of group.rules) for (const name of metricNamesIn(rule.expr)) used.add(name);
    const dashboard = JSON.parse(readDeployFile('grafana', 'yunmin-dashboard.json')) as {
      panels: { targets: { expr: string }[] }[];
    };
    for (const panel of dashboard.panels)
      for (const target of panel.targets) for (const name of metricNamesIn(target.expr)) used.add(name);
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((name) => !names.has(name))).toEqual([]);
  });

  it('a metric name the engine does not export → caught by the same check', async () => {
    const { names } = await engineExposition();
    expect(metricNamesIn('rate(yunmin_rest_latency_ms_bucket[1m])').filter((name) => !names.has(name))).toEqual([
      'yunmin_rest_latency_ms_bucket',
    ]);
  });

  it('group yunmin-incidents → one alert per escalation-matrix incident type, with its severity, response time and action', () => {
    const group = alertGroups().find((candidate) => candidate.name === 'yunmin-incidents');
    expect(group).toBeDefined();
    const rules = group?.rules ?? [];
    const types = Object.keys(DEFAULT_ESCALATION_RULES);
    expect(rules.map((rule) => rule.labels.incident_type).sort()).toEqual([...types].sort());
    for (const [type, matrix] of Object.entries(DEFAULT_ESCALATION_RULES)) {
      const rule = rules.find((candidate) => candidate.labels.incident_type === type);
      expect(rule?.alert, type).toBe(alertNameOf(type));
      expect(rule?.expr, type).toBe(`sum by (type) (yunmin_incidents_open{type="${type}"}) > 0`);
      expect(rule?.labels.severity, type).toBe(matrix.severity === 'CRIT' ? 'critical' : 'warning');
      expect(rule?.annotations.action, type).toBe(matrix.action);
      const responseTime = matrix.responseTimeMs === 0 ? 'immediate' : `${matrix.responseTimeMs / MINUTE} min`;
      expect(rule?.annotations.response_time, type).toBe(responseTime);
      expect(rule?.annotations.playbook, type).toMatch(/^§\d+ /);
      expect(rule?.annotations.commands, type).toContain('yunmin incidents --open');
    }
  });

  it('every rule → severity warning or critical, a playbook section, a summary and yunmin commands that exist in the CLI', () => {
    const program = createProgram();
    const rules = alertGroups().flatMap((group) => group.rules);
    expect(rules.length).toBeGreaterThan(25);
    const unknown: string[] = [];
    for (const rule of rules) {
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(rule.annotations.playbook, rule.alert).toMatch(/§\d+/);
      expect(rule.annotations.commands, rule.alert).toMatch(/yunmin /);
      for (const words of commandPaths(rule.annotations.commands ?? '')) {
        if (!resolves(program, words)) unknown.push(`${rule.alert}: yunmin ${words.join(' ')}`);
      }
    }
    expect(unknown).toEqual([]);
    // The check itself: a command that does not exist is reported.
    expect(resolves(program, ['kill-switch', 'status'])).toBe(true);
    expect(resolves(program, ['kill-switch', 'explode'])).toBe(false);
    expect(resolves(program, ['nonsense'])).toBe(false);
  });

  it('alert names → unique across groups', () => {
    const names = alertGroups().flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(new Set(names).size).toBe(names.length);
  });
});
