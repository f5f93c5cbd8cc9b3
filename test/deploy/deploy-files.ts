import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LatencyTracker } from '../../src/adapters/binance-usdm/latency/latency-tracker.ts';
import { parseFixed } from '../../src/lib/fixed.ts';
import { TestClock } from '../../src/lib/test-clock.ts';
import { EngineMetrics } from '../../src/server/metrics.ts';

/** Helpers shared by the tests of deploy/: paths, parsed files, and the metric names the engine exports. */
export const DEPLOY_DIR = join(import.meta.dirname, '..', '..', 'deploy');

export function deployPath(...parts: string[]): string {
  return join(DEPLOY_DIR, ...parts);
}

export function readDeployFile(...parts: string[]): string {
  return readFileSync(deployPath(...parts), 'utf8');
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

export function alertGroups(): readonly RuleGroup[] {
  return (parse(readDeployFile('prometheus', 'alerts.yml')) as { groups: RuleGroup[] }).groups;
}

/** An EngineMetrics with every optional source wired and one sample of everything, as the engine runs it. */
export async function engineExposition(): Promise<{ text: string; names: ReadonlySet<string> }> {
  const tracker = new LatencyTracker({ clock: new TestClock() });
  const metrics = new EngineMetrics({
    status: () => ({
      tradingState: 'ACTIVE',
      killSwitch: 'ARMED',
      mode: 'LIVE',
      equity: parseFixed('300'),
      drawdown: { drawdown: parseFixed('0.001') },
      positions: [
        { symbol: 'BTCUSDT', amount: parseFixed('0.002'), entryPrice: parseFixed('100000'), realizedPnl: 0n },
      ],
      activeOrders: 1,
    }),
    streams: () => [
      {
        stream: 'btcusdt@bookTicker',
        connection: 'public',
        state: 'open',
        receiveAgeMs: 200,
        reconnects: 0,
        lastMessageAt: 0,
      },
    ],
    latency: tracker,
    latencySamples: tracker,
    orders: () => [{ state: 'OPEN' }],
    drawdownLimit: 0.02,
    openIncidents: () => [],
    alerts: () => ({ delivered: 1, failed: 0 }),
  });
  tracker.recordRest('order', 120);
  tracker.recordWs('btcusdt@bookTicker', 1_000, 1_050, 0);
  metrics.recordRestError(429, 'EXCHANGE_RATE_LIMITED');
  const text = await metrics.render();
  metrics.close();
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    }
  }
  return { text, names };
}

/** Every `yunmin_…` metric a PromQL expression names. */
export function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/\byunmin_[a-z0-9_]+/g)].map((match) => match[0]);
}

/** Whether `promtool` runs here (Debian's prometheus package; CI installs it in .ci/run). */
export function promtoolAvailable(): boolean {
  const result = spawnSync('promtool', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0;
}

export function runPromtool(args: readonly string[], input?: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', [...args], {
    cwd: DEPLOY_DIR,
    encoding: 'utf8',
    timeout: 60_000,
    ...(input !== undefined && { input }),
  });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`,
  };
}
