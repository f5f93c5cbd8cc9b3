import type { Command } from 'commander';
import { createLogger } from '../adapters/logging/file-logger.ts';
import { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import type { EngineConfig } from '../app/config/engine-config.ts';
import { secretValues } from '../app/config/engine-config.ts';
import { loadConfig } from '../app/config/load-config.ts';
import { storePath } from '../app/engine-app.ts';
import { createApprovalGate } from '../app/resumption-gate.ts';
import { type GateStatusJson, gateAdditionFromArgs, gateStatusJson } from '../engine/approval/approval-commands.ts';
import type { ApprovalGate } from '../engine/approval/approval-gate.ts';
import { IncidentManager } from '../engine/incident-manager.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import { sendEngineCommand } from './control-client.ts';
import { engineOwnsStore } from './engine-owns-store.ts';
import { nonEmptyOption } from './option-parsers.ts';

interface CommonOptions {
  config: string;
  json?: boolean;
}

const time = (ms: number): string => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;

function withCommon(command: Command): Command {
  return command
    .option('--config <file>', "YAML configuration (the LIVE engine's)", 'config.example.yaml')
    .option('--json', 'machine-readable output');
}

/** The gate is the LIVE store's whatever mode the file names: it guards going LIVE. */
function liveConfig(path: string): EngineConfig {
  return { ...loadConfig(path, process.env), mode: 'LIVE' };
}

/** The gate over the LIVE store, for a stopped LIVE engine (SQLite WAL lets this run beside a DRY_RUN one). */
function withLocalGate<T>(config: EngineConfig, work: (gate: ApprovalGate) => T): T {
  const clock = new SystemClock();
  const store = SqliteStore.open({ path: storePath(config), clock });
  const logger = createLogger({
    clock,
    logsDir: config.logsDir,
    level: config.logging.level,
    redact: secretValues(config.secrets),
  });
  try {
    const incidents = new IncidentManager({ clock, store, logger });
    const dryRunPath = storePath({ ...config, mode: 'DRY_RUN' });
    const gate = createApprovalGate(config, { clock, store, incidents, logger, dryRunPath });
    if (gate === undefined) throw new YunminError('APPROVAL_NOT_APPLICABLE', 'the resumption gate guards LIVE only');
    return work(gate);
  } finally {
    logger.close();
    store.close();
  }
}

/** Readable status: one line per item, ✓ or ✗ with what holds or what is missing. */
export function gateStatusLines(status: GateStatusJson): string[] {
  if (status.killSwitch === 'ARMED') {
    return [
      'kill switch    ARMED: no resumption gate is open',
      `config         ${status.configHash.slice(0, 12)} (the config about to go live)`,
    ];
  }
  const missing = status.items.filter((item) => !item.ok).length;
  const verdict = !status.required
    ? 'not required (approval.required: false)'
    : status.complete
      ? 'COMPLETE: `yunmin kill-switch release --by NAME` may release'
      : `INCOMPLETE: ${missing} of ${status.items.length} item(s) missing; release is refused`;
  return [
    `kill switch    TRIPPED at ${time(status.trippedAt ?? 0)}: ${status.reason ?? ''}`,
    `incident       ${status.incidentId ?? 'none recorded'}`,
    `config         ${status.configHash.slice(0, 12)} (the config about to go live)`,
    `gate           ${verdict}`,
    ...status.items.map((item) => {
      const recorded = item.by === null ? '' : ` [${item.by}, ${time(item.at ?? 0)}]`;
      return `${item.ok ? '✓' : '✗'} ${item.item.padEnd(11)} ${item.title}: ${item.detail}${recorded}`;
    }),
    ...status.missing.filter((line) => line.startsWith('incident:')).map((line) => `✗ ${line}`),
  ];
}

function print(options: CommonOptions, status: GateStatusJson, first: readonly string[] = []): void {
  process.stdout.write(
    options.json === true
      ? `${JSON.stringify(status, null, 2)}\n`
      : `${[...first, ...gateStatusLines(status)].join('\n')}\n`,
  );
}

/** Through the LIVE engine when it runs (its store), else on the LIVE store directly. */
async function run(
  config: EngineConfig,
  name: 'approval.status' | 'approval.add',
  args: Readonly<Record<string, unknown>>,
): Promise<GateStatusJson> {
  if (engineOwnsStore(config)) {
    try {
      const sent = await sendEngineCommand(config, name, args);
      if (sent.running) return sent.result as GateStatusJson;
    } catch (error) {
      // Reading needs no token: status falls back to the store; recording goes through the engine only.
      const noToken = error instanceof YunminError && error.code === 'CLI_CONTROL_TOKEN_MISSING';
      if (!(noToken && name === 'approval.status')) throw error;
    }
  }
  return withLocalGate(config, (gate) =>
    gateStatusJson(gate, name === 'approval.status' ? gate.status() : gate.add(gateAdditionFromArgs(args))),
  );
}

/**
 * `yunmin approval status|add …` (issue 8 point 5, playbook §5 step 5): the resumption gate of the
 * current kill switch trip. Each item is recorded on the trip's KILL_SWITCH incident with who and
 * when; `yunmin kill-switch release` refuses until all five hold.
 */
export function registerApprovalCommand(program: Command): void {
  const approval = program
    .command('approval')
    .description('the resumption gate after a kill switch trip: root cause, backtest, dry run, approver, briefing');

  withCommon(approval.command('status').description('each gate item ✓/✗ with what holds or what is missing')).action(
    async (options: CommonOptions) => {
      const config = liveConfig(options.config);
      print(options, await run(config, 'approval.status', {}));
    },
  );

  const add = approval.command('add').description('record one gate item on the kill switch incident');
  const record = async (options: CommonOptions, args: Record<string, unknown>): Promise<void> => {
    const config = liveConfig(options.config);
    print(options, await run(config, 'approval.add', args), [`recorded       ${String(args.item)}`]);
  };
  const name = (what: string) => nonEmptyOption(what);

  withCommon(
    add
      .command('root-cause')
      .description('the root cause, in words (playbook §5 step 3)')
      .requiredOption('--text <text>', 'what caused the trip', name('the root cause'))
      .requiredOption('--by <name>', 'who identified it', name('a name')),
  ).action((options: CommonOptions & { text: string; by: string }) =>
    record(options, { item: 'root-cause', text: options.text, by: options.by }),
  );

  withCommon(
    add
      .command('backtest')
      .description('a backtest run of the config about to go live (its config hash must match)')
      .requiredOption('--run <id>', 'the backtest run id, bt- and 12 hex digits', name('a backtest run id'))
      .requiredOption('--by <name>', 'who ran or reviewed it', name('a name')),
  ).action((options: CommonOptions & { run: string; by: string }) =>
    record(options, { item: 'backtest', runId: options.run, by: options.by }),
  );

  withCommon(
    add
      .command('dry-run')
      .description(
        'find and record a DRY_RUN session since the trip: same config hash, approval.dry_run_min_s long, no CRIT incident',
      )
      .option('--session <id>', 'this session only (default: the newest that qualifies)', name('a session id'))
      .option('--by <name>', 'who reviewed it', name('a name')),
  ).action((options: CommonOptions & { session?: string; by?: string }) =>
    record(options, {
      item: 'dry-run',
      ...(options.session !== undefined && { sessionId: options.session }),
      ...(options.by !== undefined && { by: options.by }),
    }),
  );

  withCommon(
    add
      .command('approver')
      .description('the approval, by the role approval.approver_role names (default CTO)')
      .requiredOption('--name <name>', "the approver's name", name("the approver's name"))
      .requiredOption('--role <role>', 'their role; must equal approval.approver_role', name('a role')),
  ).action((options: CommonOptions & { name: string; role: string }) =>
    record(options, { item: 'approver', name: options.name, role: options.role }),
  );

  withCommon(
    add
      .command('briefing')
      .description('the team has been briefed (playbook §5 step 5)')
      .requiredOption('--by <name>', 'who acknowledges the briefing', name('a name')),
  ).action((options: CommonOptions & { by: string }) => record(options, { item: 'briefing', by: options.by }));
}
