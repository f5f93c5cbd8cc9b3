import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BinanceRestClient } from '../../adapters/binance-usdm/rest/binance-rest-client.ts';
import { generateClientOrderId } from '../../adapters/binance-usdm/rest/client-order-id.ts';
import { MemoryLogger } from '../../adapters/logging/memory-logger.ts';
import { SqliteStore } from '../../adapters/sqlite-store/sqlite-store.ts';
import type { Instrument } from '../../domain/instrument.ts';
import type { OrderRequest } from '../../domain/order.ts';
import { divFixed, type Fixed, mulFixed, parseFixed, roundToStep } from '../../lib/fixed.ts';
import { SystemClock } from '../../lib/system-clock.ts';
import { type RunningSimulator, startSimulator } from '../../sim/simulator.ts';
import { IncidentManager } from '../incident-manager.ts';
import type { FlattenExchange } from './exchange-flattener.ts';
import { KillSwitch } from './kill-switch.ts';

// Issue 5 point 1 and target 7: trip → exchange flat within 2 REST round trips + 50 ms, against the
// real simulator over loopback with the real REST client.

interface Call {
  readonly method: keyof FlattenExchange;
  readonly start: number;
  end: number;
}

/** Times every call the kill switch makes, to count round trips (waves of overlapping calls). */
function timed(rest: FlattenExchange, calls: Call[]): FlattenExchange {
  const wrap =
    <A extends unknown[], R>(method: keyof FlattenExchange, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const entry: Call = { method, start: performance.now(), end: Number.NaN };
      calls.push(entry);
      try {
        return await call(...args);
      } finally {
        entry.end = performance.now();
      }
    };
  return {
    getOpenOrders: wrap('getOpenOrders', (symbol?: string) => rest.getOpenOrders(symbol)),
    getPositions: wrap('getPositions', () => rest.getPositions()),
    cancelAllOpenOrders: wrap('cancelAllOpenOrders', (symbol: string) => rest.cancelAllOpenOrders(symbol)),
    cancelOrder: wrap('cancelOrder', (symbol: string, ref: Parameters<FlattenExchange['cancelOrder']>[1]) =>
      rest.cancelOrder(symbol, ref),
    ),
    placeOrder: wrap('placeOrder', (request: OrderRequest) => rest.placeOrder(request)),
    placeOrders: wrap('placeOrders', (requests: readonly OrderRequest[]) => rest.placeOrders(requests)),
  };
}

/** Calls grouped into round trips: a new wave starts when a call starts after every earlier one ended. */
function waves(calls: readonly Call[]): { start: number; end: number; methods: string[] }[] {
  const result: { start: number; end: number; methods: string[] }[] = [];
  for (const call of [...calls].sort((a, b) => a.start - b.start)) {
    const current = result.at(-1);
    if (current !== undefined && call.start < current.end) {
      current.end = Math.max(current.end, call.end);
      current.methods.push(call.method);
    } else result.push({ start: call.start, end: call.end, methods: [call.method] });
  }
  return result;
}

const MUTATIONS = new Set(['cancelAllOpenOrders', 'cancelOrder', 'placeOrder', 'placeOrders']);

