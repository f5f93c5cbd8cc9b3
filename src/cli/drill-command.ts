import { type Command, InvalidArgumentError } from 'commander';
import { drillTable, writeDrillReports } from '../app/drill/drill-report.ts';
import { type DrillResult, runDrill } from '../app/drill/drill-runner.ts';
import { DRILL_SCENARIOS, findScenario } from '../app/drill/drill-scenarios.ts';
import { SystemClock } from '../lib/system-clock.ts';

/**
 * Below 0.15 the scaled stale threshold (10 s × F) drops under the 1 s cadence of the markPrice@1s
 * stream, and healthy streams look stale: a drill would measure its own scale, not the engine.
 */
export const MIN_DRILL_SCALE = 0.15;

function scaleOption(value: string): number {
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale < MIN_DRILL_SCALE || scale > 1) {
    throw new InvalidArgumentError(`expected a number from ${MIN_DRILL_SCALE} to 1, got "${value}"`);
  }
  return scale;
}

/** `yunmin drill <scenario|all>`: rehearse the playbook against the simulator (issue 5 point 5). */
export function registerDrillCommand(program: Command): void {
  program
    .command('drill')
    .description(
      `inject a failure into a fresh simulator and check the engine's response; scenarios: ${DRILL_SCENARIOS.map((s) => s.name).join(', ')}`,
    )
    .argument('<scenario>', 'a scenario name, or "all"')
    .option(
      '--scale <f>',
      'multiply every time threshold (1 = the playbook; 0.2 runs 60 s thresholds in 12 s)',
      scaleOption,
      1,
    )
    .option('--report-dir <dir>', 'where drills.json and drills.md are written', 'reports/drills')
    .option('--json', 'print one JSON array of {scenario, passed, detected_ms, contained_ms, violations} to stdout')
    .action(async (name: string, options: { scale: number; reportDir: string; json?: boolean }) => {
      const scenarios = name === 'all' ? DRILL_SCENARIOS : [findScenario(name)];
      if (scenarios.some((s) => s === undefined)) {
        throw new InvalidArgumentError(
          `unknown scenario "${name}"; known: all, ${DRILL_SCENARIOS.map((s) => s.name).join(', ')}`,
        );
      }
      const results: DrillResult[] = [];
      for (const scenario of scenarios) {
        if (scenario === undefined) continue;
        if (options.json !== true)
          process.stderr.write(`drill ${scenario.name} (${scenario.section}): ${scenario.description}\n`);
        results.push(await runDrill(scenario, { scale: options.scale }));
      }
      const paths = writeDrillReports(options.reportDir, results, options.scale, new SystemClock().now());
      if (options.json === true) {
        process.stdout.write(
          `${JSON.stringify(results.map(({ scenario, passed, detected_ms, contained_ms, violations }) => ({ scenario, passed, detected_ms, contained_ms, violations })))}\n`,
        );
      } else {
        process.stdout.write(drillTable(results, options.scale));
        process.stdout.write(`reports: ${paths.join(', ')}\n`);
      }
      if (results.some((r) => !r.passed)) process.exitCode = 1;
    });
}
