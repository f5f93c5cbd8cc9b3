import type { EngineConfig } from '../app/config/engine-config.ts';
import { readRuntimeInfo } from '../app/runtime-info.ts';
import { YunminError } from '../lib/yunmin-error.ts';

/**
 * Sends an operator command to the running engine (`POST /control/command/:name`). Returns
 * `{ running: false }` when no engine runs, so the caller can act on the store and the exchange
 * itself; throws when the engine runs but refuses (no or wrong YUNMIN_CONTROL_TOKEN, bad arguments).
 */
export async function sendEngineCommand(
  config: EngineConfig,
  name: string,
  args: Readonly<Record<string, unknown>>,
): Promise<{ readonly running: false } | { readonly running: true; readonly result: unknown }> {
  const runtime = readRuntimeInfo(config.stateDir);
  if (runtime === undefined) return { running: false };
  const token = config.secrets.controlToken?.reveal();
  if (token === undefined) {
    throw new YunminError(
      'CLI_CONTROL_TOKEN_MISSING',
      `the engine is running (pid ${runtime.pid}); set YUNMIN_CONTROL_TOKEN (the engine's) so this command can act through it`,
    );
  }
  const response = await fetch(`${runtime.healthUrl}/control/command/${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { result?: unknown; error?: string; code?: string };
  if (!response.ok)
    throw new YunminError(
      body.code ?? 'CLI_CONTROL_REFUSED',
      `engine refused ${name}: ${body.error ?? response.status}`,
    );
  return { running: true, result: body.result };
}
