import { beforeEach, describe, expect, it } from 'vitest';
import type { Fixed } from '../../lib/fixed.ts';
import { createRandom } from '../../lib/random.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { apiErrors } from '../api-error.ts';
import { SkewedClock } from '../skewed-clock.ts';
import { createControlHandler } from './control-api.ts';
import { FakeFaultTargets } from './fake-fault-targets.ts';
import type { ControlHandler } from './fault-gate.ts';
import { FaultInjector } from './fault-injector.ts';
import { ScenarioRunner } from './scenario.ts';

let clock: TestClock;
let injector: FaultInjector;
let handler: ControlHandler;
let prices: { symbol: string; price: Fixed }[];
let resets: (Fixed | undefined)[];

beforeEach(() => {
  clock = new TestClock();
  injector = new FaultInjector({ clock, random: createRandom(3), targets: new FakeFaultTargets() });
  prices = [];
  resets = [];
  handler = createControlHandler({
    injector,
    scenarios: new ScenarioRunner({ clock, injector }),
    market: {
      setPrice(symbol, price) {
        if (symbol !== 'BTCUSDT') throw apiErrors.badSymbol();
        prices.push({ symbol, price });
      },
    },
    exchange: {
      reset(balance) {
        resets.push(balance);
      },
    },
    clock: new SkewedClock(clock, () => injector.clockSkewMs()),
  });
});

