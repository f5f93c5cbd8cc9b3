import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../domain/incident.ts';
import type { TrackedOrder } from '../../domain/tracked-order.ts';
import type { EngineStatus } from '../../engine/trading-engine.ts';
import { parseFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import type { StreamHealth } from '../../ports/exchange-streams.ts';
import { createHealthServer, type HealthServerDeps } from '../health-server.ts';
import type { DashboardSnapshot } from './dashboard-snapshot.ts';

const TOKEN = 'dashboard-test-secret-token-42';

/** Readings a test can change between pushes. */
function fixture(withDashboard = true) {
  const clock = new TestClock();
  const state = {
    status: {
      mode: 'LIVE',
      running: true,
      tradingState: 'ACTIVE',
      killSwitch: 'ARMED',
      equity: parseFixed('10000'),
      drawdown: undefined,
      positions: [],
      activeOrders: 0,
      lastDecisionAt: undefined,
      lastSyncAt: undefined,
      recovery: undefined,
    } as EngineStatus,
    streams: [
      {
        stream: 'btcusdt@bookTicker',
        connection: 'market',
        state: 'open',
        receiveAgeMs: 200,
        reconnects: 0,
        lastMessageAt: undefined,
      },
    ] as StreamHealth[],
    orders: [] as TrackedOrder[],
    incidents: [] as Incident[],
  };
  const deps: HealthServerDeps = {
    clock,
    engine: {
      status: () => state.status,
      tracker: { active: () => state.orders } as unknown as HealthServerDeps['engine']['tracker'],
      execution: { closePosition: async () => undefined, cancel: async () => undefined },
    },
    streams: { health: () => state.streams },
    controlToken: () => TOKEN,
    startedAt: clock.now(),
    ...(withDashboard && {
      dashboard: {
        incidents: (limit: number) => state.incidents.slice(0, limit),
        referencePrice: () => parseFixed('43000'),
        maxOrderAgeMs: 300_000,
        maxDailyDrawdown: parseFixed('0.02'),
        staleWarnMs: 30_000,
      },
    }),
  };
  return { clock, state, app: createHealthServer(deps) };
}

let open: FastifyInstance | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function listen(app: FastifyInstance): Promise<string> {
  open = app;
  return app.listen({ host: '127.0.0.1', port: 0 });
}

/** A raw GET (no URL normalisation by the client, unlike fetch). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += String(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An event-stream reader: `next()` resolves with the next `data:` payload, parsed. */
function openEvents(url: string) {
  const received: DashboardSnapshot[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  let response: IncomingMessage | undefined;
  let ended = false;
  const req = httpRequest(url);
  const ready = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', (res) => {
      response = res;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of event.split('\n')) {
            if (line.startsWith('data: ')) received.push(JSON.parse(line.slice(6)) as DashboardSnapshot);
          }
        }
        for (const wake of waiters.splice(0)) wake();
      });
      res.on('end', () => {
        ended = true;
        for (const wake of waiters.splice(0)) wake();
      });
      resolve(res);
    });
    req.on('error', reject);
  });
  req.end();
  let read = 0;
  return {
    ready,
    get ended() {
      return ended;
    },
    async next(timeoutMs = 2000): Promise<DashboardSnapshot> {
      const deadline = Date.now() + timeoutMs;
      while (received.length <= read) {
        if (ended) throw new Error('event stream ended');
        if (Date.now() > deadline) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      const snapshot = received[read] as DashboardSnapshot;
      read += 1;
      return snapshot;
    },
    async waitEnded(timeoutMs = 2000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (!ended && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return ended;
    },
    close() {
      response?.destroy();
      req.destroy();
    },
  };
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return predicate();
}

describe('dashboard routes on the health server', () => {
  it('GET / → the page: HTML with the test ids, only same-origin assets, a CSP, no token', async () => {
    const base = await listen(fixture().app);
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    for (const id of [
      'mode',
      'trading-state',
      'kill-switch',
      'streams',
      'equity-chart',
      'drawdown-chart',
      'incidents',
    ]) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(references).toContain('/dashboard/assets/uPlot.iife.min.js');
    // No CDN: every script and stylesheet comes from this server.
    for (const reference of references) expect(reference).toMatch(/^\//);
    expect(html).not.toContain(TOKEN);
  });

  it('assets → uPlot served byte for byte from its npm package, ours with the right content types', async () => {
    const base = await listen(fixture().app);
    const require = createRequire(import.meta.url);
    const cases = [
      ['uPlot.iife.min.js', 'text/javascript; charset=utf-8', require.resolve('uplot/dist/uPlot.iife.min.js')],
      ['uPlot.min.css', 'text/css; charset=utf-8', require.resolve('uplot/dist/uPlot.min.css')],
      ['dashboard.js', 'text/javascript; charset=utf-8', new URL('./assets/dashboard.js', import.meta.url).pathname],
      ['dashboard.css', 'text/css; charset=utf-8', new URL('./assets/dashboard.css', import.meta.url).pathname],
    ] as const;
    for (const [name, type, file] of cases) {
      const response = await fetch(`${base}/dashboard/assets/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type'), name).toBe(type);
      expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(file)), name).toBe(true);
    }
  });

  it('an unknown asset or a path traversal → 404, never a file from disk', async () => {
    const base = await listen(fixture().app);
    const paths = [
      '/dashboard/assets/nope.js',
      '/dashboard/assets/..%2F..%2F..%2F..%2Fpackage.json',
      '/dashboard/assets/../../../../package.json',
      '/dashboard/assets/%2e%2e%2fdashboard-routes.ts',
      '/dashboard/assets/..%5c..%5cpackage.json',
      '/dashboard/assets/dashboard.js%00.txt',
      '/dashboard/assets/',
      '/dashboard/assets/assets%2Fdashboard.js',
    ];
    for (const path of paths) {
      const { status, body } = await rawGet(base, path);
      expect(status, path).toBe(404);
      expect(body, path).not.toContain('"name": "yunmin"');
      expect(body, path).not.toContain('registerDashboard');
    }
  });

  it('GET /dashboard/snapshot → the readings as JSON, with no secret in it', async () => {
    const base = await listen(fixture().app);
    const response = await fetch(`${base}/dashboard/snapshot`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text)).toMatchObject({
      mode: 'LIVE',
      trading_state: 'ACTIVE',
      kill_switch: 'ARMED',
      equity: '10000.00',
      streams: [{ stream: 'btcusdt@bookTicker', state: 'open', receive_age_s: 0.2 }],
    });
  });

  it('event stream → a snapshot at once, then after a push interval one showing the changed readings', async () => {
    const { app, clock, state } = fixture();
    const base = await listen(app);
    const events = openEvents(`${base}/dashboard/events`);
    const response = await events.ready;
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const first = await events.next();
    expect(first).toMatchObject({ trading_state: 'ACTIVE', kill_switch: 'ARMED', incidents: [] });

    state.status = { ...state.status, tradingState: 'HALTED', killSwitch: 'TRIPPED' };
    state.streams = [{ ...(state.streams[0] as StreamHealth), receiveAgeMs: 45_000 }];
    state.incidents = [
      {
        id: 'INC-7',
        type: 'KILL_SWITCH',
        severity: 'CRIT',
        summary: 'kill switch tripped',
        firstEvidenceAt: clock.now(),
        firstEvidence: 'operator',
        detectedAt: clock.now(),
        actions: [],
        status: 'OPEN',
        acknowledgements: [{ by: 'alice', at: clock.now() }],
      },
    ];
    clock.advance(1000);
    const second = await events.next();
    expect(second).toMatchObject({
      health: 'halted',
      trading_state: 'HALTED',
      kill_switch: 'TRIPPED',
      streams: [{ receive_age_s: 45, stale: true }],
      incidents: [{ id: 'INC-7', acknowledgements: [{ by: 'alice' }] }],
    });
    expect(second.at).toBe(first.at + 1000);
    events.close();
  });

  it('a client that goes away → its push timer stops; only the chart sampler is left', async () => {
    const { app, clock } = fixture();
    const base = await listen(app);
    expect(clock.pendingTimers).toBe(1); // the equity sampler, started when the server became ready
    const events = openEvents(`${base}/dashboard/events`);
    await events.next();
    expect(clock.pendingTimers).toBe(2);
    events.close();
    expect(await until(() => clock.pendingTimers === 1, 2000)).toBe(true);
  });

  it('close() with an event stream open → returns promptly and ends the stream; all timers stopped', async () => {
    const { app, clock } = fixture();
    const base = await listen(app);
    const events = openEvents(`${base}/dashboard/events`);
    await events.next();
    const started = Date.now();
    const closed = await Promise.race([
      app.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 3000)),
    ]);
    open = undefined;
    expect(closed).toBe('closed');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await events.waitEnded()).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('equity sampled on the clock → the snapshot history grows with each sample', async () => {
    const { app, clock, state } = fixture();
    const base = await listen(app);
    state.status = { ...state.status, equity: parseFixed('10050.25') };
    clock.advance(2000);
    clock.advance(2000);
    const snapshot = (await (await fetch(`${base}/dashboard/snapshot`)).json()) as DashboardSnapshot;
    expect(snapshot.history.equity).toEqual([10_000, 10_050.25, 10_050.25]);
  });

  it('no dashboard sources → no page at /, and /health answers as before', async () => {
    const base = await listen(fixture(false).app);
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/dashboard/events`)).status).toBe(404);
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'ok', trading_state: 'ACTIVE' });
  });
});
