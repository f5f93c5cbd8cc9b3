import type { Command } from 'commander';
import { generateClientOrderId } from '../adapters/binance-usdm/rest/client-order-id.ts';
import { createLogger } from '../adapters/logging/file-logger.ts';
import type { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import type { EngineConfig } from '../app/config/engine-config.ts';
import { secretValues } from '../app/config/engine-config.ts';
import { loadConfig } from '../app/config/load-config.ts';
import { storePath } from '../app/engine-app.ts';
import { openExchangeSession, openLocalStore } from '../app/exchange-session.ts';
import { createApprovalGate } from '../app/resumption-gate.ts';
import { readRuntimeInfo } from '../app/runtime-info.ts';
import type { KillSwitchRecord } from '../domain/kill-switch-record.ts';
import { IncidentManager } from '../engine/incident-manager.ts';
import {
  describeError,
  describeExchange,
  ExchangeFlattener,
  FLATTEN_PATHS,
  type FlattenStep,
} from '../engine/kill-switch/exchange-flattener.ts';
import { KillSwitch } from '../engine/kill-switch/kill-switch.ts';
import {
  type KillSwitchReleaseJson,
  type KillSwitchStatusJson,
  killSwitchReleaseJson,
  killSwitchStatusJson,
  operatorName,
  type VerificationJson,
  verificationJson,
} from '../engine/kill-switch/kill-switch-commands.ts';
import type { Clock } from '../lib/clock.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import { sendEngineCommand } from './control-client.ts';
import { engineOwnsStore } from './engine-owns-store.ts';
import { nonEmptyOption } from './option-parsers.ts';

interface CommonOptions {
  config: string;
  json?: boolean;
}

const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** Readable lines, or the JSON value with --json. */
function print(options: CommonOptions, json: unknown, lines: readonly string[]): void {
  process.stdout.write(options.json === true ? `${JSON.stringify(json, null, 2)}\n` : `${lines.join('\n')}\n`);
}

function withCommon(command: Command): Command {
  return command
    .option('--config <file>', "YAML configuration (the engine's)", 'config.example.yaml')
    .option('--json', 'machine-readable output');
}

function describeRecord(record: KillSwitchRecord): string {
  if (record.state === 'TRIPPED') return `TRIPPED at ${time(record.at)} by ${record.by}: ${record.reason}`;
  if (record.releasedBy === undefined) return 'ARMED';
  return `ARMED (released at ${time(record.releasedAt ?? 0)} by ${record.releasedBy}${record.forced === true ? ', FORCED' : ''})`;
}

function statusLines(status: KillSwitchStatusJson, engine: string): string[] {
  const verification = status.lastVerification;
  return [
    `kill switch    ${describeRecord(status.record)}`,
    `engine         ${engine}`,
    `exchange       ${verification === null ? 'not checked' : `${verification.summary} (at ${time(verification.at)})`}`,
    ...(status.retrying
      ? [`flatten        retrying${status.stuck ? ' (STUCK: see `yunmin incidents --open`)' : ''}`]
      : []),
    ...(status.incidentId === null ? [] : [`incident       ${status.incidentId}`]),
  ];
}

/** The kill switch of a stopped engine: the engine's own store and logs, and a REST session of its own. */
async function withLocalKillSwitch<T>(
  config: EngineConfig,
  work: (killSwitch: KillSwitch, clock: Clock, store: SqliteStore) => Promise<T>,
): Promise<T> {
  const clock = new SystemClock();
  const store = openLocalStore(config);
  const logger = createLogger({
    clock,
    logsDir: config.logsDir,
    level: config.logging.level,
    redact: secretValues(config.secrets),
  });
  try {
    const { rest } = await openExchangeSession(config);
    try {
      const incidents = new IncidentManager({ clock, store, logger });
      const dryRunPath = storePath({ ...config, mode: 'DRY_RUN' });
      const killSwitch = new KillSwitch({
        clock,
        store,
        incidents,
        // The resumption gate (LIVE store only): release refuses until it is complete, unless --force.
        gate: createApprovalGate(config, { clock, store, incidents, logger, dryRunPath }),
        logger,
        exchange: rest,
        ids: { newClientOrderId: () => generateClientOrderId('ym-ks-') },
        // No engine to halt: the persisted trading state is what the next start reads.
        onTripped: (reason) => {
          const from = store.getTradingState()?.state ?? 'ACTIVE';
          const record = {
            state: 'HALTED',
            changedAt: clock.now(),
            changedBy: 'automation:kill-switch',
            reason,
          } as const;
          store.transaction(() => {
            store.setTradingState(record);
            store.appendEvent({
              type: 'TradingStateChanged',
              at: record.changedAt,
              payload: { from, to: 'HALTED', by: record.changedBy, reason },
            });
          });
        },
        verifyS: config.killswitch.verifyS,
        symbols: () => config.tradingEngine.symbols,
      });
      try {
        return await work(killSwitch, clock, store);
      } finally {
        killSwitch.stop();
      }
    } finally {
      await rest.close();
    }
  } finally {
    logger.close();
    store.close();
  }
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

function notFlat(verification: VerificationJson | null, what: string): YunminError {
  return new YunminError(
    'KILL_SWITCH_NOT_FLAT',
    `${what}: the exchange is not verified flat (${verification?.summary ?? 'not checked'}); run \`yunmin flatten\` and check \`yunmin incidents --open\``,
  );
}

/**
 * `yunmin kill-switch status|trigger|release` and `yunmin flatten` (DESIGN "Kill switch", playbook §8).
 * With an engine running, status/trigger/release go through it (`/control/command`); with none, they
 * act on its store and the exchange directly. `flatten` always talks to the exchange itself.
 */
export function registerKillSwitchCommands(program: Command): void {
  const killSwitch = program
    .command('kill-switch')
    .description('the kill switch: status, trigger (halt, cancel all, close all, verify), release');

  withCommon(
    killSwitch.command('status').description('the kill switch record and whether the exchange is flat'),
  ).action(async (options: CommonOptions) => {
    const config = loadConfig(options.config, process.env);
    if (readRuntimeInfo(config.stateDir) !== undefined && config.secrets.controlToken !== undefined) {
      const sent = await sendEngineCommand(config, 'kill-switch.status', {});
      if (sent.running) {
        const status = sent.result as KillSwitchStatusJson;
        print(options, status, statusLines(status, 'running'));
        return;
      }
    }
    // Engine down (or no control token): the record from the store, the exchange asked directly.
    const store = openLocalStore(config);
    let record: KillSwitchRecord;
    try {
      record = store.getKillSwitch();
    } finally {
      store.close();
    }
    let verification: VerificationJson | null = null;
    let exchangeError: string | undefined;
    try {
      const { rest } = await openExchangeSession(config);
      try {
        const flattener = new ExchangeFlattener({
          clock: new SystemClock(),
          exchange: rest,
          ids: { newClientOrderId: () => generateClientOrderId('ym-ks-') },
          symbols: () => config.tradingEngine.symbols,
        });
        const snapshot = await flattener.read();
        verification = verificationJson({
          at: snapshot.at,
          attempt: 0,
          flat: snapshot.flat,
          openOrders: snapshot.openOrders.length,
          positions: snapshot.positions.map((p) => ({ symbol: p.symbol, amount: p.amount })),
        });
      } finally {
        await rest.close();
      }
    } catch (error) {
      exchangeError = describeError(error);
    }
    const running = readRuntimeInfo(config.stateDir) !== undefined;
    const status: KillSwitchStatusJson = {
      record,
      lastVerification: verification,
      retrying: false,
      stuck: false,
      incidentId: null,
    };
    const lines = statusLines(status, running ? 'running (set YUNMIN_CONTROL_TOKEN to ask it)' : 'not running');
    if (exchangeError !== undefined) lines.push(`exchange       not reachable: ${exchangeError}`);
    print(options, { ...status, ...(exchangeError !== undefined && { exchangeError }) }, lines);
  });

  withCommon(
    killSwitch
      .command('trigger')
      .description('trip now: persist TRIPPED, halt, cancel every order, close every position reduce-only, verify')
      .requiredOption(
        '--reason <text>',
        'why (recorded, logged as "KILL_SWITCH activated: <reason>")',
        nonEmptyOption('a reason'),
      )
      .requiredOption('--by <name>', "the operator's name (recorded)", nonEmptyOption("the operator's name")),
  ).action(async (options: CommonOptions & { reason: string; by: string }) => {
    const config = loadConfig(options.config, process.env);
    const args = { reason: options.reason, by: options.by };
    const sent = await sendEngineCommand(config, 'kill-switch.trigger', args);
    let status: KillSwitchStatusJson;
    let engine: string;
    if (sent.running) {
      status = sent.result as KillSwitchStatusJson;
      engine = 'running: halted, now DRY_RUN';
    } else {
      engine = 'not running: trading state HALTED in its store';
      status = await withLocalKillSwitch(config, async (local, clock) => {
        let current = await local.trip(options.reason, operatorName(options.by));
        // No engine will keep retrying after this process exits: retry here until flat or stuck.
        const until = clock.now() + config.killswitch.verifyS * 1000 + 1000;
        while (current.retrying && clock.now() < until) {
          await sleep(clock, 250);
          current = local.status();
        }
        return killSwitchStatusJson(current);
      });
    }
    print(options, status, statusLines(status, engine));
    if (status.lastVerification?.flat !== true) throw notFlat(status.lastVerification, 'kill switch TRIPPED');
  });

  withCommon(
    killSwitch
      .command('release')
      .description(
        'back to ARMED: the exchange must be flat and, in LIVE, the resumption gate complete (`yunmin approval status`) unless --force',
      )
      .requiredOption('--by <name>', "the operator's name (recorded)", nonEmptyOption("the operator's name"))
      .option(
        '--force',
        'release although the exchange is not shown flat or the resumption gate is incomplete (recorded on the incident, logged CRIT)',
      ),
  ).action(async (options: CommonOptions & { by: string; force?: boolean }) => {
    const config = loadConfig(options.config, process.env);
    const args = { by: options.by, force: options.force === true };
    // Only the engine that owns this store releases through itself (not a DRY_RUN engine beside it).
    const sent = engineOwnsStore(config)
      ? await sendEngineCommand(config, 'kill-switch.release', args)
      : ({ running: false } as const);
    const released: KillSwitchReleaseJson = sent.running
      ? (sent.result as KillSwitchReleaseJson)
      : await withLocalKillSwitch(config, async (local) =>
          killSwitchReleaseJson(await local.release(operatorName(options.by), options.force === true)),
        );
    print(options, released, [
      `kill switch    ${describeRecord(released.record)}`,
      `exchange       ${released.verification.summary}`,
      ...(released.forced ? ['WARNING        released by force onto an exchange that is not shown flat'] : []),
      ...(released.gate === null
        ? []
        : released.gate.forced
          ? [
              `WARNING        released by force with the resumption gate incomplete: ${released.gate.missing.join('; ')}`,
            ]
          : ['gate           resumption gate complete (recorded on the incident)']),
      'next           the trading state stays as it is; going LIVE again is an operator decision',
    ]);
  });

  withCommon(
    program
      .command('flatten')
      .description('cancel every open order and close every position reduce-only on the exchange (engine up or down)')
      .option('--by <name>', "the operator's name (recorded in the event log)", nonEmptyOption("the operator's name")),
  ).action(async (options: CommonOptions & { by?: string }) => {
    const config = loadConfig(options.config, process.env);
    const clock = new SystemClock();
    const { rest } = await openExchangeSession(config);
    const steps: (FlattenStep & { attempt: number })[] = [];
    let summary = 'not checked';
    let flat = false;
    try {
      const flattener = new ExchangeFlattener({
        clock,
        exchange: rest,
        ids: { newClientOrderId: () => generateClientOrderId('ym-flat-') },
        symbols: () => config.tradingEngine.symbols,
      });
      // Each path once (batch, single, per-order), verifying after each: playbook §8 step 2 by machine.
      for (const [index, path] of FLATTEN_PATHS.entries()) {
        try {
          const snapshot = await flattener.read();
          summary = describeExchange(snapshot.openOrders.length, snapshot.positions);
          flat = snapshot.flat;
          if (flat) break;
          for (const step of await flattener.act(path, snapshot)) steps.push({ ...step, attempt: index + 1 });
        } catch (error) {
          steps.push({ action: 'read exchange', result: 'failed', detail: describeError(error), attempt: index + 1 });
        }
      }
      if (!flat) {
        const last = await flattener.read().catch(() => undefined);
        if (last !== undefined) {
          flat = last.flat;
          summary = describeExchange(last.openOrders.length, last.positions);
        }
      }
    } finally {
      await rest.close();
    }
    recordFlatten(config, clock, options.by, flat, steps.length);
    const running = readRuntimeInfo(config.stateDir) !== undefined;
    print(options, { flat, exchange: summary, steps }, [
      ...steps.map((s) => `[${s.attempt}] ${s.action}: ${s.result}${s.detail === undefined ? '' : ` (${s.detail})`}`),
      `exchange: ${flat ? 'flat (no open orders, no positions)' : `NOT flat: ${summary}`}`,
      ...(running
        ? ['note: an engine is running; unless its kill switch is TRIPPED its strategy may trade again']
        : []),
    ]);
    if (!flat) throw new YunminError('KILL_SWITCH_NOT_FLAT', `flatten: the exchange is still not flat (${summary})`);
  });
}

/** The event log keeps who flattened; a store that cannot be opened must not hide the result. */
function recordFlatten(config: EngineConfig, clock: Clock, by: string | undefined, flat: boolean, steps: number): void {
  try {
    const store = openLocalStore(config);
    try {
      store.appendEvent({
        type: 'ExchangeFlattened',
        at: clock.now(),
        payload: { by: by === undefined ? null : operatorName(by), flat, steps },
      });
    } finally {
      store.close();
    }
  } catch (error) {
    process.stderr.write(`yunmin: flatten not recorded in the event log: ${describeError(error)}\n`);
  }
}
