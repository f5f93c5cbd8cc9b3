import { describe, expect, it } from 'vitest';
import { LatencyTracker } from '../adapters/binance-usdm/latency/latency-tracker.ts';
import type { LocalOrderState } from '../domain/order-transitions.ts';
import { parseFixed } from '../lib/fixed.ts';
import { TestClock } from '../lib/test-clock.ts';
import { EngineMetrics, type MetricsSources } from './metrics.ts';

const f = parseFixed;

function quietSources(overrides: Partial<MetricsSources> = {}): MetricsSources {
  return {
    status: () => ({
      tradingState: 'ACTIVE',
      killSwitch: 'ARMED',
      mode: 'LIVE',
      equity: undefined,
      drawdown: undefined,
      positions: [],
      activeOrders: 0,
    }),
    streams: () => [],
    openIncidents: () => [],
    ...overrides,
  };
}

/** The exposition lines of one metric family (samples only, no HELP/TYPE). */
function samples(text: string, prefix: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(prefix) && !line.startsWith('#'));
}

describe('Prometheus metrics', () => {
  it('a halted engine with a position, a stale stream and an open CRIT → each shows in the exposition text', async () => {
    const metrics = new EngineMetrics({
      status: () => ({
        tradingState: 'HALTED',
        killSwitch: 'TRIPPED',
        mode: 'DRY_RUN',
        equity: f('9800.5'),
        drawdown: { drawdown: f('0.021') },
        positions: [{ symbol: 'BTCUSDT', amount: f('-0.003'), entryPrice: f('100000'), realizedPnl: 0n }],
        activeOrders: 2,
      }),
      streams: () => [
        {
          stream: 'btcusdt@bookTicker',
          connection: 'public',
          state: 'open',
          receiveAgeMs: 61_000,
          reconnects: 3,
          lastMessageAt: 0,
        },
      ],
      latency: {
        rest: () => ({ count: 10, p50Ms: 120, p95Ms: 2_350, p99Ms: 3_000, maxMs: 3_100 }),
        ws: () => ({ count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 }),
      },
      openIncidents: () => [
        {
          id: 'a',
          type: 'WS_STALE',
          severity: 'CRIT',
          summary: 's',
          firstEvidenceAt: 0,
          firstEvidence: 'e',
          detectedAt: 1,
          actions: [],
          status: 'OPEN',
          acknowledgements: [],
        },
      ],
      alerts: () => ({ delivered: 4, failed: 1 }),
    });
    metrics.recordRestError(429, 'EXCHANGE_RATE_LIMITED');
    metrics.recordRestError(429, 'EXCHANGE_RATE_LIMITED');
    const text = await metrics.render();
    for (const line of [
      'yunmin_trading_state{state="HALTED"} 1',
      'yunmin_trading_state{state="ACTIVE"} 0',
      'yunmin_kill_switch_tripped 1',
      'yunmin_mode_live 0',
      'yunmin_equity_usdt 9800.5',
      'yunmin_daily_drawdown_ratio 0.021',
      'yunmin_position{symbol="BTCUSDT"} -0.003',
      'yunmin_orders_active 2',
      'yunmin_ws_receive_age_seconds{stream="btcusdt@bookTicker"} 61',
      'yunmin_ws_reconnects{stream="btcusdt@bookTicker"} 3',
      'yunmin_rest_latency_window_seconds{percentile="0.95"} 2.35',
      'yunmin_incidents_open{type="WS_STALE",severity="CRIT"} 1',
      'yunmin_alert_deliveries{result="failed"} 1',
      'yunmin_rest_errors_total{status="429",code="EXCHANGE_RATE_LIMITED"} 2',
    ]) {
      expect(text, line).toContain(line);
    }
    // No samples for a window without data.
    expect(text).not.toContain('yunmin_ws_latency_window_seconds{');
  });
});

