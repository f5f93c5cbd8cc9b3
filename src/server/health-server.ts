import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ExecutionService } from '../engine/execution-service.ts';
import type { TradingEngine } from '../engine/trading-engine.ts';
import type { Clock } from '../lib/clock.ts';
import { type Fixed, formatFixed, formatFixedTrimmed, mulFixed } from '../lib/fixed.ts';
import type { ExchangeStreams } from '../ports/exchange-streams.ts';
import type { LatencySource } from '../ports/latency-source.ts';
import { type DashboardSources, registerDashboard } from './dashboard/dashboard-routes.ts';
import type { EngineMetrics } from './metrics.ts';

export interface HealthServerDeps {
  readonly clock: Clock;
  readonly engine: Pick<TradingEngine, 'status' | 'tracker'> & {
    readonly execution: Pick<ExecutionService, 'closePosition' | 'cancel'>;
  };
  readonly streams: Pick<ExchangeStreams, 'health'>;
  readonly latency?: LatencySource;
  /** YUNMIN_CONTROL_TOKEN; control endpoints refuse every request when it is not set. */
  readonly controlToken: (() => string) | undefined;
  readonly startedAt: number;
  /**
   * Operator commands a running engine accepts from the CLI (kill switch, resume…), by name. The
   * app registers them; this server only authenticates and dispatches.
   */
  readonly commands?: ReadonlyMap<string, ControlCommand>;
  /** Prometheus metrics, served at `/metrics` (no token: operators' Prometheus scrapes it). */
  readonly metrics?: EngineMetrics;
  /** Alert deliveries so far (playbook §9: a failing channel must itself be visible). */
  readonly alerts?: () => {
    readonly delivered: number;
    readonly failed: number;
    readonly unconfigured: number;
    readonly pendingEscalations: number;
    readonly byChannel: Readonly<Record<string, { readonly delivered: number; readonly failed: number }>>;
  };
  /** The live dashboard at `/` (issue 7 point 1); absent → no dashboard routes. */
  readonly dashboard?: DashboardSources;
}

/** A control command: validates its own arguments (throwing YunminError with a clear message). */
export type ControlCommand = (args: Readonly<Record<string, unknown>>) => Promise<unknown>;

const fixed = (value: Fixed | undefined): string | null => (value === undefined ? null : formatFixedTrimmed(value));
const round1 = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms / 100) / 10);

/**
 * The health server (issue 4 point 9): `/health` and `/ws_health` as the playbook reads them
 * (`curl http://localhost:8000/health`), plus token-protected control endpoints for the CLI.
 */
