import type { Command } from 'commander';
import type { EngineConfig } from '../app/config/engine-config.ts';
import { loadConfig } from '../app/config/load-config.ts';
import { openLocalStore } from '../app/exchange-session.ts';
import { type ResumeResult, resumeInStore } from '../app/resume-commands.ts';
import type { ResumeGateStatus } from '../engine/detectors/resume-gate.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import { sendEngineCommand } from './control-client.ts';
import { nonEmptyOption } from './option-parsers.ts';

function resumeOffline(config: EngineConfig, by: string): ResumeResult {
  const store = openLocalStore(config);
  try {
    return resumeInStore(store, by, new SystemClock().now());
  } finally {
    store.close();
  }
}

interface ResumeOptions {
  config: string;
  approve?: string;
  by?: string;
  force?: boolean;
  json?: boolean;
}

function print(options: ResumeOptions, json: unknown, lines: readonly string[]): void {
  process.stdout.write(options.json === true ? `${JSON.stringify(json, null, 2)}\n` : `${lines.join('\n')}\n`);
}

function printGate(options: ResumeOptions, status: ResumeGateStatus, by: string): void {
  if (status.resumed) {
    print(options, status, [`Trading resumed: every resume condition held, approved by ${by}.`]);
    return;
  }
  if (!status.pending) {
    print(options, status, ['No flash-crash halt is pending: nothing to approve.']);
    return;
  }
  print(options, status, [
    `Approval by ${by} recorded; trading resumes by itself once every condition holds. Not yet:`,
    ...status.unmet.map((condition) => `  - ${condition}`),
  ]);
}

/**
 * `yunmin resume --approve NAME` (playbook §7 step 3: the flash-crash gate, in the running engine)
 * and `yunmin resume --by NAME` (an operator moves the trading state back to ACTIVE; automation
 * never does: DESIGN principle 5).
 */
export function registerResumeCommand(program: Command): void {
  program
    .command('resume')
    .description(
      'approve the flash-crash resume gate (--approve NAME) or move the trading state back to ACTIVE (--by NAME)',
    )
    .option('--approve <name>', 'record your approval of the §7 resume gate', nonEmptyOption('the approver name'))
    .option(
      '--by <name>',
      'resume trading (HALTED/REDUCING → ACTIVE) in your name',
      nonEmptyOption('the operator name'),
    )
    .option('--force', 'with --by: override a pending flash-crash gate (recorded on the incident)')
    .option('--config <file>', "YAML configuration (the engine's)", 'config.example.yaml')
    .option('--json', 'machine-readable output')
    .action(async (options: ResumeOptions) => {
      if ((options.approve === undefined) === (options.by === undefined))
        throw new YunminError('RESUME_USAGE', 'give exactly one of --approve NAME or --by NAME');
      const config = loadConfig(options.config, process.env);
      if (options.approve !== undefined) {
        const by = options.approve.trim();
        const sent = await sendEngineCommand(config, 'resume.approve', { by });
        if (!sent.running)
          throw new YunminError(
            'RESUME_ENGINE_NOT_RUNNING',
            'the flash-crash resume gate lives in the running engine (it checks live prices, spread and depth); start the engine, or resume deliberately with `yunmin resume --by NAME`',
          );
        printGate(options, sent.result as ResumeGateStatus, by);
        return;
      }
      const by = (options.by ?? '').trim();
      const sent = await sendEngineCommand(config, 'resume', { by, force: options.force === true });
      const result = sent.running ? (sent.result as ResumeResult) : resumeOffline(config, by);
      print(options, result, [
        result.previous === result.state
          ? `Trading state already ${result.state}.`
          : `Trading state ${result.previous} → ${result.state} by operator:${by}${result.forced ? ' (flash-crash gate overridden)' : ''}.`,
      ]);
    });
}
