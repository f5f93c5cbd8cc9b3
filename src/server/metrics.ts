import { Counter, Gauge, Registry } from 'prom-client';
import type { Incident } from '../domain/incident.ts';
import type { Position } from '../domain/position.ts';
import type { TradingState } from '../domain/trading-state.ts';
import { type Fixed, fixedToFloat } from '../lib/fixed.ts';
import type { StreamHealth } from '../ports/exchange-streams.ts';
import type { LatencySource, LatencySummary } from '../ports/latency-source.ts';

/** What the metrics read at each scrape (all optional pieces are the running engine's). */
export interface MetricsSources {
  readonly status: () => {
    readonly tradingState: TradingState;
    readonly killSwitch: 'ARMED' | 'TRIPPED';
    readonly mode: 'LIVE' | 'DRY_RUN';
    readonly equity: Fixed | undefined;
    readonly drawdown: { readonly drawdown: Fixed } | undefined;
    readonly positions: readonly Position[];
    readonly activeOrders: number;
  };
  readonly streams: () => readonly StreamHealth[];
  readonly latency?: LatencySource;
  readonly openIncidents: () => readonly Incident[];
  readonly alerts?: () => { readonly delivered: number; readonly failed: number };
}

const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];

/**
 * Prometheus metrics (issue 7 point 3), on a registry of their own. Values are read from the engine
 * when Prometheus scrapes, so nothing on the trading path updates them; REST errors are counted as
 * they happen. Latency is exported as the rolling percentiles the latency tracker keeps (a gauge per
 * quantile), not as a Prometheus histogram: a simplification until the tracker exposes buckets.
 */
export class EngineMetrics {
  readonly registry = new Registry();
  readonly #restErrors: Counter<'status' | 'code'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    const gauge = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      collect: (g: Gauge<L>) => void,
    ) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          collect(this);
        },
      });
    gauge('yunmin_trading_state', 'Trading state: 1 for the current one (ACTIVE, REDUCING, HALTED)', ['state'], (g) => {
      const state = sources.status().tradingState;
      for (const candidate of TRADING_STATES) g.set({ state: candidate }, candidate === state ? 1 : 0);
    });
    gauge('yunmin_kill_switch_tripped', 'Kill switch: 1 when TRIPPED', [], (g) =>
      g.set(sources.status().killSwitch === 'TRIPPED' ? 1 : 0),
    );
    gauge('yunmin_mode_live', 'Orders go to the exchange (1) or to paper (0)', [], (g) =>
      g.set(sources.status().mode === 'LIVE' ? 1 : 0),
    );
    gauge('yunmin_equity_usdt', 'Wallet balance plus unrealized PnL', [], (g) => {
      const equity = sources.status().equity;
      if (equity !== undefined) g.set(fixedToFloat(equity));
    });
    gauge('yunmin_daily_drawdown_ratio', 'Drawdown from the 00:00 UTC equity baseline (0.02 = 2 %)', [], (g) => {
      const drawdown = sources.status().drawdown;
      if (drawdown !== undefined) g.set(fixedToFloat(drawdown.drawdown));
    });
    gauge('yunmin_position', 'Signed position per symbol', ['symbol'], (g) => {
      for (const position of sources.status().positions)
        g.set({ symbol: position.symbol }, fixedToFloat(position.amount));
    });
    gauge('yunmin_orders_active', 'Orders not yet in a terminal state', [], (g) =>
      g.set(sources.status().activeOrders),
    );
    gauge(
      'yunmin_ws_receive_age_seconds',
      'Seconds since the last message per stream (playbook §1)',
      ['stream'],
      (g) => {
        for (const stream of sources.streams()) {
          if (stream.receiveAgeMs !== undefined) g.set({ stream: stream.stream }, stream.receiveAgeMs / 1000);
        }
      },
    );
    gauge('yunmin_ws_connected', 'Stream connection open (1) or not (0)', ['stream'], (g) => {
      for (const stream of sources.streams()) g.set({ stream: stream.stream }, stream.state === 'open' ? 1 : 0);
    });
    gauge('yunmin_ws_reconnects', 'Reconnects per stream since start', ['stream'], (g) => {
      for (const stream of sources.streams()) g.set({ stream: stream.stream }, stream.reconnects);
    });
    const latency = sources.latency;
    if (latency !== undefined) {
      const quantiles = (g: Gauge<'quantile'>, summary: LatencySummary) => {
        if (summary.count === 0) return;
        g.set({ quantile: '0.5' }, summary.p50Ms);
        g.set({ quantile: '0.95' }, summary.p95Ms);
        g.set({ quantile: '0.99' }, summary.p99Ms);
        g.set({ quantile: '1' }, summary.maxMs);
      };
      gauge('yunmin_rest_latency_ms', 'REST round trip over the rolling window (playbook §3)', ['quantile'], (g) =>
        quantiles(g, latency.rest()),
      );
      gauge('yunmin_ws_latency_ms', 'WS event delay over the rolling window (playbook §3)', ['quantile'], (g) =>
        quantiles(g, latency.ws()),
      );
    }
    gauge('yunmin_incidents_open', 'Incidents not yet resolved', ['type', 'severity'], (g) => {
      const counts = new Map<string, { type: string; severity: string; n: number }>();
      for (const incident of sources.openIncidents()) {
        const key = `${incident.type}/${incident.severity}`;
        const entry = counts.get(key) ?? { type: incident.type, severity: incident.severity, n: 0 };
        entry.n += 1;
        counts.set(key, entry);
      }
      for (const { type, severity, n } of counts.values()) g.set({ type, severity }, n);
    });
    const alerts = sources.alerts;
    if (alerts !== undefined) {
      gauge('yunmin_alert_deliveries', 'Alert deliveries since start', ['result'], (g) => {
        const counters = alerts();
        g.set({ result: 'delivered' }, counters.delivered);
        g.set({ result: 'failed' }, counters.failed);
      });
    }
    this.#restErrors = new Counter({
      name: 'yunmin_rest_errors_total',
      help: 'REST errors by HTTP status and error code (playbook §2)',
      labelNames: ['status', 'code'],
      registers,
    });
  }

  /** Counts a failed REST call (fed from the same outcomes the §2 detector sees). */
  recordRestError(httpStatus: number | undefined, code: string): void {
    this.#restErrors.inc({ status: httpStatus === undefined ? 'none' : String(httpStatus), code });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