describe('KillSwitch against the simulator', () => {
  let sim: RunningSimulator;
  let rest: BinanceRestClient;
  let store: SqliteStore;
  let instruments: Map<string, Instrument>;
  const clock = new SystemClock();

  beforeEach(async () => {
    sim = await startSimulator({ port: 0, seed: 11 });
    rest = new BinanceRestClient({
      clock,
      endpoints: [sim.urls.rest],
      credentials: { apiKey: sim.apiKey, apiSecret: sim.apiSecret },
      timeSyncIntervalMs: 0,
    });
    await rest.syncTime();
    instruments = new Map((await rest.getExchangeInfo()).instruments.map((i) => [i.symbol, i]));
    store = SqliteStore.open({ path: ':memory:', clock });
  });

  afterEach(async () => {
    store.close();
    await rest.close();
    await sim.stop();
  });

  /** Positions on three symbols (long, short, long) and two resting LIMIT orders each, away from the market. */
  async function openBook(): Promise<void> {
    const sizes: [string, 'BUY' | 'SELL', string][] = [
      ['BTCUSDT', 'BUY', '0.010'],
      ['ETHUSDT', 'SELL', '0.200'],
      ['BNBUSDT', 'BUY', '1.00'],
    ];
    for (const [symbol, side, quantity] of sizes) {
      await rest.placeOrder({
        symbol,
        side,
        type: 'MARKET',
        quantity: parseFixed(quantity),
        reduceOnly: false,
        clientOrderId: generateClientOrderId('t-'),
      });
      const instrument = instruments.get(symbol);
      if (instrument === undefined) throw new Error(`${symbol} not listed`);
      const depth = await rest.getDepthSnapshot(symbol, 5);
      const bid = depth.bids[0]?.price ?? instrument.minPrice;
      for (const factor of ['0.97', '0.98']) {
        const price = roundToStep(mulFixed(bid, parseFixed(factor)), instrument.tickSize, 'down');
        const quantityForNotional: Fixed = roundToStep(divFixed(parseFixed('150'), price), instrument.stepSize, 'up');
        await rest.placeOrder({
          symbol,
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          price,
          quantity: quantityForNotional,
          reduceOnly: false,
          clientOrderId: generateClientOrderId('t-'),
        });
      }
    }
    expect(await rest.getPositions()).toHaveLength(3);
    expect(await rest.getOpenOrders()).toHaveLength(6);
  }

  function killSwitchWith(calls: Call[]) {
    const logger = new MemoryLogger(clock);
    const incidents = new IncidentManager({ clock, store, logger });
    const killSwitch = new KillSwitch({
      clock,
      store,
      incidents,
      logger,
      exchange: timed(rest, calls),
      ids: { newClientOrderId: () => generateClientOrderId('ym-ks-') },
      onTripped: () => undefined,
      verifyS: 30,
      symbols: () => ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'],
    });
    return { killSwitch, incidents, logger };
  }

  it('3 symbols with positions and resting orders → flat after 2 round trips + < 50 ms of our own time', async () => {
    await openBook();
    const calls: Call[] = [];
    const { killSwitch, incidents } = killSwitchWith(calls);

    const start = performance.now();
    const status = await killSwitch.trip('drill: kill switch', 'operator:test');
    const verifiedAt = performance.now();

    expect(status.lastVerification?.flat).toBe(true);
    expect(await rest.getPositions()).toEqual([]);
    expect(await rest.getOpenOrders()).toEqual([]);

    const flatAt = Math.max(...calls.filter((c) => MUTATIONS.has(c.method)).map((c) => c.end));
    const untilFlat = waves(calls).filter((wave) => wave.start < flatAt);
    expect(untilFlat.map((wave) => wave.methods.sort())).toEqual([
      ['getOpenOrders', 'getPositions'],
      ['cancelAllOpenOrders', 'cancelAllOpenOrders', 'cancelAllOpenOrders', 'placeOrders'],
    ]);
    const inRoundTrips = untilFlat.reduce((sum, wave) => sum + (wave.end - wave.start), 0);
    const ownTime = flatAt - start - inRoundTrips;
    expect(ownTime).toBeLessThan(50);
    expect(incidents.current('KILL_SWITCH')?.status).toBe('CONTAINED');
    console.info(
      `kill switch trip → flat: ${(flatAt - start).toFixed(1)} ms in ${untilFlat.length} round trips (${inRoundTrips.toFixed(1)} ms on the wire, ${ownTime.toFixed(1)} ms ours); verified flat at ${(verifiedAt - start).toFixed(1)} ms`,
    );
  });

  it('batchOrders refused with 503 → closed through single orders in the same attempt, flat and verified', async () => {
    await openBook();
    sim.faults.inject({
      type: 'rest-error',
      status: 503,
      variant: 'unavailable',
      count: 2,
      paths: ['/fapi/v1/batchOrders'],
    });
    const calls: Call[] = [];
    const { killSwitch, incidents } = killSwitchWith(calls);

    const start = performance.now();
    const status = await killSwitch.trip('drill: batch refused', 'operator:test');
    expect(status.lastVerification).toMatchObject({ flat: true, attempt: 1 });
    expect(await rest.getPositions()).toEqual([]);
    expect(await rest.getOpenOrders()).toEqual([]);

    const actions = incidents.current('KILL_SWITCH')?.actions ?? [];
    const batchFailure = actions.find((a) => a.action === 'close BTCUSDT (batch)');
    expect(batchFailure).toMatchObject({ result: 'failed', detail: expect.stringContaining('EXCHANGE_UNAVAILABLE') });
    for (const symbol of ['BTCUSDT', 'ETHUSDT', 'BNBUSDT']) {
      expect(actions.find((a) => a.action === `close ${symbol} (single)`)?.result).toBe('ok');
    }
    const flatAt = Math.max(...calls.filter((c) => MUTATIONS.has(c.method)).map((c) => c.end));
    const untilFlat = waves(calls).filter((wave) => wave.start < flatAt);
    expect(untilFlat).toHaveLength(3); // read, batch refused (cancels succeed beside it), single closes
    console.info(
      `kill switch with batchOrders refused → flat: ${(flatAt - start).toFixed(1)} ms in ${untilFlat.length} round trips`,
    );
  });
});
