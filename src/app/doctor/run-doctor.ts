import { lookup } from 'node:dns/promises';
import { statfs } from 'node:fs/promises';
import { BinanceRestClient } from '../../adapters/binance-usdm/rest/binance-rest-client.ts';
import type { Clock } from '../../lib/clock.ts';
import { DEFAULT_API_KEY, DEFAULT_API_SECRET } from '../../sim/simulator.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import { storePath } from '../engine-app.ts';
import { readRuntimeInfo } from '../runtime-info.ts';
import { accountPermissionsProbe } from './account-permissions-probe.ts';
import { checkDiskSpace, type StatFs } from './disk-check.ts';
import { checkDns, endpointHosts, type HostResolver } from './dns-check.ts';
import { type CheckResult, type CheckStatus, guarded, worstStatus } from './doctor-check.ts';
import { checkApiKeyPermissions, type PermissionProbe } from './permission-check.ts';
import { checkRateLimitHeadroom, checkRestPing, checkServerTime } from './rest-checks.ts';
import { checkStateFile } from './state-file-check.ts';
import { checkWebSocket, marketStreamUrl, type WsProbe } from './ws-check.ts';
import { webSocketProbe } from './ws-probe.ts';

/** Everything the doctor touches, replaceable in tests. */
export interface DoctorPorts {
  readonly clock: Clock;
  readonly resolveHost: HostResolver;
  readonly statfs: StatFs;
  readonly wsProbe: WsProbe;
  /** Defaults to a `/fapi/v2/account` read with the configured key. */
  readonly permissionProbe?: PermissionProbe;
}

export interface DoctorOptions {
  /** REST pings for the latency figure (default 5). */
  readonly pings?: number;
  /** How long the WS check waits for a connection and a first message (default 10 s). */
  readonly wsTimeoutMs?: number;
}

export interface DoctorReport {
  readonly status: CheckStatus;
  readonly exchange: { readonly rest: string; readonly ws: string; readonly source: string } | null;
  readonly checks: readonly CheckResult[];
}

const MB = 1024 * 1024;

export function defaultDoctorPorts(clock: Clock, wsTimeoutMs = 10_000): DoctorPorts {
  return {
    clock,
    resolveHost: async (host) => (await lookup(host, { all: true })).map((entry) => entry.address),
    statfs: (path) => statfs(path),
    wsProbe: webSocketProbe(clock, wsTimeoutMs),
  };
}

interface ExchangeTarget {
  readonly restUrls: readonly string[];
  readonly wsUrl: string;
  readonly source: string;
  readonly credentials: { readonly apiKey: string; readonly apiSecret: string } | undefined;
}

function exchangeTarget(config: EngineConfig): ExchangeTarget | undefined {
  if (config.exchange.embeddedSimulator) {
    const runtime = readRuntimeInfo(config.stateDir);
    if (runtime === undefined || !runtime.embeddedSimulator) return undefined;
    return {
      restUrls: [runtime.restUrl],
      wsUrl: runtime.wsUrl,
      source: 'embedded simulator of the running engine',
      credentials: { apiKey: DEFAULT_API_KEY, apiSecret: DEFAULT_API_SECRET },
    };
  }
  const key = config.secrets.binanceApiKey;
  const secret = config.secrets.binanceApiSecret;
  return {
    restUrls: config.exchange.restEndpoints,
    wsUrl: config.exchange.wsEndpoint,
    source: 'config exchange.rest_endpoints / ws_endpoint',
    credentials:
      key === undefined || secret === undefined ? undefined : { apiKey: key.reveal(), apiSecret: secret.reveal() },
  };
}

/**
 * `yunmin doctor`: the playbook's investigation steps (§1 step 3, §2 step 3, §3 step 2, §8 step 4) as
 * one report, one line per check. Works with the engine up or down; reads, never writes.
 */
export async function runDoctor(
  config: EngineConfig,
  ports: DoctorPorts,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const { clock } = ports;
  const checks: CheckResult[] = [];
  const target = exchangeTarget(config);
  if (target === undefined) {
    checks.push({
      name: 'exchange',
      status: 'warn',
      detail:
        'exchange.embedded_simulator is true and no engine runs: the simulator exists only inside the engine; exchange checks skipped',
    });
  } else {
    const [restUrl] = target.restUrls;
    for (const host of endpointHosts([...target.restUrls, target.wsUrl]))
      checks.push(...(await guarded(`dns ${host}`, () => checkDns(host, ports.resolveHost, clock))));
    const rest = new BinanceRestClient({
      clock,
      endpoints: [restUrl ?? ''],
      // Public calls need no key; the permission check below says so when none is configured.
      credentials: target.credentials ?? { apiKey: 'none', apiSecret: 'none' },
      timeoutMs: config.executor.timeoutMs,
      recvWindowMs: config.exchange.recvWindowMs,
      timeSyncIntervalMs: 0,
    });
    try {
      checks.push(
        ...(await guarded('rest ping', () =>
          checkRestPing(rest, clock, {
            pings: options.pings ?? 5,
            warnMs: 500,
            failMs: config.latency.restP95WarnMs,
          }),
        )),
        ...(await guarded('server time offset', () => checkServerTime(rest, clock, config.exchange.recvWindowMs))),
        ...(await guarded('rate-limit headroom', () =>
          checkRateLimitHeadroom(rest, { warnShare: 0.5, failShare: 0.8 }),
        )),
      );
    } finally {
      await rest.close();
    }
    checks.push(
      ...(await guarded('ws connect + first message', () =>
        checkWebSocket(marketStreamUrl(target.wsUrl, config.tradingEngine.symbols[0] ?? 'BTCUSDT'), ports.wsProbe, {
          warnMs: config.latency.wsP95WarnMs,
        }),
      )),
    );
    const credentials = target.credentials;
    if (credentials === undefined && ports.permissionProbe === undefined) {
      checks.push({
        name: 'api key permissions',
        status: 'fail',
        detail: 'BINANCE_API_KEY and BINANCE_API_SECRET are not set in the environment',
      });
    } else {
      const probe =
        ports.permissionProbe ??
        accountPermissionsProbe({
          clock,
          endpoint: restUrl ?? '',
          credentials: credentials ?? { apiKey: '', apiSecret: '' },
          timeoutMs: config.executor.timeoutMs,
          recvWindowMs: config.exchange.recvWindowMs,
        });
      checks.push(...(await guarded('api key permissions', () => checkApiKeyPermissions(probe))));
    }
  }
  // Room for at least one more full log file, and the store's growth, before anything fails.
  const disk = {
    failBelowBytes: Math.max(100 * MB, config.logging.rotateMaxMb * MB),
    warnBelowBytes: 1024 * MB,
    warnBelowShare: 0.05,
  };
  checks.push(
    ...(await guarded('disk state_dir', () => checkDiskSpace('state_dir', config.stateDir, ports.statfs, disk))),
    ...(await guarded('disk logs_dir', () => checkDiskSpace('logs_dir', config.logsDir, ports.statfs, disk))),
    ...(await guarded('state file', async () => checkStateFile(storePath(config)))),
  );
  return {
    status: worstStatus(checks),
    exchange: target === undefined ? null : { rest: target.restUrls[0] ?? '', ws: target.wsUrl, source: target.source },
    checks,
  };
}
