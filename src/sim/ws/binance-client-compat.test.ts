import { WebsocketClient } from 'binance';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aggTradeEvent, depthEvent } from './stream-test-events.ts';
import { type StreamHarness, sleep, startStreamHarness } from './stream-test-harness.ts';

/**
 * The independent `binance` (sieblyio) client, unchanged, against the simulator: it routes
 * aggTrade to /market/stream and depth to /public/stream with JSON SUBSCRIBE frames (reference §1).
 */

let harness: StreamHarness;
let client: WebsocketClient;

beforeEach(async () => {
  harness = await startStreamHarness();
});

afterEach(async () => {
  client.closeAll(true);
  await harness.close();
});

async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > timeoutMs) throw new Error('timed out');
    await sleep(20);
  }
}

describe('binance npm WebsocketClient against the stream server', () => {
  it('subscribe aggTrade (usdmMarket) and depth@100ms (usdmPublic) → both payloads arrive', async () => {
    client = new WebsocketClient({ wsUrl: harness.url, beautify: false }, silentLogger());
    const received: Record<string, unknown>[] = [];
    const acks: unknown[] = [];
    client.on('message', (message) => received.push(message as unknown as Record<string, unknown>));
    client.on('response', (response) => acks.push(response));
    await client.subscribe(['btcusdt@aggTrade'], 'usdmMarket');
    await client.subscribe(['btcusdt@depth@100ms'], 'usdmPublic');
    // subscribe() resolves once the frame is sent; the {"result":null} acks arrive after.
    await until(() => acks.length >= 2);
    expect(harness.server.connectionCount()).toBe(2);
    harness.market.emit(aggTradeEvent());
    harness.market.emit(depthEvent());
    await until(() => received.length >= 2);
    // The client unwraps {"stream","data"} into the payload plus `streamName`.
    const byStream = Object.fromEntries(received.map((message) => [message.streamName, message]));
    expect(Object.keys(byStream).sort()).toEqual(['btcusdt@aggTrade', 'btcusdt@depth@100ms']);
    expect(byStream['btcusdt@aggTrade']).toMatchObject({ e: 'aggTrade', p: '114048.90', wsKey: 'usdmMarket' });
    expect(byStream['btcusdt@depth@100ms']).toMatchObject({ e: 'depthUpdate', u: 20, wsKey: 'usdmPublic' });
  });
});

function silentLogger() {
  const quiet = () => undefined;
  return { trace: quiet, info: quiet, error: quiet };
}
