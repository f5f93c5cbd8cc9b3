import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/sim/simulator.ts';
import { RecordingSocket } from '../support/ws-messages.ts';

// Issue 2 point 9: invalid frames get Binance-style errors and never take the server down.
describe('simulator WebSocket robustness', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    // The 10 msg/s guard would (correctly) cut the fuzzing client; lift it for this test only.
    sim = await startSimulator({ port: 0, seed: 4, manualTicks: true, streams: { maxIncomingPerSecond: 100_000 } });
  });
  afterAll(async () => {
    await sim.stop();
  });

  const frame = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 3 }),
    fc
      .record({
        method: fc.constantFrom(
          'SUBSCRIBE',
          'UNSUBSCRIBE',
          'LIST_SUBSCRIPTIONS',
          'SET_PROPERTY',
          'GET_PROPERTY',
          'subscribe',
          '',
        ),
        params: fc.oneof(fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }), fc.anything({ maxDepth: 2 })),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null), fc.double()),
      })
      .map((value) => JSON.stringify(value)),
  );

  it('random frames → every reply is a result or an {error:{code,msg}} frame; the server still serves afterwards', async () => {
    const socket = await RecordingSocket.open(`${sim.urls.ws}/market/ws`);
    const frames = fc.sample(frame, { numRuns: 300, seed: 42 });
    for (const text of frames) socket.socket.send(text);
    socket.socket.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 'last' }));
    await socket.waitFor(
      () => socket.closed || socket.messages.some((m) => (m as { id?: unknown }).id === 'last'),
      10_000,
      'the final reply',
    );
    expect(socket.closed).toBe(false);
    for (const message of socket.messages) {
      const reply = message as { result?: unknown; error?: { code: unknown; msg: unknown } };
      if ('error' in reply) {
        expect(typeof reply.error?.code).toBe('number');
        expect(typeof reply.error?.msg).toBe('string');
      } else {
        expect(reply).toHaveProperty('result');
      }
    }
    socket.close();

    const fresh = await RecordingSocket.open(`${sim.urls.ws}/market/ws`);
    fresh.send({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'], id: 1 });
    await fresh.waitFor(() => fresh.messages.length > 0, 5_000, 'the SUBSCRIBE ack');
    expect(fresh.messages[0]).toEqual({ result: null, id: 1 });
    fresh.close();
  });
});
