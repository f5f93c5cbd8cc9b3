import { describe, expect, it } from 'vitest';
import { ExchangeError } from '../../domain/exchange-error.ts';
import type { ExchangeInfo } from '../../domain/instrument.ts';
import { TestClock } from '../../lib/test-clock.ts';
import type { ExchangeRestStatus } from '../../ports/exchange-rest.ts';
import { checkRateLimitHeadroom, checkRestPing, checkServerTime } from './rest-checks.ts';

const PING = { pings: 4, warnMs: 500, failMs: 2000 };

describe('checkRestPing', () => {
  it('every ping answers quickly → pass with p50/p95', async () => {
    const clock = new TestClock(0);
    const rest = { ping: async () => clock.advance(40) };
    const result = await checkRestPing(rest, clock, PING);
    expect(result).toMatchObject({ status: 'pass', detail: '4 pings: p50 40 ms, p95 40 ms, max 40 ms' });
  });

  it('the exchange does not answer → fail with the error', async () => {
    const clock = new TestClock(0);
    const rest = {
      ping: async () => {
        throw new ExchangeError('EXCHANGE_NETWORK', 'GET /fapi/v1/ping: connect ECONNREFUSED', {
          endpoint: 'GET /fapi/v1/ping',
        });
      },
    };
    const result = await checkRestPing(rest, clock, PING);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('ECONNREFUSED');
  });

  it('p95 over 500 ms → warn; over latency.rest_p95_warn_ms → fail', async () => {
    const clock = new TestClock(0);
    let delay = 700;
    const rest = { ping: async () => clock.advance(delay) };
    expect((await checkRestPing(rest, clock, PING)).status).toBe('warn');
    delay = 2500;
    expect((await checkRestPing(rest, clock, PING)).status).toBe('fail');
  });
});

describe('checkServerTime', () => {
  it('offset within half of recvWindow → pass; past half → warn; past recvWindow → fail', async () => {
    const clock = new TestClock(1_000_000);
    const at = (offset: number) => ({ getServerTime: async () => clock.now() - offset });
    expect((await checkServerTime(at(120), clock, 5000)).status).toBe('pass');
    expect((await checkServerTime(at(-3000), clock, 5000)).status).toBe('warn');
    const fail = await checkServerTime(at(6000), clock, 5000);
    expect(fail.status).toBe('fail');
    expect(fail.detail).toContain('+6000 ms');
  });
});

describe('checkRateLimitHeadroom', () => {
  const info: ExchangeInfo = {
    serverTime: 0,
    instruments: [],
    rateLimits: [
      { type: 'ORDERS', intervalMs: 60_000, limit: 1200 },
      { type: 'REQUEST_WEIGHT', intervalMs: 60_000, limit: 2400 },
    ],
  };
  const rest = (used: number) => ({
    getExchangeInfo: async () => info,
    status: (): ExchangeRestStatus => ({
      usedWeight1m: used,
      orderCount10s: 0,
      orderCount1m: 0,
      serverTimeOffsetMs: 0,
      activeEndpoint: 'x',
      endpoints: ['x'],
    }),
  });
  const thresholds = { warnShare: 0.5, failShare: 0.8 };

  it('used weight against the exchangeInfo limit → pass, warn at half, fail at the client cap', async () => {
    expect(await checkRateLimitHeadroom(rest(12), thresholds)).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('12/2400'),
    });
    expect((await checkRateLimitHeadroom(rest(1300), thresholds)).status).toBe('warn');
    expect((await checkRateLimitHeadroom(rest(2000), thresholds)).status).toBe('fail');
  });
});
