import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Incident } from '../../domain/incident.ts';
import type { TradingState } from '../../domain/trading-state.ts';
import { SystemClock } from '../../lib/system-clock.ts';
import { startSimulator } from '../../sim/simulator.ts';
import { parseConfig } from '../config/load-config.ts';
import { type RunningEngine, startEngineApp } from '../engine-app.ts';
import type { DrillContext, DrillScenario } from './drill-scenario.ts';

export interface DrillResult {
  readonly scenario: string;
  readonly section: string;
  readonly passed: boolean;
  /** Detection minus the fault's start, ms; null when no incident was expected or none came. */
  readonly detected_ms: number | null;
  /** Containment minus detection, ms. */
  readonly contained_ms: number | null;
  /** The detection target: threshold + 1 s, scaled. */
  readonly detect_target_ms: number;
  readonly incident: { readonly id: string; readonly type: string; readonly severity: string } | null;
  readonly violations: readonly string[];
  /** Every incident the engine opened during the drill: "TYPE SEVERITY (status)". */
  readonly incidents: readonly string[];
}

export interface DrillOptions {
  /** Multiplies every time threshold (1 = the playbook's). */
  readonly scale: number;
  readonly seed?: number;
  /** Upper bound on one drill's response wait (ms), beyond its own thresholds. */
  readonly graceMs?: number;
}

const RANK: Readonly<Record<TradingState, number>> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };
const clock = new SystemClock();
const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));

/** The drill's base config: thresholds scaled by `scale` (DESIGN principle 7: drills over real sockets use scaled thresholds). */
export function drillConfigYaml(scale: number, dir: string, rest: string, ws: string): string {
  const s = (seconds: number) => Math.max(0.05, Number((seconds * scale).toFixed(3)));
  const ms = (value: number) => Math.max(20, Math.round(value * scale));
  return `mode: LIVE
exchange: { embedded_simulator: false, rest_endpoints: [${rest}], ws_endpoint: ${ws} }
state_dir: ${join(dir, 'state')}
logs_dir: ${join(dir, 'logs')}
health: { port: 0 }
sync_interval_s: ${s(5)}
risk_manager: { initial_capital: 10000, max_daily_dd: 0.02 }
websocket: { stale_warn_s: ${s(10)}, stale_kill_s: ${s(60)} }
rest: { error_window_s: ${s(60)}, unavailable_escalate_s: ${s(120)} }
latency: { window_s: ${s(60)}, rest_p95_warn_ms: ${ms(2000)}, ws_p95_warn_ms: ${ms(500)} }
flash_crash: { window_s: ${s(60)}, resume_wait_s: ${s(300)} }
killswitch: { verify_s: ${s(30)} }
executor: { max_order_age_s: ${s(300)} }
`;
}

