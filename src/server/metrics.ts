import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Incident } from '../domain/incident.ts';
import { type LocalOrderState, ORDER_TRANSITIONS, TERMINAL_ORDER_STATES } from '../domain/order-transitions.ts';
import type { Position } from '../domain/position.ts';
import type { TradingState } from '../domain/trading-state.ts';
import { type Fixed, fixedToFloat } from '../lib/fixed.ts';
import type { StreamHealth } from '../ports/exchange-streams.ts';
import type { LatencySource, LatencySummary } from '../ports/latency-source.ts';

/** One latency as the latency tracker records it (its `onSample` feed). */
export interface LatencyObservation {
  readonly kind: 'rest' | 'ws';
  /** Endpoint class (REST) or stream (WS). */
  readonly key: string;
  readonly ms: number;
}

/**
 * Histogram buckets, seconds. Each set has a bound at the playbook's §3 threshold (REST p95 2 s, WS
 * p95 500 ms), so `histogram_quantile` is exact at the line the alert draws; the rest spread a
 * decade either side.
 */
export const REST_LATENCY_BUCKETS_S: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];
export const WS_LATENCY_BUCKETS_S: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Lifecycle states an order can be in while the tracker still holds it (every non-terminal one). */
export const ACTIVE_ORDER_STATES: readonly LocalOrderState[] = (
  Object.keys(ORDER_TRANSITIONS) as LocalOrderState[]
).filter((state) => !TERMINAL_ORDER_STATES.has(state));

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
  /** Every latency sample as it is recorded, for the histograms (the latency tracker). */
  readonly latencySamples?: { onSample(listener: (sample: LatencyObservation) => void): () => void };
  /** Orders the tracker holds (not yet terminal), for the count per lifecycle state. */
  readonly orders?: () => readonly { readonly state: LocalOrderState }[];
  /** `risk_manager.max_daily_dd`, a fraction: drawn beside the drawdown and compared by the alert. */
  readonly drawdownLimit?: number;
  readonly openIncidents: () => readonly Incident[];
  readonly alerts?: () => { readonly delivered: number; readonly failed: number };
}

const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];

/**
 * Prometheus metrics (issue 7 point 3), on a registry of their own. Values are read from the engine
 * when Prometheus scrapes, so nothing on the trading path updates them; REST errors are counted as
 * they happen, and latency samples are observed into histograms as the tracker records them (one
 * bucket increment each). The tracker's rolling percentiles are kept as gauges too: they are what
 * the §3 detector compares, while the histograms let Prometheus compute any window it likes.
 */
export class EngineMetrics {
  readonly registry = new Registry();
  readonly #restErrors: Counter<'status' | 'code'>;
  readonly #unsubscribe: () => void;

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
      // Unknown (no account snapshot yet) is NaN, not 0: a label-less gauge always shows a value, and
      // a 0 would draw a fake crash on the dashboard; NaN compares false in every alert.
      const equity = sources.status().equity;
      g.set(equity === undefined ? Number.NaN : fixedToFloat(equity));
    });
    gauge('yunmin_daily_drawdown_ratio', 'Drawdown from the 00:00 UTC equity baseline (0.02 = 2 %)', [], (g) => {
      const drawdown = sources.status().drawdown;
      g.set(drawdown === undefined ? Number.NaN : fixedToFloat(drawdown.drawdown));
    });
    gauge('yunmin_position', 'Signed position per symbol', ['symbol'], (g) => {
      for (const position of sources.status().positions)
        g.set({ symbol: position.symbol }, fixedToFloat(position.amount));
    });
    gauge('yunmin_orders_active', 'Orders not yet in a terminal state', [], (g) =>
      g.set(sources.status().activeOrders),
    );
    const orders = sources.orders;
    if (orders !== undefined) {
      gauge('yunmin_orders', 'Orders not yet terminal, per lifecycle state', ['state'], (g) => {
        const counts = new Map<LocalOrderState, number>(ACTIVE_ORDER_STATES.map((state) => [state, 0]));
        for (const order of orders()) counts.set(order.state, (counts.get(order.state) ?? 0) + 1);
        for (const [state, n] of counts) g.set({ state }, n);
      });
    }
    const drawdownLimit = sources.drawdownLimit;
    if (drawdownLimit !== undefined) {
      gauge('yunmin_daily_drawdown_limit_ratio', 'risk_manager.max_daily_dd: the kill-switch line (§5)', [], (g) =>
        g.set(drawdownLimit),
      );
    }
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
      // Named `percentile`, not `quantile`: Prometheus reserves that label for summaries.
      const percentiles = (g: Gauge<'percentile'>, summary: LatencySummary) => {
        if (summary.count === 0) return;
        g.set({ percentile: '0.5' }, summary.p50Ms / 1000);
        g.set({ percentile: '0.95' }, summary.p95Ms / 1000);
        g.set({ percentile: '0.99' }, summary.p99Ms / 1000);
        g.set({ percentile: '1' }, summary.maxMs / 1000);
      };
      gauge(
        'yunmin_rest_latency_window_seconds',
        'REST round trip percentiles over the rolling window the §3 detector compares',
        ['percentile'],
        (g) => percentiles(g, latency.rest()),
      );
      gauge(
        'yunmin_ws_latency_window_seconds',
        'WS event delay percentiles over the rolling window the §3 detector compares',
        ['percentile'],
        (g) => percentiles(g, latency.ws()),
      );
    }
    const restHistogram = new Histogram<'endpoint'>({
      name: 'yunmin_rest_latency_seconds',
      help: 'REST round trip per endpoint class (playbook §3: p95 > 2 s is WARN)',
      labelNames: ['endpoint'],
      buckets: [...REST_LATENCY_BUCKETS_S],
      registers,
    });
    const wsHistogram = new Histogram<'stream'>({
      name: 'yunmin_ws_latency_seconds',
      help: 'WS event delay per stream, corrected by the server-time offset (playbook §3: p95 > 500 ms is WARN)',
      labelNames: ['stream'],
      buckets: [...WS_LATENCY_BUCKETS_S],
      registers,
    });
    this.#unsubscribe =
      sources.latencySamples?.onSample((sample) => {
        if (sample.kind === 'rest') restHistogram.observe({ endpoint: sample.key }, sample.ms / 1000);
        else wsHistogram.observe({ stream: sample.key }, sample.ms / 1000);
      }) ?? (() => undefined);
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

  /** Stops observing latency samples (the tracker outlives nothing, but tests build many). */
  close(): void {
    this.#unsubscribe();
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
