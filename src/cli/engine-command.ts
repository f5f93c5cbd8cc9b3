import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../app/config/load-config.ts';
import { type EngineAppOptions, startEngineApp } from '../app/engine-app.ts';
import { SystemClock } from '../lib/system-clock.ts';

interface EngineCommandOptions {
  mode?: 'LIVE' | 'DRY_RUN';
  config: string;
  resetState?: boolean;
  yes?: boolean;
  force?: boolean;
  quiet?: boolean;
}

function modeOption(value: string): 'LIVE' | 'DRY_RUN' {
  if (value !== 'LIVE' && value !== 'DRY_RUN')
    throw new InvalidArgumentError(`expected LIVE or DRY_RUN, got "${value}"`);
  return value;
}

/** `yunmin engine`: the trading engine (issue 4 point 2), as the playbook starts it. */
export function registerEngineCommand(program: Command): void {
  program
    .command('engine')
    .description('run the trading engine (crash-only: recovers from the exchange before it trades)')
    .option(
      '--mode <mode>',
      'LIVE sends orders; DRY_RUN runs the same pipeline on a paper account (overrides the file)',
      modeOption,
    )
    .option('--config <file>', 'YAML configuration (see config.example.yaml)', 'config.example.yaml')
    .option('--reset-state', 'clear persisted state (orders, fills, positions, kill switch, baseline) before starting')
    .option('--yes', 'confirm --reset-state even though the exchange still shows positions')
    .option(
      '--force',
      'LIVE: start although the resumption gate objects (--reset-state while a trip is unapproved, a config other than the approved one); logged CRIT',
    )
    .option('--quiet', 'do not echo log lines to stdout (they are still written to logs/trading.log)')
    .action(async (raw: EngineCommandOptions) => {
      const config = loadConfig(raw.config, process.env, raw.mode === undefined ? {} : { mode: raw.mode });
      const options: EngineAppOptions = {
        config,
        clock: new SystemClock({ keepAlive: true }),
        environment: process.env,
        ...(raw.resetState === true && { resetState: true }),
        ...(raw.yes === true && { confirmReset: true }),
        ...(raw.force === true && { overrideApprovalGate: true }),
        ...(raw.quiet !== true && {
          echoLog: (line: string) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`),
        }),
      };
      const running = await startEngineApp(options);
      if (running.resetSummary !== undefined) {
        const r = running.resetSummary;
        process.stdout.write(
          `--reset-state cleared ${r.orders} orders, ${r.fills} fills, ${r.positions} positions, ${r.events} events\n`,
        );
      }
      process.stdout.write(`yunmin engine ${config.mode} running; health ${running.healthUrl}/health; Ctrl-C stops\n`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`yunmin engine: ${signal}, shutting down\n`);
        running.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`yunmin engine: error while stopping: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
