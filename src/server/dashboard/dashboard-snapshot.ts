import type { Incident } from '../../domain/incident.ts';
import type { Position } from '../../domain/position.ts';
import type { TrackedOrder } from '../../domain/tracked-order.ts';
import type { TradingState } from '../../domain/trading-state.ts';
import { divFixed, type Fixed, fixedToFloat, formatFixed, formatFixedTrimmed, mulFixed } from '../../lib/fixed.ts';
import type { StreamHealth } from '../../ports/exchange-streams.ts';
import type { LatencySummary } from '../../ports/latency-source.ts';
import type { EquityPoint } from './equity-history.ts';

/** Everything the dashboard shows, read from the running engine at one instant. */
export interface DashboardReadings {
  readonly now: number;
  readonly startedAt: number;
  readonly status: {
    readonly mode: 'LIVE' | 'DRY_RUN';
    readonly running: boolean;
    readonly tradingState: TradingState;
    readonly killSwitch: 'ARMED' | 'TRIPPED';
    readonly equity: Fixed | undefined;
    readonly drawdown:
      | { readonly day: string; readonly baseline: Fixed; readonly drawdown: Fixed; readonly breached: boolean }
      | undefined;
    readonly positions: readonly Position[];
  };
  /** Mark price (else mid, else last trade) per symbol, for unrealized PnL. */
  readonly referencePrice: (symbol: string) => Fixed | undefined;
  readonly streams: readonly StreamHealth[];
  readonly reconnectsToday: ReadonlyMap<string, number>;
  readonly latency: { readonly rest: LatencySummary; readonly ws: LatencySummary } | undefined;
  readonly orders: readonly TrackedOrder[];
  /** Newest first is not assumed: the builder sorts. */
  readonly incidents: readonly Incident[];
  readonly history: readonly EquityPoint[];
}

export interface DashboardLimits {
  /** executor.max_order_age_s in ms: an order this old or older is stuck (playbook §4). */
  readonly maxOrderAgeMs: number;
  /** risk_manager.max_daily_dd as a ratio (0.02 = 2 %). */
  readonly maxDailyDrawdown: Fixed;
  /** websocket.stale_warn_s in ms: a stream this quiet is marked stale (playbook §1). */
  readonly staleWarnMs: number;
  /** Chart points sent at most; the history is thinned evenly beyond this. */
  readonly maxChartPoints: number;
}

export type DashboardHealth = 'ok' | 'degraded' | 'halted';

/** The JSON the page renders (and `/dashboard/snapshot` returns). Money is decimal strings. */
export interface DashboardSnapshot {
  readonly at: number;
  readonly uptime_s: number;
  readonly health: DashboardHealth;
  readonly mode: 'LIVE' | 'DRY_RUN';
  readonly running: boolean;
  readonly trading_state: TradingState;
  readonly kill_switch: 'ARMED' | 'TRIPPED';
  readonly streams: readonly {
    readonly stream: string;
    readonly connection: string;
    readonly state: string;
    readonly receive_age_s: number | null;
    readonly stale: boolean;
    readonly reconnects_today: number;
  }[];
  readonly stale_warn_s: number;
  readonly latency: {
    readonly rest: { readonly p95_ms: number; readonly count: number };
    readonly ws: { readonly p95_ms: number; readonly count: number };
  } | null;
  readonly equity: string | null;
  readonly drawdown: {
    readonly day: string;
    readonly baseline: string;
    readonly pct: string;
    readonly limit_pct: string;
    /** drawdown ÷ limit, for the gauge (1 = at the limit). */
    readonly used_of_limit: number;
    readonly breached: boolean;
  } | null;
  readonly positions: readonly {
    readonly symbol: string;
    readonly amount: string;
    readonly entry_price: string;
    readonly mark_price: string | null;
    readonly unrealized_pnl: string | null;
    readonly realized_pnl: string;
  }[];
  readonly orders: readonly {
    readonly client_order_id: string;
    readonly symbol: string;
    readonly side: string;
    readonly type: string;
    readonly quantity: string;
    readonly price: string | null;
    readonly executed_qty: string;
    readonly state: string;
    readonly purpose: string;
    readonly age_s: number;
    readonly stuck: boolean;
  }[];
  readonly max_order_age_s: number;
  readonly incidents: readonly {
    readonly id: string;
    readonly type: string;
    readonly severity: string;
    readonly status: string;
    readonly symbol: string | null;
    readonly summary: string;
    readonly detected_at: number;
    readonly contained_at: number | null;
    readonly resolved_at: number | null;
    readonly last_action: string | null;
    readonly acknowledgements: readonly { readonly by: string; readonly at: number }[];
  }[];
  /** Chart series: epoch seconds, equity (USDT) and drawdown (%), floats for drawing only. */
  readonly history: {
    readonly t: readonly number[];
    readonly equity: readonly number[];
    readonly drawdown_pct: readonly (number | null)[];
  };
}

const HUNDRED: Fixed = 100_00000000n;
const usdt = (value: Fixed): string => formatFixed(value, 2);
const percent = (ratio: Fixed): string => formatFixed(mulFixed(ratio, HUNDRED), 2);
const seconds1 = (ms: number): number => Math.round(ms / 100) / 10;
const THOUSAND: Fixed = 1000_00000000n;
const ONE: Fixed = 1_00000000n;
/**
 * Prices for people: a mid or a volume-weighted entry carries up to 8 decimals; 2 are enough from
 * 1,000 up, 4 from 1, 6 below (the quantities and the money stay exact, only their display rounds).
 */