describe('Prometheus histograms and order states', () => {
  it('REST samples of 1.5 s and 2.5 s → exact cumulative buckets per endpoint, with a bound at the 2 s threshold', async () => {
    const tracker = new LatencyTracker({ clock: new TestClock() });
    const metrics = new EngineMetrics(quietSources({ latency: tracker, latencySamples: tracker }));
    tracker.recordRest('order', 1_500);
    tracker.recordRest('order', 2_500);
    tracker.recordRest('market', 40);
    const text = await metrics.render();
    expect(samples(text, 'yunmin_rest_latency_seconds_bucket{le="2",endpoint="order"}')).toEqual([
      'yunmin_rest_latency_seconds_bucket{le="2",endpoint="order"} 1',
    ]);
    expect(samples(text, 'yunmin_rest_latency_seconds_bucket{').filter((line) => line.includes('"order"'))).toEqual([
      'yunmin_rest_latency_seconds_bucket{le="0.01",endpoint="order"} 0',
      'yunmin_rest_latency_seconds_bucket{le="0.025",endpoint="order"} 0',
      'yunmin_rest_latency_seconds_bucket{le="0.05",endpoint="order"} 0',
      'yunmin_rest_latency_seconds_bucket{le="0.1",endpoint="order"} 0',
      'yunmin_rest_latency_seconds_bucket{le="0.25",endpoint="order"} 0',
      'yunmin_rest_latency_seconds_bucket{le="0.5",endpoint="order"} 0',
      'yunmin_rest_latency_seconds_bucket{le="1",endpoint="order"} 0',
      'yunmin_rest_latency_seconds_bucket{le="2",endpoint="order"} 1',
      'yunmin_rest_latency_seconds_bucket{le="5",endpoint="order"} 2',
      'yunmin_rest_latency_seconds_bucket{le="10",endpoint="order"} 2',
      'yunmin_rest_latency_seconds_bucket{le="+Inf",endpoint="order"} 2',
    ]);
    expect(text).toContain('yunmin_rest_latency_seconds_sum{endpoint="order"} 4\n');
    expect(text).toContain('yunmin_rest_latency_seconds_count{endpoint="order"} 2\n');
    expect(text).toContain('yunmin_rest_latency_seconds_bucket{le="0.05",endpoint="market"} 1\n');
    expect(text).toContain('# TYPE yunmin_rest_latency_seconds histogram');
    // The rolling-percentile gauges stay beside the histograms.
    expect(text).toContain('yunmin_rest_latency_window_seconds{percentile="1"} 2.5\n');
  });

  it('WS delays per stream → a histogram per stream with a bound at the 500 ms threshold; close() stops observing', async () => {
    const tracker = new LatencyTracker({ clock: new TestClock() });
    const metrics = new EngineMetrics(quietSources({ latency: tracker, latencySamples: tracker }));
    tracker.recordWs('btcusdt@bookTicker', 10_000, 10_400, 0);
    tracker.recordWs('btcusdt@bookTicker', 10_000, 10_600, 0);
    tracker.recordWs('userData', 10_000, 10_020, 0);
    let text = await metrics.render();
    expect(text).toContain('yunmin_ws_latency_seconds_bucket{le="0.5",stream="btcusdt@bookTicker"} 1\n');
    expect(text).toContain('yunmin_ws_latency_seconds_bucket{le="1",stream="btcusdt@bookTicker"} 2\n');
    expect(text).toContain('yunmin_ws_latency_seconds_bucket{le="0.025",stream="userData"} 1\n');
    metrics.close();
    tracker.recordWs('btcusdt@bookTicker', 10_000, 10_100, 0);
    text = await metrics.render();
    expect(text).toContain('yunmin_ws_latency_seconds_count{stream="btcusdt@bookTicker"} 2\n');
  });

  it('orders by lifecycle state → every non-terminal state is a series, counts follow the tracker between scrapes', async () => {
    let orders: { state: LocalOrderState }[] = [{ state: 'OPEN' }, { state: 'OPEN' }, { state: 'UNKNOWN' }];
    const metrics = new EngineMetrics(quietSources({ orders: () => orders }));
    expect(samples(await metrics.render(), 'yunmin_orders{')).toEqual([
      'yunmin_orders{state="PENDING_SUBMIT"} 0',
      'yunmin_orders{state="SUBMITTED"} 0',
      'yunmin_orders{state="UNKNOWN"} 1',
      'yunmin_orders{state="OPEN"} 2',
      'yunmin_orders{state="PARTIALLY_FILLED"} 0',
      'yunmin_orders{state="PENDING_CANCEL"} 0',
    ]);
    orders = [{ state: 'PENDING_CANCEL' }];
    const text = await metrics.render();
    expect(text).toContain('yunmin_orders{state="OPEN"} 0\n');
    expect(text).toContain('yunmin_orders{state="UNKNOWN"} 0\n');
    expect(text).toContain('yunmin_orders{state="PENDING_CANCEL"} 1\n');
  });

  it('drawdown limit from config → its own gauge; unknown equity and drawdown → NaN, not a fake 0', async () => {
    const metrics = new EngineMetrics(quietSources({ drawdownLimit: 0.02 }));
    const text = await metrics.render();
    expect(text).toContain('yunmin_daily_drawdown_limit_ratio 0.02\n');
    // prom-client spells it "Nan"; Prometheus parses NaN case-insensitively.
    expect(text).toMatch(/^yunmin_equity_usdt nan$/im);
    expect(text).toMatch(/^yunmin_daily_drawdown_ratio nan$/im);
  });

  it('REST errors, stream age and reconnects → the values change with the readings between scrapes', async () => {
    let age = 3_000;
    let reconnects = 0;
    const metrics = new EngineMetrics(
      quietSources({
        streams: () => [
          { stream: 'userData', connection: 'private', state: 'open', receiveAgeMs: age, reconnects, lastMessageAt: 0 },
        ],
      }),
    );
    expect(await metrics.render()).not.toContain('yunmin_rest_errors_total{');
    metrics.recordRestError(undefined, 'EXCHANGE_TIMEOUT');
    age = 11_500;
    reconnects = 2;
    const text = await metrics.render();
    expect(text).toContain('yunmin_rest_errors_total{status="none",code="EXCHANGE_TIMEOUT"} 1\n');
    expect(text).toContain('yunmin_ws_receive_age_seconds{stream="userData"} 11.5\n');
    expect(text).toContain('yunmin_ws_reconnects{stream="userData"} 2\n');
  });
});