function call(method: string, path: string, body: unknown = '') {
  return handler({
    method,
    path,
    query: new URLSearchParams(),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function errorOf(reply: { body: unknown }): string {
  return (reply.body as { error: string }).error;
}

describe('control API', () => {
  it('GET / → lists every route', async () => {
    const reply = await call('GET', '/');
    expect(reply.status).toBe(200);
    const routes = (reply.body as { routes: { method: string; path: string }[] }).routes.map(
      (route) => `${route.method} ${route.path}`,
    );
    expect(routes).toEqual([
      'GET /',
      'GET /faults',
      'POST /faults',
      'DELETE /faults',
      'GET /faults/log',
      'DELETE /faults/:id',
      'POST /scenario',
      'POST /price',
      'POST /reset',
      'GET /time',
    ]);
  });

  it('POST /faults → 201 with the active fault, then GET /faults lists it', async () => {
    const created = await call('POST', '/faults', { type: 'rest-error', status: 429, durationMs: '30s' });
    expect(created).toEqual({
      status: 201,
      body: { id: 'f1', type: 'rest-error', startedAt: clock.now(), endsAt: clock.now() + 30_000 },
    });
    expect(
      injector.restVerdict({ method: 'GET', path: '/fapi/v1/time', isOrderMutation: false, isReduceOnly: false }).kind,
    ).toBe('respond');
    expect(await call('GET', '/faults')).toEqual({ status: 200, body: [created.body] });
  });

  it('POST /faults with a bad field → 400 naming the field', async () => {
    const reply = await call('POST', '/faults', { type: 'ws-refuse', durationMs: 'soon' });
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toMatch(/^invalid fault: durationMs: expected a duration/);
    expect((reply.body as { issues: { path: string }[] }).issues[0]?.path).toBe('durationMs');
  });

  it('POST /faults with bad JSON → 400, not a throw', async () => {
    const reply = await call('POST', '/faults', '{"type": ');
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toMatch(/^body is not valid JSON/);
  });

  it('POST /faults that the exchange rejects → 400 with the Binance code', async () => {
    const fills = new FakeFaultTargets();
    fills.fillError = apiErrors.badSymbol();
    const rejecting = createControlHandler({
      injector: new FaultInjector({ clock, random: createRandom(1), targets: fills }),
      scenarios: { load: () => ({ name: 'unused' }) },
      market: { setPrice: () => {} },
      exchange: { reset: () => {} },
      clock,
    });
    const reply = await rejecting({
      method: 'POST',
      path: '/faults',
      query: new URLSearchParams(),
      body: JSON.stringify({ type: 'external-fill', symbol: 'NOPEUSDT', side: 'BUY', qty: '1' }),
    });
    expect(reply).toEqual({ status: 400, body: { error: 'Invalid symbol.', code: -1121 } });
  });

  it('DELETE /faults/:id → clears it; again → 404', async () => {
    await call('POST', '/faults', { type: 'rest-hang' });
    expect(await call('DELETE', '/faults/f1')).toEqual({ status: 200, body: { cleared: 'f1' } });
    const again = await call('DELETE', '/faults/f1');
    expect(again.status).toBe(404);
    expect(errorOf(again)).toContain('"f1"');
  });

  it('DELETE /faults → clears all and says how many', async () => {
    await call('POST', '/faults', { type: 'rest-hang' });
    await call('POST', '/faults', { type: 'clock-skew', offsetMs: 10 });
    expect(await call('DELETE', '/faults/')).toEqual({ status: 200, body: { cleared: 2 } });
    expect(injector.active()).toEqual([]);
  });

  it('GET /faults/log → every fault with start, first effect and end', async () => {
    await call('POST', '/faults', { type: 'ws-close' });
    const reply = await call('GET', '/faults/log');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual([
      {
        id: 'f1',
        type: 'ws-close',
        params: { type: 'ws-close' },
        startedAt: clock.now(),
        firstEffectAt: clock.now(),
        endedAt: clock.now(),
        endReason: 'immediate',
        effects: 3,
      },
    ]);
  });

  it('POST /scenario → 201 and the scenario runs on the clock', async () => {
    const reply = await call('POST', '/scenario', 'name: drill\nsteps:\n  - at: 5s\n    fault: { type: ws-close }\n');
    expect(reply).toEqual({ status: 201, body: { name: 'drill' } });
    clock.advance(5_000);
    expect(injector.log().map((entry) => entry.type)).toEqual(['ws-close']);
  });

  it('POST /scenario with an invalid step → 400 naming the step and field', async () => {
    const reply = await call('POST', '/scenario', 'name: drill\nsteps:\n  - at: 5s\n    fault: { type: latency }\n');
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toContain('steps[0].fault.target');
  });

  it('POST /scenario with an empty body → 400', async () => {
    expect((await call('POST', '/scenario', '')).status).toBe(400);
  });

  it('POST /price → sets an exact price', async () => {
    const reply = await call('POST', '/price', { symbol: 'btcusdt', price: '43000.10' });
    expect(reply).toEqual({ status: 200, body: { symbol: 'BTCUSDT', price: '43000.10' } });
    expect(prices).toEqual([{ symbol: 'BTCUSDT', price: 4_300_010_000_000n }]);
  });

  it('POST /price with a number or no price → 400 naming price', async () => {
    const numeric = await call('POST', '/price', { symbol: 'BTCUSDT', price: 43000.1 });
    expect(numeric.status).toBe(400);
    expect(errorOf(numeric)).toMatch(/^invalid price: price: expected a price as a decimal string/);
    expect(errorOf(await call('POST', '/price', { symbol: 'BTCUSDT' }))).toContain('price:');
    expect(errorOf(await call('POST', '/price', { symbol: 'BTCUSDT', price: '0' }))).toContain(
      'price: expected a price above 0',
    );
  });

  it('POST /price for an unknown symbol → 400 with -1121', async () => {
    expect(await call('POST', '/price', { symbol: 'NOPEUSDT', price: '1' })).toEqual({
      status: 400,
      body: { error: 'Invalid symbol.', code: -1121 },
    });
  });

  it('POST /reset → resets with or without a balance; a bad balance → 400 naming balance', async () => {
    expect(await call('POST', '/reset', '')).toEqual({ status: 200, body: { reset: true } });
    expect(await call('POST', '/reset', { balance: '300' })).toEqual({
      status: 200,
      body: { reset: true, balance: '300' },
    });
    expect(resets).toEqual([undefined, 30_000_000_000n]);
    const bad = await call('POST', '/reset', { balance: '-5' });
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toContain('balance:');
  });

  it('GET /time → the exchange time, skew included', async () => {
    await call('POST', '/faults', { type: 'clock-skew', offsetMs: '-2s' });
    expect(await call('GET', '/time')).toEqual({
      status: 200,
      body: { serverTime: clock.now() - 2_000, skewMs: -2_000 },
    });
  });

  it('unknown route → 404; wrong method → 405 listing the allowed ones', async () => {
    const missing = await call('GET', '/nothing');
    expect(missing.status).toBe(404);
    expect(errorOf(missing)).toContain('/_sim/nothing');
    const wrongMethod = await call('PUT', '/faults');
    expect(wrongMethod.status).toBe(405);
    expect(errorOf(wrongMethod)).toContain('allowed: GET, POST, DELETE');
  });
});
