import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Incident } from '../../domain/incident.ts';
import type { TrackedOrder } from '../../domain/tracked-order.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Fixed } from '../../lib/fixed.ts';
import type { StreamHealth } from '../../ports/exchange-streams.ts';
import type { LatencySource } from '../../ports/latency-source.ts';
import { buildDashboardSnapshot, type DashboardReadings } from './dashboard-snapshot.ts';
import { EquityHistory } from './equity-history.ts';
import { ReconnectsToday } from './reconnects-today.ts';
import { SnapshotStream } from './snapshot-stream.ts';

/** What the app hands the health server for the dashboard, beyond the engine and streams it already has. */
export interface DashboardSources {
  /** Newest first, at most `limit` (the SQLite incident store). */
  readonly incidents: (limit: number) => readonly Incident[];
  /** Mark price, else mid, else last trade (the engine's market state). */
  readonly referencePrice: (symbol: string) => Fixed | undefined;
  /** executor.max_order_age_s in ms. */
  readonly maxOrderAgeMs: number;
  /** risk_manager.max_daily_dd as a ratio. */
  readonly maxDailyDrawdown: Fixed;
  /** websocket.stale_warn_s in ms. */
  readonly staleWarnMs: number;
  /** Event stream push interval; 1 s unless a test says otherwise. */
  readonly pushIntervalMs?: number;
  /** Chart sampling interval; 2 s unless a test says otherwise. */
  readonly historySampleMs?: number;
  /** Chart samples kept; 24 h at the default sampling unless a test says otherwise. */
  readonly historyCapacity?: number;
}

export interface DashboardDeps extends DashboardSources {
  readonly clock: Clock;
  readonly startedAt: number;
  readonly status: () => DashboardReadings['status'];
  readonly orders: () => readonly TrackedOrder[];
  readonly streams: () => readonly StreamHealth[];
  readonly latency: LatencySource | undefined;
}

const INCIDENTS_SHOWN = 25;
const MAX_CHART_POINTS = 360;
const DAY_MS = 86_400_000;

interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The page's files: ours beside this module, uPlot from its npm package (no CDN). */
function loadAssets(): ReadonlyMap<string, Asset> {
  const own = (name: string) => readFileSync(join(import.meta.dirname, 'assets', name));
  const npm = (specifier: string) => readFileSync(createRequire(import.meta.url).resolve(specifier));
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  // An allow-list by exact name: nothing the client sends ever becomes a file path.
  return new Map<string, Asset>([
    ['dashboard.js', { body: own('dashboard.js'), contentType: js }],
    ['dashboard.css', { body: own('dashboard.css'), contentType: css }],
    ['uPlot.iife.min.js', { body: npm('uplot/dist/uPlot.iife.min.js'), contentType: js }],
    ['uPlot.min.css', { body: npm('uplot/dist/uPlot.min.css'), contentType: css }],
  ]);
}

// Same-origin only: the page loads nothing from elsewhere and talks only to this server.
// uPlot sizes its canvas through inline styles, hence 'unsafe-inline' for styles (not scripts).
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The live dashboard (issue 7 point 1): `/` serves the page, `/dashboard/events` streams snapshots
 * (server-sent events), `/dashboard/snapshot` returns one, `/dashboard/assets/:name` the bundled
 * files. Read-only and without a token, like /health: nothing here can change the engine, and the
 * snapshot carries no secret (only engine state, orders and incident summaries).
 */
export function registerDashboard(app: FastifyInstance, deps: DashboardDeps): void {
  const assets = loadAssets();
  const page = readFileSync(join(import.meta.dirname, 'assets', 'dashboard.html'));
  const historySampleMs = deps.historySampleMs ?? 2_000;
  const history = new EquityHistory({
    clock: deps.clock,
    sampleMs: historySampleMs,
    capacity: deps.historyCapacity ?? Math.ceil(DAY_MS / historySampleMs),
    read: () => {
      const status = deps.status();
      return { equity: status.equity, drawdown: status.drawdown?.drawdown };
    },
  });
  const reconnects = new ReconnectsToday();
  const snapshot = () => {
    const now = deps.clock.now();
    const streams = deps.streams();
    return buildDashboardSnapshot(
      {
        now,
        startedAt: deps.startedAt,
        status: deps.status(),
        referencePrice: deps.referencePrice,
        streams,
        reconnectsToday: reconnects.observe(now, streams),
        latency: deps.latency === undefined ? undefined : { rest: deps.latency.rest(), ws: deps.latency.ws() },
        orders: deps.orders(),
        incidents: deps.incidents(INCIDENTS_SHOWN),
        history: history.points(),
      },
      {
        maxOrderAgeMs: deps.maxOrderAgeMs,
        maxDailyDrawdown: deps.maxDailyDrawdown,
        staleWarnMs: deps.staleWarnMs,
        maxChartPoints: MAX_CHART_POINTS,
      },
    );
  };
  const stream = new SnapshotStream({
    clock: deps.clock,
    intervalMs: deps.pushIntervalMs ?? 1_000,
    snapshot: () => JSON.stringify(snapshot()),
  });

  app.addHook('onReady', async () => history.start());
  // preClose runs before the HTTP server stops accepting: end the event streams so close() can finish.
  app.addHook('preClose', async () => stream.closeAll());
  app.addHook('onClose', async () => history.stop());

  app.get('/', async (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(page),
  );

  app.get('/dashboard/snapshot', async (_request, reply) => reply.header('cache-control', 'no-store').send(snapshot()));

  app.get('/dashboard/events', (request, reply) => {
    reply.hijack();
    stream.add(reply.raw);
    request.raw.on('error', () => reply.raw.destroy());
  });

  app.get('/dashboard/assets/:name', async (request, reply) => {
    const name = (request.params as { name: string }).name;
    const asset = assets.get(name);
    if (asset === undefined) {
      return reply
        .code(404)
        .send({ error: `no dashboard asset ${JSON.stringify(name)}; known: ${[...assets.keys()].join(', ')}` });
    }
    return reply
      .header('content-type', asset.contentType)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(asset.body);
  });
}
