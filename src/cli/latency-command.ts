import type { Command } from 'commander';
import { loadConfig } from '../app/config/load-config.ts';
import { readRuntimeInfo } from '../app/runtime-info.ts';
import type { Clock } from '../lib/clock.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import type { LatencySummary } from '../ports/latency-source.ts';
import { type CommonOptions, print, timeText, withCommon } from './cli-output.ts';
import { integerOption } from './option-parsers.ts';

export interface LatencyReading {
  readonly at: number;
  readonly rest: LatencySummary;
  readonly ws: LatencySummary;
  readonly restP95WarnMs: number;
  readonly wsP95WarnMs: number;
  /** Each p95 against its latency.*_p95_warn_ms (playbook §3: REST 2000 ms, WS 500 ms). */
  readonly restStatus: 'ok' | 'WARN';
  readonly wsStatus: 'ok' | 'WARN';
}

const ms = (value: number): string => `${Math.round(value)}`;

export function describeReading(reading: LatencyReading): string {
  const part = (name: string, summary: LatencySummary, status: string, warn: number) =>
    summary.count === 0
      ? `${name} no samples`
      : `${name} p50 ${ms(summary.p50Ms)} p95 ${ms(summary.p95Ms)} p99 ${ms(summary.p99Ms)} ms (n=${summary.count}) ${status}${status === 'WARN' ? ` p95 > ${warn} ms` : ''}`;
  return `${timeText(reading.at)}  ${part('REST', reading.rest, reading.restStatus, reading.restP95WarnMs)}  |  ${part('WS', reading.ws, reading.wsStatus, reading.wsP95WarnMs)}`;
}

/** One reading of the running engine's rolling percentiles (`/ws_health` → latency). */
async function readLatency(
  healthUrl: string,
  clock: Clock,
  thresholds: { restP95WarnMs: number; wsP95WarnMs: number },
): Promise<LatencyReading> {
  const response = await fetch(`${healthUrl}/ws_health`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { latency?: { rest: LatencySummary; ws: LatencySummary } | null };
  if (body.latency === undefined || body.latency === null)
    throw new YunminError('CLI_NO_LATENCY', 'the running engine reports no latency tracker on /ws_health');
  const { rest, ws } = body.latency;
  return {
    at: clock.now(),
    rest,
    ws,
    ...thresholds,
    restStatus: rest.count > 0 && rest.p95Ms > thresholds.restP95WarnMs ? 'WARN' : 'ok',
    wsStatus: ws.count > 0 && ws.p95Ms > thresholds.wsP95WarnMs ? 'WARN' : 'ok',
  };
}

/**
 * `yunmin latency [--watch] [--interval S] [--count N]` (playbook §3 steps 1 and "Monitor recovery"):
 * the running engine's rolling REST and WS p50/p95/p99 against latency.rest_p95_warn_ms and
 * latency.ws_p95_warn_ms. `--watch` prints a reading every interval until Ctrl-C, or `--count`
 * readings. With the engine down there are no percentiles: `yunmin doctor` measures REST from here.
 */
export function registerLatencyCommand(program: Command): void {
  withCommon(
    program
      .command('latency')
      .description("the running engine's REST and WS latency percentiles against the warn thresholds")
      .option('--watch', 'refresh every --interval seconds until Ctrl-C (or --count readings)')
      .option('--interval <seconds>', 'seconds between readings with --watch', integerOption(1, 3600), 5)
      .option('--count <n>', 'stop after this many readings', integerOption(1, 100_000)),
  ).action(async (options: CommonOptions & { watch?: boolean; interval: number; count?: number }) => {
    const config = loadConfig(options.config, process.env);
    const runtime = readRuntimeInfo(config.stateDir);
    if (runtime === undefined)
      throw new YunminError(
        'CLI_ENGINE_NOT_RUNNING',
        'no engine is running: latency percentiles live in the running engine (`yunmin doctor` measures REST and WS from here)',
      );
    // keepAlive: the wait between readings is the only pending work, and it must keep the process up.
    const clock = new SystemClock({ keepAlive: true });
    const thresholds = { restP95WarnMs: config.latency.restP95WarnMs, wsP95WarnMs: config.latency.wsP95WarnMs };
    const readings = options.count ?? (options.watch === true ? Number.POSITIVE_INFINITY : 1);
    for (let index = 0; index < readings; index += 1) {
      if (index > 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, options.interval * 1000));
      const reading = await readLatency(runtime.healthUrl, clock, thresholds);
      // Watching with --json streams one JSON object per line, so it can be piped while it runs.
      if (options.json === true && readings > 1) process.stdout.write(`${JSON.stringify(reading)}\n`);
      else print(options, reading, [describeReading(reading)]);
    }
  });
}
