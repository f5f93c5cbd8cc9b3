import { USDMClient } from 'binance';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestRestServer, TEST_API_KEY, TEST_API_SECRET, type TestRestServer } from './rest-test-kit.ts';

/**
 * The independent client (sieblyio `binance`, reference §1) must work against the simulator
 * unchanged: it signs the query string, sends POST params in the query with recvWindow=5000, and
 * uses parameterless listenKey PUT/DELETE. It stamps requests with the wall clock, so here the
 * simulator's test clock follows real time.
 */

let sim: TestRestServer;
let client: USDMClient;
let followWallClock: ReturnType<typeof setInterval> | undefined;

beforeEach(async () => {
  sim = await startTestRestServer({ startMs: Date.now() });
  followWallClock = setInterval(() => sim.clock.advanceTo(Math.max(sim.clock.now(), Date.now())), 10);
  client = new USDMClient({ api_key: TEST_API_KEY, api_secret: TEST_API_SECRET, baseUrl: sim.baseUrl });
});

afterEach(async () => {
  clearInterval(followWallClock);
  await sim.stop();
});

describe('binance npm client against the REST handler', () => {
  it('public market data → parsed without errors', async () => {
    const info = await client.getExchangeInfo();
    expect(info.symbols.map((symbol) => symbol.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT']);
    const book = await client.getOrderBook({ symbol: 'BTCUSDT', limit: 5 });
    expect(book.bids).toHaveLength(5);
    const klines = await client.getKlines({ symbol: 'BTCUSDT', interval: '1m', limit: 2 });
    expect(klines).toHaveLength(2);
  });

  it('order lifecycle: submit, query, list, cancel; batch submit and batch cancel', async () => {
    const placed = await client.submitNewOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: 0.01,
      price: 100000,
    });
    expect(placed.status).toBe('NEW');
    expect((await client.getOrder({ symbol: 'BTCUSDT', orderId: placed.orderId })).orderId).toBe(placed.orderId);
    expect(await client.getAllOpenOrders({ symbol: 'BTCUSDT' })).toHaveLength(1);
    expect((await client.cancelOrder({ symbol: 'BTCUSDT', orderId: placed.orderId })).status).toBe('CANCELED');

    const batch = await client.submitMultipleOrders([
      { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '120000' },
      { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '5000', price: '120000' },
    ]);
    expect(batch[0]).toMatchObject({ status: 'NEW' });
    expect(batch[1]).toMatchObject({ code: -4005 });
    const firstId = (batch[0] as { orderId: number }).orderId;
    const canceled = await client.cancelMultipleOrders({ symbol: 'BTCUSDT', orderIdList: [firstId] });
    expect(canceled[0]).toMatchObject({ orderId: firstId, status: 'CANCELED' });
  });

  it('Binance error → the client surfaces code and message', async () => {
    await expect(client.cancelOrder({ symbol: 'BTCUSDT', orderId: 12345 })).rejects.toMatchObject({
      code: -2011,
      message: 'Unknown order sent.',
    });
  });

  it('account, positions, balance and leverage → parsed', async () => {
    await client.submitNewOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: 0.002 });
    const positions = await client.getPositionsV3();
    expect(positions).toMatchObject([{ symbol: 'BTCUSDT', positionAmt: '0.002' }]);
    const account = await client.getAccountInformationV3();
    expect(account.totalWalletBalance).toBe('10000.00000000');
    expect(await client.getBalanceV3()).toHaveLength(1);
    expect(await client.setLeverage({ symbol: 'BTCUSDT', leverage: 10 })).toMatchObject({ leverage: 10 });
  });

  it('listenKey create, keep-alive and close → accepted with the key header only', async () => {
    const { listenKey } = await client.getFuturesUserDataListenKey();
    expect(sim.listenKeys.isActive(listenKey)).toBe(true);
    await client.keepAliveFuturesUserDataListenKey();
    await client.closeFuturesUserDataListenKey();
    expect(sim.listenKeys.isActive(listenKey)).toBe(false);
  });
});
