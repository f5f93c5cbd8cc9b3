import { Command, CommanderError } from 'commander';
import { createAlertChannels } from '../adapters/alert-channels/create-alert-channel.ts';
import { registerAlertCommands } from './alert-commands.ts';
import { registerApprovalCommand } from './approval-command.ts';
import { registerBacktestCommand } from './backtest-command.ts';
import { registerDoctorCommand } from './doctor-command.ts';
import { registerDrillCommand } from './drill-command.ts';
import { registerEngineCommand } from './engine-command.ts';
import { registerIncidentCommands } from './incident-commands.ts';
import { registerKillSwitchCommands } from './kill-switch-commands.ts';
import { registerLatencyCommand } from './latency-command.ts';
import { registerLogsCommand } from './logs-command.ts';
import { registerReconcileCommand } from './reconcile-command.ts';
import { registerResumeCommand } from './resume-command.ts';
import { registerRunbookCommands } from './runbook-commands.ts';
import { registerSimCommand } from './sim-command.ts';
import { registerWsCommands } from './ws-command.ts';

/** The `yunmin` command line. Each subcommand lives in its own file and registers itself here. */
export function createProgram(): Command {
  const program = new Command();
  program
    .name('yunmin')
    .description('Binance USD-M futures trading engine with an executable incident-response playbook')
    .showHelpAfterError()
    .exitOverride();
  registerEngineCommand(program);
  registerSimCommand(program);
  registerRunbookCommands(program);
  registerDrillCommand(program);
  registerKillSwitchCommands(program);
  registerApprovalCommand(program);
  registerIncidentCommands(program);
  registerResumeCommand(program);
  registerBacktestCommand(program);
  registerLatencyCommand(program);
  registerWsCommands(program);
  registerReconcileCommand(program);
  registerLogsCommand(program);
  registerDoctorCommand(program);
  registerAlertCommands(program, {
    buildChannels: (config, clock) =>
      createAlertChannels(config.alerts.channels, {
        clock,
        retry: { attempts: 3, initialDelayMs: 1000 },
        env: process.env,
      }),
  });
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`yunmin: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
