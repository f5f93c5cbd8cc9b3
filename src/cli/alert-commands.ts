import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createLogger } from '../adapters/logging/file-logger.ts';
import { type EngineConfig, secretValues } from '../app/config/engine-config.ts';
import { loadConfig } from '../app/config/load-config.ts';
import { openLocalStore } from '../app/exchange-session.ts';
import type { Incident } from '../domain/incident.ts';
import { POSTMORTEM_ACTION } from '../engine/alerting/alert-escalator.ts';
import { type AlertTestResult, runAlertTest } from '../engine/alerting/alert-test-run.ts';
import { renderPostmortem } from '../engine/alerting/postmortem.ts';
import { IncidentManager } from '../engine/incident-manager.ts';
import type { Clock } from '../lib/clock.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import type { AlertChannel } from '../ports/alert-sink.ts';
import { sendEngineCommand } from './control-client.ts';
import { nonEmptyOption } from './option-parsers.ts';

// The engine-side control commands (`ack`, `postmortem`) live in the engine layer so the composition
// root (src/app, which may not import src/cli) can register them; re-exported for convenience.
export { alertCommands } from '../engine/alerting/alert-control-commands.ts';
export { runAlertTest } from '../engine/alerting/alert-test-run.ts';

/** Builds the configured alert channels (the composition root's factory, issue 6 point 1). */
export type AlertChannelFactory = (config: EngineConfig, clock: Clock) => readonly AlertChannel[];

export interface AlertCommandDeps {
  /** Without a factory, `alerts test` reports that no channels are configured. */
  readonly buildChannels?: AlertChannelFactory;
}

const withConfig = (command: Command): Command =>
  command.option('--config <file>', "YAML configuration (the engine's)", 'config.example.yaml');

/** The engine's store and logs with an IncidentManager over them, for a stopped engine. */
function withLocalIncidents<T>(
  config: EngineConfig,
  work: (incidents: IncidentManager, read: (id: string) => Incident | undefined) => T,
): T {
  const clock = new SystemClock();
  const store = openLocalStore(config);
  const logger = createLogger({
    clock,
    logsDir: config.logsDir,
    level: config.logging.level,
    redact: secretValues(config.secrets),
  });
  try {
    return work(new IncidentManager({ clock, store, logger }), (id) => store.getIncident(id));
  } finally {
    logger.close();
    store.close();
  }
}

/** Per-channel delivery table for `alerts test`. */
export function alertTestTable(results: readonly AlertTestResult[]): string {
  const rows = [
    ['CHANNEL', 'KIND', 'RESULT', 'ATTEMPTS', 'ERROR'],
    ...results.map((r) => [r.channel, r.kind, r.ok ? 'delivered' : 'FAILED', String(r.attempts), r.error ?? '']),
  ];
  const widths = rows[0]?.map((_cell, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * `yunmin ack ID --by NAME`, `yunmin alerts test [--channel NAME]`, `yunmin postmortem ID [--out FILE]`
 * (issue 6 points 3, 6, 7; playbook §9). With the engine running, ack and postmortem go through it
 * (`POST /control/command/:name`) so its escalation stops at once; with it down they act on the store.
 */
export function registerAlertCommands(program: Command, deps: AlertCommandDeps = {}): void {
  withConfig(
    program
      .command('ack')
      .description('acknowledge an incident: stops its escalation (playbook §9)')
      .argument('<id>', 'the incident id (see `yunmin incidents --open`)')
      .requiredOption('--by <name>', 'who acknowledges', nonEmptyOption('a name')),
  ).action(async (id: string, options: { by: string; config: string }) => {
    const config = loadConfig(options.config, process.env);
    const engine = await sendEngineCommand(config, 'ack', { id, by: options.by });
    if (engine.running) {
      process.stdout.write(`${id} acknowledged by ${options.by} (engine: escalation stopped)\n`);
      return;
    }
    withLocalIncidents(config, (incidents) => {
      if (incidents.acknowledge(id, options.by.trim()) === undefined) {
        throw new YunminError('CLI_NOT_FOUND', `no incident ${id}; list them with \`yunmin incidents\``);
      }
    });
    process.stdout.write(`${id} acknowledged by ${options.by} (engine not running: recorded in the store)\n`);
  });

  const alerts = program.command('alerts').description('alert channels');
  withConfig(
    alerts
      .command('test')
      .description('send a test alert through each configured channel and report delivery per channel')
      .option('--channel <name>', 'only this channel', nonEmptyOption('a channel name')),
  ).action(async (options: { channel?: string; config: string }) => {
    const config = loadConfig(options.config, process.env);
    const clock = new SystemClock();
    const configured = deps.buildChannels?.(config, clock) ?? [];
    if (configured.length === 0) {
      throw new YunminError(
        'CLI_NO_ALERT_CHANNELS',
        `no alert channels are configured in ${options.config}: add them under alerts.channels (docs/escalation.md)`,
      );
    }
    const channels =
      options.channel === undefined ? configured : configured.filter((channel) => channel.name === options.channel);
    if (channels.length === 0) {
      throw new YunminError(
        'CLI_NOT_FOUND',
        `no alert channel "${options.channel}"; configured: ${configured.map((c) => c.name).join(', ')}`,
      );
    }
    const results = await runAlertTest(channels, clock);
    process.stdout.write(`${alertTestTable(results)}\n`);
    const failed = results.filter((result) => !result.ok).length;
    if (failed > 0) {
      throw new YunminError('CLI_ALERT_TEST_FAILED', `${failed} of ${results.length} channel(s) did not deliver`);
    }
  });

  withConfig(
    program
      .command('postmortem')
      .description("the post-incident review as Markdown, filled from the incident record (playbook §9's 30 min)")
      .argument('<id>', 'the incident id')
      .option('--out <file>', 'write the Markdown to this file instead of stdout')
      .option('--pnl <amount>', 'realized PnL of the incident, e.g. "-13.50 USDT" (else "unknown")'),
  ).action(async (id: string, options: { out?: string; pnl?: string; config: string }) => {
    const config = loadConfig(options.config, process.env);
    const markdown = await postmortemMarkdown(config, id, options.pnl);
    if (options.out === undefined) process.stdout.write(markdown);
    else {
      writeFileSync(options.out, markdown);
      process.stdout.write(`wrote ${options.out}\n`);
    }
  });
}

/**
 * Through the running engine when it answers (it records the draft, so no review reminder follows);
 * otherwise from the store, recording the draft there.
 */
async function postmortemMarkdown(config: EngineConfig, id: string, pnl: string | undefined): Promise<string> {
  const extra = pnl === undefined ? {} : { pnl };
  let running = false;
  try {
    const engine = await sendEngineCommand(config, 'postmortem', { id });
    running = engine.running;
  } catch (error) {
    // No control token: reading the record needs none; the review reminder may still go out.
    if (!(error instanceof YunminError && error.code === 'CLI_CONTROL_TOKEN_MISSING')) throw error;
    process.stderr.write('yunmin: engine running without YUNMIN_CONTROL_TOKEN here; reading the store only\n');
    running = true;
  }
  return withLocalIncidents(config, (incidents, read) => {
    if (read(id) === undefined) {
      throw new YunminError('CLI_NOT_FOUND', `no incident ${id}; list them with \`yunmin incidents\``);
    }
    if (!running) incidents.action(id, POSTMORTEM_ACTION, 'ok');
    const incident = read(id);
    if (incident === undefined) throw new YunminError('CLI_NOT_FOUND', `no incident ${id}`);
    return renderPostmortem(incident, extra);
  });
}
