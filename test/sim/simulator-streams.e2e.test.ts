import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/sim/simulator.ts';
import { controlRequest, publicRequest } from '../support/binance-request.ts';
import { RecordingSocket } from '../support/ws-messages.ts';

type Level = [string, string];
interface DepthMessage {
  U: number;
  u: number;
  pu: number;
  b: Level[];
  a: Level[];
}

describe('simulator: market streams over loopback', () => {
  let sim: RunningSimulator | undefined;
  const sockets: RecordingSocket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await sim?.stop();
    sim = undefined;
  });

  async function open(url: string): Promise<RecordingSocket> {
    const socket = await RecordingSocket.open(url);
    sockets.push(socket);
    return socket;
  }

  it("depth@100ms diffs applied to the REST snapshot by Binance's rules → the book the REST endpoint shows", async () => {
    sim = await startSimulator({ port: 0, seed: 5, manualTicks: true });
    const socket = await open(`${sim.urls.ws}/public/stream?streams=btcusdt@depth@100ms`);
    for (let i = 0; i < 5; i += 1) sim.market.tick();
    const snapshot = (await publicRequest(sim, '/fapi/v1/depth?symbol=BTCUSDT&limit=1000')).body as {
      lastUpdateId: number;
      bids: Level[];
      asks: Level[];
    };
    for (let i = 0; i < 40; i += 1) sim.market.tick();
    const final = (await publicRequest(sim, '/fapi/v1/depth?symbol=BTCUSDT&limit=1000')).body as typeof snapshot;
    const diffs = () => socket.messages.map((m) => (m as { data: DepthMessage }).data);
    await socket.waitFor(() => diffs().at(-1)?.u === final.lastUpdateId, 5_000, 'the last diff');

    // reference §3.3: drop u < lastUpdateId; first applied has U ≤ lastUpdateId ≤ u; then pu == previous u.
    const bids = new Map(snapshot.bids);
    const asks = new Map(snapshot.asks);
    let previous: number | undefined;
    for (const diff of diffs()) {
      if (diff.u < snapshot.lastUpdateId) continue;
      if (previous === undefined) expect(diff.U <= snapshot.lastUpdateId && snapshot.lastUpdateId <= diff.u).toBe(true);
      else expect(diff.pu).toBe(previous);
      previous = diff.u;
      for (const [side, levels] of [
        [bids, diff.b],
        [asks, diff.a],
      ] as const) {
        for (const [price, qty] of levels) {
          if (Number(qty) === 0) side.delete(price);
          else side.set(price, qty);
        }
      }
    }
    expect(previous).toBe(final.lastUpdateId);
    const sorted = (side: Map<string, string>, descending: boolean) =>
      [...side.entries()].sort((x, y) => (descending ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));
    expect(sorted(bids, true).slice(0, final.bids.length)).toEqual(final.bids);
    expect(sorted(asks, false).slice(0, final.asks.length)).toEqual(final.asks);
  });

  it('aggTrade on /market arrives; the same stream requested on /public stays silent (as Binance)', async () => {
    sim = await startSimulator({ port: 0, seed: 6, manualTicks: true });
    const right = await open(`${sim.urls.ws}/market/ws/btcusdt@aggTrade`);
    const wrong = await open(`${sim.urls.ws}/public/ws/btcusdt@aggTrade`);
    for (let i = 0; i < 30; i += 1) sim.market.tick();
    await right.waitFor(() => right.events('aggTrade').length > 0, 5_000, 'aggTrade on /market');
    const trade = right.events('aggTrade')[0];
    expect(trade).toMatchObject({ s: 'BTCUSDT' });
    expect(trade?.p).toMatch(/^\d+\.\d{2}$/);
    await new Promise((resolve) => setTimeout(resolve, 200)); // bounded: give the wrong path a chance to misbehave
    expect(wrong.messages).toEqual([]);
  });

  it('JSON SUBSCRIBE → {"result":null,"id":1}, then data flows; invalid frame → error frame, socket still open', async () => {
    sim = await startSimulator({ port: 0, seed: 7, manualTicks: true });
    const socket = await open(`${sim.urls.ws}/public/ws`);
    socket.send({ method: 'SUBSCRIBE', params: ['ethusdt@bookTicker'], id: 1 });
    await socket.waitFor(() => socket.messages.length > 0, 5_000, 'the SUBSCRIBE ack');
    expect(socket.messages[0]).toEqual({ result: null, id: 1 });
    socket.socket.send('{not json');
    await socket.waitFor(() => socket.messages.length > 1, 5_000, 'an error frame');
    expect(socket.messages[1]).toHaveProperty('error');
    for (let i = 0; i < 30; i += 1) sim.market.tick();
    await socket.waitFor(() => socket.events('bookTicker').length > 0, 5_000, 'bookTicker');
    expect(socket.closed).toBe(false);
  });

  it('ws-freeze on one stream → that stream goes silent while another flows and pings are answered', async () => {
    sim = await startSimulator({ port: 0, seed: 8, manualTicks: true });
    const socket = await open(`${sim.urls.ws}/market/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade`);
    const fault = await controlRequest(sim, 'POST', '/faults', {
      type: 'ws-freeze',
      streams: ['btcusdt@aggTrade'],
      durationMs: 60_000,
    });
    expect(fault.status).toBe(201);
    for (let i = 0; i < 40; i += 1) sim.market.tick();
    await socket.waitFor(() => socket.events('aggTrade').some((t) => t.s === 'ETHUSDT'), 5_000, 'ETH trades');
    const pong = new Promise<void>((resolve) => socket.socket.once('pong', () => resolve()));
    socket.socket.ping('alive?');
    await pong;
    expect(socket.events('aggTrade').filter((t) => t.s === 'BTCUSDT')).toEqual([]);
  });

  it('ws-close fault → every market socket is closed', async () => {
    sim = await startSimulator({ port: 0, seed: 9, manualTicks: true });
    const a = await open(`${sim.urls.ws}/market/ws/btcusdt@aggTrade`);
    const b = await open(`${sim.urls.ws}/public/ws/btcusdt@bookTicker`);
    await controlRequest(sim, 'POST', '/faults', { type: 'ws-close' });
    await a.waitFor(() => a.closed, 5_000, 'close of a');
    await b.waitFor(() => b.closed, 5_000, 'close of b');
  });

  it('request weight over the limit → 429 with Retry-After, then 418 ban', async () => {
    sim = await startSimulator({ port: 0, seed: 10, rateLimits: { requestWeightPerMinute: 5 } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i += 1) {
      const response = await fetch(`${sim.urls.rest}/fapi/v1/ping`);
      statuses.push(response.status);
      retryAfter ??= response.headers.get('retry-after');
      await response.arrayBuffer();
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[5]).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(statuses.slice(6)).toEqual([418, 418]);
  });
});