const price = (value: Fixed): string => {
  const magnitude = value < 0n ? -value : value;
  return formatFixed(value, magnitude >= THOUSAND ? 2 : magnitude >= ONE ? 4 : 6);
};

/**
 * Builds the dashboard's snapshot from one set of readings: a pure function, so what the page shows
 * (stuck orders, drawdown against its limit, unrealized PnL) is tested without a server or a browser.
 */
export function buildDashboardSnapshot(readings: DashboardReadings, limits: DashboardLimits): DashboardSnapshot {
  const { status, now } = readings;
  const wsConnected = readings.streams.length > 0 && readings.streams.every((stream) => stream.state === 'open');
  // The same rule as /health, so the page and `curl /health` never disagree.
  const health: DashboardHealth =
    status.running && status.tradingState === 'ACTIVE' && status.killSwitch === 'ARMED' && wsConnected
      ? 'ok'
      : status.killSwitch === 'TRIPPED' || status.tradingState === 'HALTED'
        ? 'halted'
        : 'degraded';
  return {
    at: now,
    uptime_s: Math.round((now - readings.startedAt) / 1000),
    health,
    mode: status.mode,
    running: status.running,
    trading_state: status.tradingState,
    kill_switch: status.killSwitch,
    streams: readings.streams.map((stream) => ({
      stream: stream.stream,
      connection: stream.connection,
      state: stream.state,
      receive_age_s: stream.receiveAgeMs === undefined ? null : seconds1(stream.receiveAgeMs),
      stale:
        stream.state !== 'open' || (stream.receiveAgeMs !== undefined && stream.receiveAgeMs >= limits.staleWarnMs),
      reconnects_today: readings.reconnectsToday.get(stream.stream) ?? 0,
    })),
    stale_warn_s: limits.staleWarnMs / 1000,
    latency:
      readings.latency === undefined
        ? null
        : {
            rest: { p95_ms: Math.round(readings.latency.rest.p95Ms), count: readings.latency.rest.count },
            ws: { p95_ms: Math.round(readings.latency.ws.p95Ms), count: readings.latency.ws.count },
          },
    equity: status.equity === undefined ? null : usdt(status.equity),
    drawdown: status.drawdown === undefined ? null : drawdownView(status.drawdown, limits.maxDailyDrawdown),
    positions: status.positions
      .filter((position) => position.amount !== 0n)
      .map((position) => {
        const mark = readings.referencePrice(position.symbol);
        return {
          symbol: position.symbol,
          amount: formatFixedTrimmed(position.amount),
          entry_price: price(position.entryPrice),
          mark_price: mark === undefined ? null : price(mark),
          // Signed amount makes one formula right for both sides: a short gains when the mark falls.
          unrealized_pnl: mark === undefined ? null : usdt(mulFixed(mark - position.entryPrice, position.amount)),
          realized_pnl: usdt(position.realizedPnl),
        };
      }),
    orders: [...readings.orders]
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((order) => {
        const ageMs = now - order.createdAt;
        return {
          client_order_id: order.clientOrderId,
          symbol: order.symbol,
          side: order.side,
          type: order.type,
          quantity: formatFixedTrimmed(order.quantity),
          price: order.price === undefined ? null : formatFixedTrimmed(order.price),
          executed_qty: formatFixedTrimmed(order.executedQty),
          state: order.state,
          purpose: order.purpose,
          age_s: Math.floor(ageMs / 1000),
          stuck: ageMs >= limits.maxOrderAgeMs,
        };
      }),
    max_order_age_s: limits.maxOrderAgeMs / 1000,
    incidents: [...readings.incidents]
      .sort((a, b) => b.detectedAt - a.detectedAt)
      .map((incident) => {
        const last = incident.actions.at(-1);
        return {
          id: incident.id,
          type: incident.type,
          severity: incident.severity,
          status: incident.status,
          symbol: incident.symbol ?? null,
          summary: incident.summary,
          detected_at: incident.detectedAt,
          contained_at: incident.containedAt ?? null,
          resolved_at: incident.resolvedAt ?? null,
          last_action: last === undefined ? null : `${last.action}: ${last.result}`,
          acknowledgements: incident.acknowledgements.map((ack) => ({ by: ack.by, at: ack.at })),
        };
      }),
    history: chartSeries(readings.history, limits.maxChartPoints),
  };
}

function drawdownView(
  reading: NonNullable<DashboardReadings['status']['drawdown']>,
  limit: Fixed,
): NonNullable<DashboardSnapshot['drawdown']> {
  return {
    day: reading.day,
    baseline: usdt(reading.baseline),
    pct: percent(reading.drawdown),
    limit_pct: percent(limit),
    used_of_limit: limit > 0n ? fixedToFloat(divFixed(reading.drawdown, limit)) : 0,
    // The engine's own verdict, compared exactly; the rounded ratio above is for display only.
    breached: reading.breached,
  };
}

/** Thins the history evenly to at most `maxPoints`, always keeping the newest point. */
function chartSeries(points: readonly EquityPoint[], maxPoints: number): DashboardSnapshot['history'] {
  const stride = Math.max(1, Math.ceil(points.length / Math.max(1, maxPoints)));
  const kept: EquityPoint[] = [];
  for (let i = (points.length - 1) % stride; i < points.length; i += stride) {
    const point = points[i];
    if (point !== undefined) kept.push(point);
  }
  return {
    t: kept.map((point) => Math.round(point.at / 1000)),
    equity: kept.map((point) => fixedToFloat(point.equity)),
    drawdown_pct: kept.map((point) => (point.drawdown === undefined ? null : fixedToFloat(point.drawdown) * 100)),
  };
}
