import type { Command } from 'commander';
import { loadConfig } from '../app/config/load-config.ts';
import type { StreamStateJson, WsReconnectResult } from '../app/ws-reconnect-command.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import { type CommonOptions, print, table, withCommon } from './cli-output.ts';
import { sendEngineCommand } from './control-client.ts';
import { nonEmptyOption } from './option-parsers.ts';

function streamRows(streams: readonly StreamStateJson[]): string[] {
  return table([
    ['STREAM', 'CONNECTION', 'STATE', 'RECEIVE_AGE_S', 'RECONNECTS'],
    ...streams.map((stream) => [
      stream.stream,
      stream.connection,
      stream.state,
      stream.receiveAgeMs === null ? '-' : (stream.receiveAgeMs / 1000).toFixed(1),
      String(stream.reconnects),
    ]),
  ]).map((line) => `  ${line}`);
}

/**
 * `yunmin ws reconnect --force` (playbook §1 step 4 option C): the running engine drops and re-opens
 * every WebSocket, then resyncs orders, fills and positions over REST. Exit code 1 when a stream did
 * not come back or the resync failed.
 */
export function registerWsCommands(program: Command): void {
  const ws = program.command('ws').description("the engine's WebSocket streams");
  withCommon(
    ws
      .command('reconnect')
      .description('drop and re-open every WebSocket of the running engine, then resync over REST')
      .option('--force', 'required: drop the sockets now, even those that look healthy')
      .option('--by <name>', 'operator name, written to the log', nonEmptyOption('an operator name')),
  ).action(async (options: CommonOptions & { force?: boolean; by?: string }) => {
    if (options.force !== true)
      throw new YunminError(
        'CLI_INVALID_ARGUMENTS',
        '--force is required: the engine already reconnects a silent stream by itself; --force drops every socket now',
      );
    const config = loadConfig(options.config, process.env);
    const sent = await sendEngineCommand(config, 'ws.reconnect', options.by === undefined ? {} : { by: options.by });
    if (!sent.running)
      throw new YunminError(
        'CLI_ENGINE_NOT_RUNNING',
        'no engine is running: its WebSockets exist only inside it (start it, or check the network with `yunmin doctor`)',
      );
    const result = sent.result as WsReconnectResult;
    print(options, result, [
      'before',
      ...streamRows(result.before),
      'after',
      ...streamRows(result.after),
      `reopened      ${result.reopened ? 'yes' : 'NO'} (${result.waitedMs} ms)`,
      `REST resync   ${result.resynced ? 'done' : `FAILED: ${result.resyncError ?? 'unknown'}`}`,
    ]);
    if (!result.reopened || !result.resynced) process.exitCode = 1;
  });
}
