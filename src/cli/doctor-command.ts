import type { Command } from 'commander';
import { loadConfig } from '../app/config/load-config.ts';
import { type DoctorReport, defaultDoctorPorts, runDoctor } from '../app/doctor/run-doctor.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { type CommonOptions, print, withCommon } from './cli-output.ts';
import { integerOption } from './option-parsers.ts';

export function doctorLines(report: DoctorReport): string[] {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  return [
    ...(report.exchange === null
      ? []
      : [`exchange  ${report.exchange.rest}  ${report.exchange.ws}  (${report.exchange.source})`]),
    ...report.checks.map(
      (check) => `${check.status.toUpperCase().padEnd(4)}  ${check.name.padEnd(width)}  ${check.detail}`,
    ),
    `overall: ${report.status.toUpperCase()}`,
  ];
}

/**
 * `yunmin doctor [--json]`: DNS, REST ping and latency, server-time offset, WS connect and first
 * message, API key permissions, rate-limit headroom, disk space, state file integrity, one line each.
 * Exit code 1 when any check fails (warnings alone exit 0).
 */
export function registerDoctorCommand(program: Command): void {
  withCommon(
    program
      .command('doctor')
      .description('check network, exchange, API key, disk and state file (the playbook investigation steps)')
      .option('--pings <n>', 'REST pings for the latency figure', integerOption(1, 100), 5)
      .option(
        '--ws-timeout <seconds>',
        'wait this long for a WS connection and first message',
        integerOption(1, 120),
        10,
      ),
  ).action(async (options: CommonOptions & { pings: number; wsTimeout: number }) => {
    const config = loadConfig(options.config, process.env);
    const clock = new SystemClock();
    const report = await runDoctor(config, defaultDoctorPorts(clock, options.wsTimeout * 1000), {
      pings: options.pings,
    });
    print(options, report, doctorLines(report));
    if (report.status === 'fail') process.exitCode = 1;
  });
}
