import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { readDeployFile } from './deploy-files.ts';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets: { refId: string; expr: string }[];
}

const schema = JSON.parse(readDeployFile('grafana', 'dashboard.schema.json')) as object;
const validateSchema = new Ajv({ allErrors: true }).compile(schema);

/** The schema plus what JSON Schema cannot say: unique panel ids, refIds per panel, panels inside 24 columns. */
function dashboardProblems(dashboard: unknown): string[] {
  const problems: string[] = [];
  if (!validateSchema(dashboard)) {
    for (const error of validateSchema.errors ?? [])
      problems.push(`${error.instancePath || '/'} ${error.message ?? ''}`);
    return problems;
  }
  const panels = (dashboard as { panels: Panel[] }).panels;
  const ids = new Set<number>();
  for (const panel of panels) {
    if (ids.has(panel.id)) problems.push(`panel id ${panel.id} is used twice`);
    ids.add(panel.id);
    if (panel.gridPos.x + panel.gridPos.w > 24)
      problems.push(`panel ${panel.id} "${panel.title}" is wider than 24 columns`);
    const refIds = panel.targets.map((target) => target.refId);
    if (new Set(refIds).size !== refIds.length) problems.push(`panel ${panel.id} repeats a refId`);
  }
  return problems;
}

function dashboard(): Record<string, unknown> & { panels: Panel[] } {
  return JSON.parse(readDeployFile('grafana', 'yunmin-dashboard.json')) as Record<string, unknown> & {
    panels: Panel[];
  };
}

describe('deploy/grafana/yunmin-dashboard.json', () => {
  it('the shipped dashboard → valid against dashboard.schema.json, ids unique, inside the grid', () => {
    expect(dashboardProblems(dashboard())).toEqual([]);
  });

  it('the panels the issue asks for → present, latency from histogram_quantile over the histograms', () => {
    const panels = dashboard().panels;
    const byTitle = (fragment: string) => panels.find((panel) => panel.title.toLowerCase().includes(fragment));
    for (const fragment of [
      'trading state',
      'kill switch',
      'equity',
      'drawdown vs limit',
      'receive age',
      'reconnects',
      'rest errors by status and code',
      'rest latency',
      'ws event delay',
      'orders by status',
      'open incidents',
      'alert deliveries',
    ]) {
      expect(byTitle(fragment), fragment).toBeDefined();
    }
    const exprs = (fragment: string) =>
      byTitle(fragment)
        ?.targets.map((target) => target.expr)
        .join('\n') ?? '';
    expect(exprs('rest latency')).toContain(
      'histogram_quantile(0.95, sum by (le) (rate(yunmin_rest_latency_seconds_bucket',
    );
    expect(exprs('ws event delay')).toContain(
      'histogram_quantile(0.95, sum by (le) (rate(yunmin_ws_latency_seconds_bucket',
    );
    expect(exprs('drawdown vs limit')).toContain('yunmin_daily_drawdown_limit_ratio');
    expect(exprs('rest errors')).toContain('sum by (status, code)');
  });

  it('broken copies → each rejected with the reason', () => {
    const cases: [string, (copy: ReturnType<typeof dashboard>) => void, RegExp][] = [
      ['no title', (copy) => delete copy.title, /must have required property 'title'/],
      ['duplicate panel id', (copy) => ((copy.panels[1] as Panel).id = (copy.panels[0] as Panel).id), /used twice/],
      [
        'target without expr',
        (copy) => delete ((copy.panels[0] as Panel).targets[0] as Partial<Panel['targets'][number]>).expr,
        /expr/,
      ],
      ['panel without gridPos', (copy) => delete (copy.panels[2] as Partial<Panel>).gridPos, /gridPos/],
      ['panel off the grid', (copy) => ((copy.panels[3] as Panel).gridPos.x = 20), /wider than 24/],
      [
        'hard-coded data source',
        (copy) =>
          ((copy.panels[0] as unknown as { datasource: unknown }).datasource = { type: 'prometheus', uid: 'abc' }),
        /datasource\/uid must be equal to constant/,
      ],
      [
        'no DS_PROMETHEUS variable',
        (copy) => ((copy.templating as { list: unknown[] }).list = []),
        /templating\/list must contain/,
      ],
      [
        'panel without targets',
        (copy) => ((copy.panels[4] as Panel).targets = []),
        /targets must NOT have fewer than 1/,
      ],
      ['old schemaVersion', (copy) => (copy.schemaVersion = 16), /schemaVersion must be >= 36/],
    ];
    for (const [name, mutate, reason] of cases) {
      const copy = dashboard();
      mutate(copy);
      const problems = dashboardProblems(copy);
      expect(problems.join('; '), name).toMatch(reason);
    }
  });
});
