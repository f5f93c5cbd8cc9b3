import type { Clock } from '../lib/clock.ts';
import type { ExchangeStreams, StreamHealth } from '../ports/exchange-streams.ts';
import type { Logger } from '../ports/logger.ts';
import type { ControlCommand } from '../server/health-server.ts';

/** One stream as `yunmin ws reconnect --force` prints it before and after. */
export interface StreamStateJson {
  readonly stream: string;
  readonly connection: string;
  readonly state: string;
  readonly receiveAgeMs: number | null;
  readonly reconnects: number;
}

export interface WsReconnectResult {
  readonly before: readonly StreamStateJson[];
  readonly after: readonly StreamStateJson[];
  /** Every stream open again, each having reconnected, within the wait. */
  readonly reopened: boolean;
  readonly waitedMs: number;
  /** Orders, fills and positions resynced over REST (and reconciled) after the reconnect. */
  readonly resynced: boolean;
  readonly resyncError?: string;
}

export interface WsReconnectDeps {
  readonly clock: Clock;
  readonly streams: Pick<ExchangeStreams, 'health' | 'reconnect'>;
  /** IncidentResponse.resync: fills and orders over REST, then a reconciliation round. */
  readonly resync: (reason: string) => Promise<void>;
  readonly logger: Logger;
  /** How long to wait for every stream to come back (default 15 s). */
  readonly reopenTimeoutMs?: number;
  /** How often the wait looks (default 100 ms). */
  readonly pollMs?: number;
}

export function streamStates(health: readonly StreamHealth[]): StreamStateJson[] {
  return health.map((stream) => ({
    stream: stream.stream,
    connection: stream.connection,
    state: stream.state,
    receiveAgeMs: stream.receiveAgeMs ?? null,
    reconnects: stream.reconnects,
  }));
}

/** Every stream is open and, if it existed before, has counted a reconnect since. */
export function allReopened(before: readonly StreamHealth[], after: readonly StreamHealth[]): boolean {
  if (after.length === 0) return false;
  const earlier = new Map(before.map((stream) => [stream.stream, stream.reconnects]));
  return after.every((stream) => stream.state === 'open' && stream.reconnects > (earlier.get(stream.stream) ?? -1));
}

function pause(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/**
 * `ws.reconnect` (playbook §1 step 4 option C, "Force reconnect"): drops and re-opens every
 * WebSocket now, waits until each is open again, then resyncs over REST, since events sent while the
 * sockets were down never arrive (DESIGN incident 1). The engine reconnects by itself on silence; this
 * is the operator's lever when a socket looks alive but the data looks wrong.
 */
export function wsReconnectCommand(deps: WsReconnectDeps): Map<string, ControlCommand> {
  const timeoutMs = deps.reopenTimeoutMs ?? 15_000;
  const pollMs = deps.pollMs ?? 100;
  return new Map<string, ControlCommand>([
    [
      'ws.reconnect',
      async (args): Promise<WsReconnectResult> => {
        const by = typeof args.by === 'string' && args.by.trim() !== '' ? args.by.trim() : 'operator';
        const before = deps.streams.health();
        const startedAt = deps.clock.now();
        deps.logger.warn(`WebSocket: forced reconnect of ${before.length} streams requested by ${by}`);
        await deps.streams.reconnect({ force: true });
        let reopened = allReopened(before, deps.streams.health());
        while (!reopened && deps.clock.now() - startedAt < timeoutMs) {
          await pause(deps.clock, pollMs);
          reopened = allReopened(before, deps.streams.health());
        }
        const waitedMs = deps.clock.now() - startedAt;
        let resyncError: string | undefined;
        try {
          await deps.resync('operator: yunmin ws reconnect --force');
        } catch (error) {
          resyncError = error instanceof Error ? error.message : String(error);
        }
        const after = deps.streams.health();
        const summary = `${after.filter((stream) => stream.state === 'open').length}/${after.length} streams open after ${waitedMs} ms`;
        if (reopened && resyncError === undefined) deps.logger.info(`WebSocket: forced reconnect done, ${summary}`);
        else
          deps.logger.warn(
            `WebSocket: forced reconnect incomplete, ${summary}${resyncError === undefined ? '' : `; resync failed: ${resyncError}`}`,
          );
        return {
          before: streamStates(before),
          after: streamStates(after),
          reopened,
          waitedMs,
          resynced: resyncError === undefined,
          ...(resyncError !== undefined && { resyncError }),
        };
      },
    ],
  ]);
}
