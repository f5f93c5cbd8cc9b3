import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DrillResult } from './drill-runner.ts';

const cell = (value: number | null) => (value === null ? '-' : `${value}`);

/** The table a person reads after `yunmin drill all`. */
export function drillTable(results: readonly DrillResult[], scale: number): string {
  const rows = [
    ['scenario', 'section', 'result', 'incident', 'detected ms', 'target ms', 'contained ms', 'violations'],
    ...results.map((r) => [
      r.scenario,
      r.section,
      r.passed ? 'PASS' : 'FAIL',
      r.incident === null ? '-' : `${r.incident.type} ${r.incident.severity}`,
      cell(r.detected_ms),
      String(r.detect_target_ms),
      cell(r.contained_ms),
      r.violations.join('; ') || '-',
    ]),
  ];
  const widths = rows[0]?.map((_c, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const passed = results.filter((r) => r.passed).length;
  return `${lines.join('\n')}\n\n${passed}/${results.length} drills passed at scale ${scale}\n`;
}

export function drillMarkdown(results: readonly DrillResult[], scale: number, at: number): string {
  const header =
    '| scenario | section | result | incident | detected ms | target ms | contained ms | violations |\n|---|---|---|---|---|---|---|---|';
  const body = results
    .map(
      (r) =>
        `| ${r.scenario} | ${r.section} | ${r.passed ? 'PASS' : 'FAIL'} | ${r.incident === null ? '-' : `${r.incident.type} ${r.incident.severity}`} | ${cell(r.detected_ms)} | ${r.detect_target_ms} | ${cell(r.contained_ms)} | ${r.violations.join('; ') || '-'} |`,
    )
    .join('\n');
  return `# Drill report\n\n${new Date(at).toISOString()}, thresholds scaled by ${scale}. Detection is measured from the fault's start in the simulator's fault log; the target is the threshold + 1 s, scaled.\n\n${header}\n${body}\n`;
}

/** Writes drills.json and drills.md into `dir`; returns their paths. */
export function writeDrillReports(
  dir: string,
  results: readonly DrillResult[],
  scale: number,
  at: number,
): readonly string[] {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'drills.json');
  const markdown = join(dir, 'drills.md');
  writeFileSync(json, `${JSON.stringify({ scale, at, results }, null, 2)}\n`);
  writeFileSync(markdown, drillMarkdown(results, scale, at));
  return [json, markdown];
}
