import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { startSimulator } from '../src/sim/simulator.ts';
import { type Benchmark, result } from './bench-result.ts';

const STREAMS = [
  'btcusdt@depth@100ms',
  'btcusdt@bookTicker',
  'ethusdt@depth@100ms',
  'ethusdt@bookTicker',
  'bnbusdt@depth@100ms',
  'bnbusdt@bookTicker',
];
const MAX_TICKS = 20_000;
const MAX_MS = 8_000;

/**
 * WS market messages per second delivered to one client: the simulator ticking as fast as it can,
 * against a bare `ws` server sending the same recorded messages to one client (the transport's ceiling).
 */
export const benchmark: Benchmark = {
  name: 'simulator WebSocket market-data throughput',
  async run() {
    const sim = await startSimulator({ port: 0, seed: 1, manualTicks: true });
    const client = new WebSocket(`${sim.urls.ws}/public/stream?streams=${STREAMS.join('/')}`);
    await once(client, 'open');
    const recorded: string[] = [];
    client.on('message', (data) => {
      if (recorded.length < 200_000) recorded.push(String(data));
    });
    let received = 0;
    client.on('message', () => {
      received += 1;
    });
    const started = performance.now();
    let ticks = 0;
    while (ticks < MAX_TICKS && performance.now() - started < MAX_MS) {
      for (let i = 0; i < 50; i += 1) sim.market.tick();
      ticks += 50;
      await new Promise((resolve) => setImmediate(resolve)); // let the socket drain
    }
    const sentBy = performance.now();
    while (client.bufferedAmount > 0 || performance.now() - sentBy < 300) {
      const before = received;
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (received === before) break;
    }
    const elapsed = (performance.now() - started) / 1000;
    const simRate = received / elapsed;
    client.terminate();
    await sim.stop();

    const baselineRate = await bareWsRate(recorded);
    return [
      result({
        name: 'sim WS messages delivered to one client',
        unit: 'msg/s',
        value: simRate,
        baselineName: 'bare ws server replaying the same messages',
        baselineValue: baselineRate,
        notes: `${received} messages over ${ticks} ticks of 3 symbols (depth@100ms + bookTicker), ${elapsed.toFixed(1)} s`,
      }),
    ];
  },
};

async function bareWsRate(messages: readonly string[]): Promise<number> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  const [socket] = (await once(wss, 'connection')) as [WebSocket];
  await once(client, 'open').catch(() => undefined);
  let received = 0;
  const total = messages.length;
  const done = new Promise<void>((resolve) => {
    client.on('message', () => {
      received += 1;
      if (received === total) resolve();
    });
  });
  const started = performance.now();
  for (let i = 0; i < total; i += 1) {
    socket.send(messages[i] as string);
    if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  const rate = received / ((performance.now() - started) / 1000);
  client.terminate();
  wss.close();
  server.close();
  return rate;
}
