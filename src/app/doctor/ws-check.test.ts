import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { SystemClock } from '../../lib/system-clock.ts';
import { checkWebSocket, marketStreamUrl } from './ws-check.ts';
import { webSocketProbe } from './ws-probe.ts';

describe('checkWebSocket', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('marketStreamUrl → bookTicker on /public, lower case', () => {
    expect(marketStreamUrl('wss://fstream.binance.com/', 'BTCUSDT')).toBe(
      'wss://fstream.binance.com/public/ws/btcusdt@bookTicker',
    );
  });

  it('nothing listens → fail', async () => {
    const result = await checkWebSocket(
      'ws://127.0.0.1:1/public/ws/btcusdt@bookTicker',
      webSocketProbe(new SystemClock(), 2000),
      { warnMs: 500 },
    );
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('ECONNREFUSED');
  });

  it('a server that accepts but never sends → fail "no message" within the timeout', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const result = await checkWebSocket(`ws://127.0.0.1:${port}/public/ws/x`, webSocketProbe(new SystemClock(), 300), {
      warnMs: 500,
    });
    expect(result).toMatchObject({ status: 'fail', detail: expect.stringContaining('no message within 300 ms') });
    for (const client of server.clients) client.terminate();
  });

  it('an HTTP server refusing the upgrade → fail with its status', async () => {
    const http = createServer((_request, response) => response.writeHead(404).end());
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    closers.push(() => new Promise((resolve) => http.close(() => resolve())));
    const { port } = http.address() as AddressInfo;
    const result = await checkWebSocket(`ws://127.0.0.1:${port}/x`, webSocketProbe(new SystemClock(), 2000), {
      warnMs: 500,
    });
    expect(result).toMatchObject({ status: 'fail', detail: expect.stringContaining('HTTP 404') });
  });

  it('a server that sends at once → pass; a probe slower than the threshold → warn', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    server.on('connection', (socket) => socket.send('{"e":"bookTicker"}'));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const result = await checkWebSocket(`ws://127.0.0.1:${port}/public/ws/x`, webSocketProbe(new SystemClock(), 2000), {
      warnMs: 500,
    });
    expect(result.status).toBe('pass');
    const slow = await checkWebSocket('ws://x', async () => ({ connectMs: 900, firstMessageMs: 10 }), { warnMs: 500 });
    expect(slow.status).toBe('warn');
  });
});