export function createHealthServer(deps: HealthServerDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });

  app.get('/health', async () => {
    const status = deps.engine.status();
    const streams = deps.streams.health();
    const ages = streams.map((stream) => stream.receiveAgeMs).filter((age): age is number => age !== undefined);
    const lastUpdateAgeMs = ages.length === 0 ? undefined : Math.min(...ages);
    const wsConnected = streams.length > 0 && streams.every((stream) => stream.state === 'open');
    const healthy = status.running && status.tradingState === 'ACTIVE' && status.killSwitch === 'ARMED' && wsConnected;
    return {
      status: healthy
        ? 'ok'
        : status.killSwitch === 'TRIPPED' || status.tradingState === 'HALTED'
          ? 'halted'
          : 'degraded',
      mode: status.mode,
      trading_state: status.tradingState,
      kill_switch: status.killSwitch,
      running: status.running,
      ws_connected: wsConnected,
      last_update_age_s: round1(lastUpdateAgeMs),
      equity: fixed(status.equity),
      daily_drawdown_pct:
        status.drawdown === undefined ? null : formatFixed(mulFixed(status.drawdown.drawdown, 10_000_000_000n), 2),
      positions: status.positions
        .filter((position) => position.amount !== 0n)
        .map((position) => ({
          symbol: position.symbol,
          amount: fixed(position.amount),
          entry_price: fixed(position.entryPrice),
        })),
      open_orders: status.activeOrders,
      last_decision_at: status.lastDecisionAt ?? null,
      last_sync_at: status.lastSyncAt ?? null,
      uptime_s: Math.round((deps.clock.now() - deps.startedAt) / 1000),
      ...(deps.alerts !== undefined && { alerts: alertHealth(deps.alerts()) }),
    };
  });

  app.get('/metrics', async (_request, reply) => {
    if (deps.metrics === undefined) return reply.code(404).send({ error: 'metrics are not enabled' });
    return reply.header('content-type', deps.metrics.contentType).send(await deps.metrics.render());
  });

  app.get('/ws_health', async () => ({
    streams: deps.streams.health().map((stream) => ({
      stream: stream.stream,
      connection: stream.connection,
      state: stream.state,
      receive_age_s: round1(stream.receiveAgeMs),
      reconnects: stream.reconnects,
    })),
    latency: deps.latency === undefined ? null : { rest: deps.latency.rest(), ws: deps.latency.ws() },
  }));

  const authorised = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const expected = deps.controlToken?.();
    if (expected === undefined || expected === '') {
      void reply
        .code(403)
        .send({ error: 'control endpoints are disabled: set YUNMIN_CONTROL_TOKEN for the engine and the CLI' });
      return false;
    }
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      void reply
        .code(401)
        .send({ error: 'missing or wrong control token (Authorization: Bearer $YUNMIN_CONTROL_TOKEN)' });
      return false;
    }
    return true;
  };

  app.get('/control/orders', async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    return deps.engine.tracker.active().map((order) => ({
      client_order_id: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      quantity: fixed(order.quantity),
      price: fixed(order.price),
      state: order.state,
      executed_qty: fixed(order.executedQty),
      purpose: order.purpose,
      age_s: Math.round((deps.clock.now() - order.createdAt) / 1000),
    }));
  });

  app.post('/control/close', async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const symbol = (request.body as { symbol?: unknown } | undefined)?.symbol;
    if (typeof symbol !== 'string' || !/^[A-Z0-9]{2,20}$/.test(symbol)) {
      return reply.code(400).send({ error: 'body.symbol: expected a symbol such as "BTCUSDT"' });
    }
    const result = await deps.engine.execution.closePosition(symbol, 'operator close');
    return { symbol, result: result === undefined ? 'flat' : result.status };
  });

  app.post('/control/cancel', async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const id = (request.body as { client_order_id?: unknown } | undefined)?.client_order_id;
    if (typeof id !== 'string' || id === '')
      return reply.code(400).send({ error: 'body.client_order_id: expected the client order id' });
    const order = await deps.engine.execution.cancel(id);
    if (order === undefined) return reply.code(404).send({ error: `no tracked order ${id}` });
    return { client_order_id: id, state: order.state };
  });

  app.post('/control/command/:name', async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const name = (request.params as { name: string }).name;
    const command = deps.commands?.get(name);
    if (command === undefined) {
      return reply
        .code(404)
        .send({ error: `unknown command ${name}; known: ${[...(deps.commands?.keys() ?? [])].join(', ')}` });
    }
    const body = request.body;
    const args =
      typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    try {
      return { result: (await command(args)) ?? null };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return reply.code(400).send({
        error: error instanceof Error ? error.message : String(error),
        ...(typeof code === 'string' && { code }),
      });
    }
  });

  if (deps.dashboard !== undefined) {
    registerDashboard(app, {
      ...deps.dashboard,
      clock: deps.clock,
      startedAt: deps.startedAt,
      status: () => deps.engine.status(),
      orders: () => deps.engine.tracker.active(),
      streams: () => deps.streams.health(),
      latency: deps.latency,
    });
  }

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url}` }),
  );
  app.setErrorHandler((error, _request, reply) => {
    const status =
      typeof (error as { statusCode?: unknown }).statusCode === 'number'
        ? (error as { statusCode: number }).statusCode
        : 500;
    return reply.code(status).send({ error: error instanceof Error ? error.message : String(error) });
  });
  return app;
}

function alertHealth(counters: NonNullable<HealthServerDeps['alerts']> extends () => infer C ? C : never) {
  return {
    delivered: counters.delivered,
    failed: counters.failed,
    unconfigured_channels: counters.unconfigured,
    pending_escalations: counters.pendingEscalations,
    failing_channels: Object.entries(counters.byChannel)
      .filter(([, count]) => count.failed > 0)
      .map(([name, count]) => `${name} (${count.failed} failed)`),
  };
}
