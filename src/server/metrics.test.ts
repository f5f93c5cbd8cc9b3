import { describe, expect, it } from 'vitest';
import { parseFixed } from '../lib/fixed.ts';
import { EngineMetrics } from './metrics.ts';

const f = parseFixed;

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
      'yunmin_rest_latency_ms{quantile="0.95"} 2350',
      'yunmin_incidents_open{type="WS_STALE",severity="CRIT"} 1',
      'yunmin_alert_deliveries{result="failed"} 1',
      'yunmin_rest_errors_total{status="429",code="EXCHANGE_RATE_LIMITED"} 2',
    ]) {
      expect(text, line).toContain(line);
    }
    // No samples for a window without data.
    expect(text).not.toContain('yunmin_ws_latency_ms{');
  });
});