/** Runs one drill: a fresh simulator and engine, one injected failure, the response checked. */
export async function runDrill(scenario: DrillScenario, options: DrillOptions): Promise<DrillResult> {
  const dir = mkdtempSync(join(tmpdir(), `yunmin-drill-${scenario.name}-`));
  const sim = await startSimulator({ port: 0, seed: options.seed ?? 7 });
  let engine: RunningEngine | undefined;
  const violations: string[] = [];
  const expectation = scenario.expect(options.scale);
  const detectTarget = Math.round(expectation.thresholdMs + 1000 * options.scale);
  let incident: Incident | undefined;
  try {
    const base = drillConfigYaml(options.scale, dir, sim.urls.rest, sim.urls.ws);
    const config = parseConfig(
      mergeYaml(base, scenario.config, options.scale),
      { BINANCE_API_KEY: sim.apiKey, BINANCE_API_SECRET: sim.apiSecret },
      `drill ${scenario.name}`,
    );
    engine = await startEngineApp({ config, healthPort: 0 });
    const running = engine;
    if (scenario.needsPosition) {
      await waitUntil(
        () => running.engine.tracker.positions().some((p) => p.amount !== 0n),
        15_000,
        'an open position',
        violations,
      );
    } else {
      await sleep(500);
    }
    const injected: string[] = [];
    const context: DrillContext = {
      sim,
      engine: running,
      scale: options.scale,
      inject: (spec) => {
        injected.push(sim.faults.inject(spec as never).id);
      },
    };
    const startedAt = clock.now();
    await scenario.inject(context);

    const deadline = expectation.thresholdMs * 3 + (options.graceMs ?? 15_000);
    if (expectation.incident !== undefined) {
      const type = expectation.incident;
      await waitUntil(
        () => {
          incident = running.store
            .listIncidents()
            .find((candidate) => candidate.type === type && candidate.detectedAt >= startedAt - 1);
          // Detected is not enough: wait for containment too (it follows within milliseconds).
          return incident !== undefined && incident.containedAt !== undefined;
        },
        deadline,
        `a ${type} incident`,
        violations,
      );
    }
    if (expectation.killSwitch) {
      await waitUntil(
        () => running.store.getKillSwitch().state === 'TRIPPED',
        deadline,
        'the kill switch to trip',
        violations,
      );
    }
    if (expectation.exchangeFlat) {
      await waitUntil(() => exchangeFlat(sim), deadline, 'the exchange to be flat', violations);
    }
    if (scenario.verify !== undefined) violations.push(...(await scenario.verify(context)));
    // Let user-stream fills of the last orders land before comparing books.
    await sleep(Math.max(300, 1000 * options.scale));
    violations.push(...checkInvariants(sim, running, expectation, startedAt));

    // The fault's first evidence: its first effect (the first failed request, the first dropped
    // message) when the fault log has one, else its start.
    const faultStart = Math.min(
      ...sim.faults
        .log()
        .filter((entry) => injected.includes(entry.id))
        .map((entry) => entry.firstEffectAt ?? entry.startedAt),
    );
    // The record as it ended (containment and actions come after detection).
    if (incident !== undefined) incident = running.store.getIncident(incident.id) ?? incident;
    const detected = incident === undefined ? null : incident.detectedAt - faultStart;
    const contained = incident?.containedAt === undefined ? null : incident.containedAt - incident.detectedAt;
    return {
      scenario: scenario.name,
      section: scenario.section,
      passed: violations.length === 0,
      detected_ms: detected,
      contained_ms: contained,
      detect_target_ms: detectTarget,
      incident: incident === undefined ? null : { id: incident.id, type: incident.type, severity: incident.severity },
      violations,
      incidents: running.store.listIncidents().map((i) => `${i.type} ${i.severity} (${i.status}): ${i.summary}`),
    };
  } catch (error) {
    violations.push(`drill failed: ${error instanceof Error ? error.message : String(error)}`);
    return {
      scenario: scenario.name,
      section: scenario.section,
      passed: false,
      detected_ms: null,
      contained_ms: null,
      detect_target_ms: detectTarget,
      incident: null,
      violations,
      incidents: engine?.store.listIncidents().map((i) => `${i.type} ${i.severity} (${i.status}): ${i.summary}`) ?? [],
    };
  } finally {
    await engine?.stop().catch(() => undefined);
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function checkInvariants(
  sim: Awaited<ReturnType<typeof startSimulator>>,
  running: RunningEngine,
  expectation: ReturnType<DrillScenario['expect']>,
  startedAt: number,
): string[] {
  const violations: string[] = [];
  const state = running.store.getTradingState();
  const tradingState = state?.state ?? 'ACTIVE';
  if (RANK[tradingState] < RANK[expectation.tradingState]) {
    violations.push(`trading state is ${tradingState}, expected ${expectation.tradingState}`);
  }
  if (expectation.tradingState === 'ACTIVE' && tradingState !== 'ACTIVE')
    violations.push(`trading state escalated to ${tradingState} (no halt expected)`);
  if (!expectation.killSwitch && running.store.getKillSwitch().state === 'TRIPPED')
    violations.push('the kill switch tripped (not expected)');
  if (expectation.exchangeFlat && !exchangeFlat(sim)) violations.push('the exchange is not flat');

  const orders = sim.exchange.openOrders();
  const allSymbols = [...new Set(sim.market.instruments.map((instrument) => instrument.symbol))];
  for (const symbol of allSymbols) {
    const all = sim.exchange.allOrders(symbol, { limit: 100_000 });
    const ids = all.map((order) => order.clientOrderId);
    if (new Set(ids).size !== ids.length) violations.push(`${symbol}: duplicate client order ids on the exchange`);
    if (tradingState === 'HALTED' && state !== undefined) {
      // "Sent" is when the engine handed the order to the wire (its `send` event), not when the
      // exchange received it: an order already on the wire when the halt came is not a violation.
      const sentAt = new Map(
        running.store
          .events({ types: ['OrderStateChanged'] })
          .filter((event) => event.payload.event === 'send')
          .map((event) => [String(event.payload.clientOrderId), event.at]),
      );
      const late = all.filter((order) => {
        if (order.reduceOnly || order.clientOrderId.startsWith('web_')) return false;
        return (sentAt.get(order.clientOrderId) ?? order.time) > state.changedAt;
      });
      if (late.length > 0) violations.push(`${symbol}: ${late.length} non-reduce-only order(s) sent while HALTED`);
    }
    // Nothing lost: every fill the exchange made for this account is in the engine's store.
    const recorded = new Set(running.store.fills(symbol, { limit: 1_000_000 }).map((fill) => fill.tradeId));
    const missing = sim.exchange
      .userTrades(symbol, { limit: 1000, startTime: 0 })
      .filter((trade) => !recorded.has(trade.id));
    if (missing.length > 0)
      violations.push(`${symbol}: ${missing.length} exchange fill(s) never recorded by the engine`);
    if (expectation.localEqualsExchange) {
      const exchangeAmount = sim.exchange.positions(symbol).find((p) => p.symbol === symbol)?.positionAmt ?? 0n;
      const localAmount = running.engine.tracker.position(symbol).amount;
      if (exchangeAmount !== localAmount)
        violations.push(`${symbol}: local position ${localAmount} ≠ exchange ${exchangeAmount} (1e-8 units)`);
    }
  }
  if (expectation.exchangeFlat && orders.length > 0)
    violations.push(`${orders.length} open order(s) left on the exchange`);
  void startedAt;
  return violations;
}

function exchangeFlat(sim: Awaited<ReturnType<typeof startSimulator>>): boolean {
  return (
    sim.exchange.openOrders().length === 0 && sim.exchange.positions().every((position) => position.positionAmt === 0n)
  );
}

async function waitUntil(
  predicate: () => boolean,
  timeoutMs: number,
  what: string,
  violations: string[],
): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  while (clock.now() < deadline) {
    if (predicate()) return;
    await sleep(25);
  }
  if (!predicate()) violations.push(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Appends scenario YAML to the base; a scenario section replaces the base's of the same name. */
function mergeYaml(base: string, extra: string, _scale: number): string {
  const sections = new Set(
    extra
      .split('\n')
      .map((line) => /^([a-z_]+):/.exec(line)?.[1])
      .filter((name) => name !== undefined),
  );
  const kept = base.split('\n').filter((line) => {
    const name = /^([a-z_]+):/.exec(line)?.[1];
    return name === undefined || !sections.has(name);
  });
  return `${kept.join('\n')}\n${extra}`;
}
