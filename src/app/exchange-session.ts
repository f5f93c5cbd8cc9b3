import { BinanceRestClient } from '../adapters/binance-usdm/rest/binance-rest-client.ts';
import { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import { DEFAULT_API_KEY, DEFAULT_API_SECRET } from '../sim/simulator.ts';
import type { EngineConfig } from './config/engine-config.ts';
import { storePath } from './engine-app.ts';
import { type RuntimeInfo, readRuntimeInfo } from './runtime-info.ts';

/**
 * A REST session for the runbook commands, independent of the engine process (the playbook's steps
 * must work when the engine is down). Against the embedded simulator it needs the engine running,
 * since the simulator lives inside it.
 */
export async function openExchangeSession(
  config: EngineConfig,
): Promise<{ rest: BinanceRestClient; runtime: RuntimeInfo | undefined }> {
  const runtime = readRuntimeInfo(config.stateDir);
  const clock = new SystemClock();
  let endpoints: readonly string[];
  let credentials: { apiKey: string; apiSecret: string };
  if (config.exchange.embeddedSimulator) {
    if (runtime === undefined || !runtime.embeddedSimulator) {
      throw new YunminError(
        'CLI_NO_EXCHANGE',
        'exchange.embedded_simulator is true and no engine is running: the embedded simulator exists only inside a running engine (start it with `npm start`)',
      );
    }
    endpoints = [runtime.restUrl];
    credentials = { apiKey: DEFAULT_API_KEY, apiSecret: DEFAULT_API_SECRET };
  } else {
    const key = config.secrets.binanceApiKey;
    const secret = config.secrets.binanceApiSecret;
    if (key === undefined || secret === undefined) {
      throw new YunminError('CONFIG_INVALID', 'BINANCE_API_KEY and BINANCE_API_SECRET must be set in the environment');
    }
    endpoints = config.exchange.restEndpoints;
    credentials = { apiKey: key.reveal(), apiSecret: secret.reveal() };
  }
  const rest = new BinanceRestClient({
    clock,
    endpoints,
    credentials,
    timeoutMs: config.executor.timeoutMs,
    timeSyncIntervalMs: 0,
  });
  await rest.syncTime();
  return { rest, runtime };
}

/** The engine's store, read-only use by the CLI (SQLite WAL allows a reader beside the running engine). */
export function openLocalStore(config: EngineConfig): SqliteStore {
  return SqliteStore.open({ path: storePath(config), clock: new SystemClock() });
}
