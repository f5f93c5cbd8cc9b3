import { afterEach, describe, expect, it } from 'vitest';
import { aggTradeEvent } from './stream-test-events.ts';
import { type StreamHarness, sleep, startStreamHarness } from './stream-test-harness.ts';

const PING = 180_000;
const PONG_DEADLINE = 600_000;
const DAY = 86_400_000;

let harness: StreamHarness | undefined;

async function start(options: Parameters<typeof startStreamHarness>[0] = {}): Promise<StreamHarness> {
  harness = await startStreamHarness(options);
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('connection rules (reference §3.2)', () => {
  it('every pingIntervalMs → a ping frame with a payload; none before', async () => {
    const h = await start();
    const client = await h.connect('/market/ws');
    const pings: string[] = [];
    client.socket.on('ping', (data) => pings.push(String(data)));
    h.clock.advance(PING - 1);
    await sleep(50);
    expect(pings).toEqual([]);
    h.clock.advance(1);
    await sleep(50);
    expect(pings).toHaveLength(1);
    expect(pings[0]).not.toBe('');
  });

  it('pings answered with pongs → still connected after the pong deadline', async () => {
    const h = await start();
    const client = await h.connect('/market/ws');
    const pinged = new Promise<void>((resolve) => client.socket.once('ping', () => resolve()));
    h.clock.advance(PING);
    await pinged;
    await sleep(50); // the automatic pong travels back
    h.clock.advance(PONG_DEADLINE);
    client.send({ method: 'LIST_SUBSCRIPTIONS', id: 1 });
    expect(await client.next()).toEqual({ result: [], id: 1 });
    expect(client.isClosed).toBe(false);
  });

  it('no pong within pongTimeoutMs of a ping → terminated', async () => {
    const h = await start();
    const client = await h.connect('/market/ws', { autoPong: false });
    h.clock.advance(PING);
    await sleep(30);
    h.clock.advance(PONG_DEADLINE - 1);
    await sleep(50);
    expect(client.isClosed).toBe(false);
    h.clock.advance(1);
    expect(await client.closed()).toBe(1006);
    expect(h.server.connectionCount()).toBe(0);
  });

  it('unsolicited pongs (not echoing a ping) → do not prevent the cut', async () => {
    const h = await start();
    const client = await h.connect('/market/ws', { autoPong: false });
    h.clock.advance(PING);
    client.socket.pong('unsolicited');
    await sleep(50);
    h.clock.advance(PONG_DEADLINE);
    expect(await client.closed()).toBe(1006);
  });

  it('24 h after connecting → closed by the server', async () => {
    // Pings far apart so the synchronous clock jump cannot outrun the (real) pong replies.
    const h = await start({ pingIntervalMs: 10 * DAY });
    const client = await h.connect('/market/ws/btcusdt@aggTrade');
    h.clock.advance(DAY - 1);
    await sleep(50);
    expect(client.isClosed).toBe(false);
    h.clock.advance(1);
    expect(await client.closed()).toBe(1001);
  });

  it('10 messages in one second → all answered; the 11th → disconnected', async () => {
    const h = await start();
    const client = await h.connect('/market/ws');
    for (let id = 1; id <= 10; id += 1) client.send({ method: 'LIST_SUBSCRIPTIONS', id });
    for (let id = 1; id <= 10; id += 1) expect(await client.next()).toEqual({ result: [], id });
    client.send({ method: 'LIST_SUBSCRIPTIONS', id: 11 });
    expect(await client.closed()).toBe(1008);
    expect(client.received).toHaveLength(10);
  });

  it('10 messages, a second passes, 10 more → still connected', async () => {
    const h = await start();
    const client = await h.connect('/market/ws');
    for (let id = 1; id <= 10; id += 1) client.send({ method: 'LIST_SUBSCRIPTIONS', id });
    for (let id = 1; id <= 10; id += 1) await client.next();
    h.clock.advance(1_000);
    for (let id = 11; id <= 20; id += 1) client.send({ method: 'LIST_SUBSCRIPTIONS', id });
    for (let id = 11; id <= 20; id += 1) expect(await client.next()).toEqual({ result: [], id });
    expect(client.isClosed).toBe(false);
  });

  it('a closed connection → its clock timers are cleared', async () => {
    const h = await start();
    const client = await h.connect('/market/ws/btcusdt@aggTrade');
    expect(h.clock.pendingTimers).toBeGreaterThan(0);
    client.socket.close();
    await client.closed();
    await sleep(50);
    expect(h.server.connectionCount()).toBe(0);
    expect(h.clock.pendingTimers).toBe(0);
    h.market.emit(aggTradeEvent()); // nobody left: must not throw
  });
});
