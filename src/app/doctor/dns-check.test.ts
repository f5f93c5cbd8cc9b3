import { describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { checkDns, endpointHosts } from './dns-check.ts';

describe('checkDns', () => {
  const clock = new TestClock(0);

  it('an unreachable host (ENOTFOUND) → fail naming the host and the error', async () => {
    const resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND fapi.invalid'), { code: 'ENOTFOUND' });
    };
    const result = await checkDns('fapi.invalid', resolve, clock);
    expect(result).toMatchObject({ name: 'dns fapi.invalid', status: 'fail' });
    expect(result.detail).toContain('ENOTFOUND');
  });

  it('resolves → pass with the addresses; an IP literal → pass without a lookup', async () => {
    const asked: string[] = [];
    const resolve = async (host: string) => {
      asked.push(host);
      return ['10.0.0.1', '10.0.0.2'];
    };
    expect(await checkDns('fapi.binance.com', resolve, clock)).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('10.0.0.1'),
    });
    expect(await checkDns('127.0.0.1', resolve, clock)).toMatchObject({ status: 'pass' });
    expect(asked).toEqual(['fapi.binance.com']);
  });

  it('a lookup slower than a second → warn; no address → fail', async () => {
    const slow = async () => {
      clock.advance(1500);
      return ['10.0.0.1'];
    };
    expect((await checkDns('slow.example', slow, clock)).status).toBe('warn');
    expect((await checkDns('empty.example', async () => [], clock)).status).toBe('fail');
  });

  it('endpointHosts → each host once, IPv6 brackets removed', () => {
    expect(
      endpointHosts([
        'https://fapi.binance.com',
        'https://fapi.binance.com/x',
        'wss://fstream.binance.com',
        'http://[::1]:80',
      ]),
    ).toEqual(['fapi.binance.com', 'fstream.binance.com', '::1']);
  });
});
