import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  asList,
  asRecord,
  publicGet as get,
  signedJson as signedCall,
  startTestRestServer,
  type TestRestServer,
} from './rest-test-kit.ts';

/** Order endpoints against the captured fixtures (reference/fixtures, entry numbers in the names). */

let sim: TestRestServer;

beforeEach(async () => {
  sim = await startTestRestServer();
});

afterEach(async () => {
  await sim.stop();
});

const signedJson = (method: string, path: string, params: Record<string, string> = {}) =>
  signedCall(sim, method, path, params);
const _publicGet = (path: string) => get(sim, path);
const record = asRecord;
const list = asList;

const LIMIT_ORDER = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.01',
  price: '100000',
};
const MARKET_ORDER = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.009' };

// Fixture 1 (POST batchOrders element = POST order reply) and fixture 3 (GET openOrder).
const ORDER_REPLY_KEYS = [
  'orderId',
  'symbol',
  'status',
  'clientOrderId',
  'price',
  'avgPrice',
  'origQty',
  'executedQty',
  'cumQty',
  'cumQuote',
  'timeInForce',
  'type',
  'reduceOnly',
  'closePosition',
  'side',
  'positionSide',
  'stopPrice',
  'workingType',
  'priceProtect',
  'origType',
  'priceMatch',
  'selfTradePreventionMode',
  'goodTillDate',
  'updateTime',
];
const ORDER_QUERY_KEYS = [
  'orderId',
  'symbol',
  'status',
  'clientOrderId',
  'price',
  'avgPrice',
  'origQty',
  'executedQty',
  'cumQuote',
  'timeInForce',
  'type',
  'reduceOnly',
  'closePosition',
  'side',
  'positionSide',
  'stopPrice',
  'workingType',
  'priceProtect',
  'origType',
  'priceMatch',
  'selfTradePreventionMode',
  'goodTillDate',
  'time',
  'updateTime',
];

describe('order endpoints', () => {
  it('POST order (LIMIT) → fixture-1 keys in order, padded decimals, numeric ids', async () => {
    const body = record(await signedJson('POST', '/fapi/v1/order', { ...LIMIT_ORDER, newClientOrderId: 'abc' }));
    expect(Object.keys(body)).toEqual(ORDER_REPLY_KEYS);
    expect(body).toMatchObject({
      orderId: 1,
      clientOrderId: 'abc',
      price: '100000.00',
      avgPrice: '0.00',
      origQty: '0.010',
      executedQty: '0.000',
      cumQty: '0.000',
      cumQuote: '0.00000',
      stopPrice: '0.00',
      positionSide: 'BOTH',
      reduceOnly: false,
      goodTillDate: 0,
    });
  });

  it('POST order MARKET with the default ACK → the order as accepted: NEW, nothing executed (§2.5)', async () => {
    const body = record(await signedJson('POST', '/fapi/v1/order', MARKET_ORDER));
    expect(body).toMatchObject({ status: 'NEW', executedQty: '0.000', cumQuote: '0.00000', avgPrice: '0.00' });
    const query = record(
      await signedJson('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: String(body.orderId) }),
    );
    expect(query).toMatchObject({ status: 'FILLED', executedQty: '0.009' });
  });

  it('POST order (MARKET, RESULT) → filled, avgPrice and cumQuote exact', async () => {
    const body = record(await signedJson('POST', '/fapi/v1/order', { ...MARKET_ORDER, newOrderRespType: 'RESULT' }));
    // 0.009 × 114048.90 = 1026.4401 — no digit may be lost or rounded away.
    expect(body).toMatchObject({
      status: 'FILLED',
      avgPrice: '114048.90',
      cumQuote: '1026.44010',
      executedQty: '0.009',
    });
  });

  it('GET order and openOrders → fixture-3 keys (time, no cumQty)', async () => {
    await signedJson('POST', '/fapi/v1/order', LIMIT_ORDER);
    const one = record(await signedJson('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: '1' }));
    expect(Object.keys(one)).toEqual(ORDER_QUERY_KEYS);
    const open = list(await signedJson('GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' }));
    expect(open.map((order) => Object.keys(record(order)))).toEqual([ORDER_QUERY_KEYS]);
  });

  it('GET order without orderId or origClientOrderId → -1102; unknown → -2013', async () => {
    expect(await signedJson('GET', '/fapi/v1/order', { symbol: 'BTCUSDT' })).toMatchObject({ code: -1102 });
    expect(await signedJson('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: '77' })).toMatchObject({
      code: -2013,
    });
  });

  it('DELETE order → CANCELED reply; again → -2011; allOpenOrders → code 200 message', async () => {
    await signedJson('POST', '/fapi/v1/order', LIMIT_ORDER);
    await signedJson('POST', '/fapi/v1/order', LIMIT_ORDER);
    const canceled = record(await signedJson('DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: '1' }));
    expect(canceled).toMatchObject({ status: 'CANCELED', orderId: 1 });
    expect(Object.keys(canceled)).toEqual(ORDER_REPLY_KEYS);
    expect(await signedJson('DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: '1' })).toEqual({
      code: -2011,
      msg: 'Unknown order sent.',
    });
    expect(await signedJson('DELETE', '/fapi/v1/allOpenOrders', { symbol: 'BTCUSDT' })).toEqual({
      code: 200,
      msg: 'The operation of cancel all open order is done.',
    });
    expect(sim.exchange.openOrders()).toHaveLength(0);
  });

  it('order syntax errors → Binance codes naming the parameter, before the exchange sees it', async () => {
    expect(await signedJson('POST', '/fapi/v1/order', { ...LIMIT_ORDER, quantity: '1e-3' })).toMatchObject({
      code: -1100,
      msg: expect.stringContaining("'quantity'"),
    });
    expect(await signedJson('POST', '/fapi/v1/order', { ...LIMIT_ORDER, price: '1.123456789' })).toMatchObject({
      code: -1111,
    });
    expect(await signedJson('POST', '/fapi/v1/order', { ...LIMIT_ORDER, reduceOnly: 'yes' })).toMatchObject({
      code: -1130,
    });
    expect(await signedJson('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', type: 'LIMIT' })).toMatchObject({
      code: -1102,
      msg: expect.stringContaining("'side'"),
    });
    expect(await signedJson('POST', '/fapi/v1/order', { ...LIMIT_ORDER, symbol: 'FOOUSDT' })).toMatchObject({
      code: -1121,
    });
    expect(sim.exchange.orders).toHaveLength(0);
  });

  it('batchOrders with good and bad elements → an array of orders and {code,msg} in request order', async () => {
    const batchOrders = JSON.stringify([
      { ...LIMIT_ORDER, newClientOrderId: 'good-1' },
      { ...LIMIT_ORDER, quantity: '5000' },
      { ...LIMIT_ORDER, quantity: 0.01 },
      { ...LIMIT_ORDER, type: 'STOP_MARKET' },
      { ...LIMIT_ORDER, newClientOrderId: 'good-2' },
    ]);
    const body = list(await signedJson('POST', '/fapi/v1/batchOrders', { batchOrders }));
    expect(body).toHaveLength(5);
    expect(body[0]).toMatchObject({ clientOrderId: 'good-1', status: 'NEW' });
    expect(body[1]).toEqual({ code: -4005, msg: 'Quantity greater than max quantity.' });
    expect(body[2]).toMatchObject({ code: -1130 });
    expect(body[3]).toMatchObject({ code: -4120 });
    expect(body[4]).toMatchObject({ clientOrderId: 'good-2' });
    expect(sim.exchange.orders).toHaveLength(2);
  });

  it('batchOrders with 6 orders or broken JSON → one error for the whole request', async () => {
    const six = JSON.stringify(Array.from({ length: 6 }, () => LIMIT_ORDER));
    expect(await signedJson('POST', '/fapi/v1/batchOrders', { batchOrders: six })).toMatchObject({ code: -1130 });
    expect(await signedJson('POST', '/fapi/v1/batchOrders', { batchOrders: '[{' })).toMatchObject({ code: -1130 });
    expect(sim.exchange.orders).toHaveLength(0);
  });

  it('DELETE batchOrders by orderIdList → per-id result; by origClientOrderIdList too', async () => {
    await signedJson('POST', '/fapi/v1/order', { ...LIMIT_ORDER, newClientOrderId: 'a' });
    await signedJson('POST', '/fapi/v1/order', { ...LIMIT_ORDER, newClientOrderId: 'b' });
    const byId = list(await signedJson('DELETE', '/fapi/v1/batchOrders', { symbol: 'BTCUSDT', orderIdList: '[1,99]' }));
    expect(byId[0]).toMatchObject({ orderId: 1, status: 'CANCELED' });
    expect(byId[1]).toMatchObject({ code: -2011 });
    const byClient = list(
      await signedJson('DELETE', '/fapi/v1/batchOrders', { symbol: 'BTCUSDT', origClientOrderIdList: '["b"]' }),
    );
    expect(byClient[0]).toMatchObject({ clientOrderId: 'b', status: 'CANCELED' });
    const tooMany = JSON.stringify(Array.from({ length: 11 }, (_, index) => index));
    expect(
      await signedJson('DELETE', '/fapi/v1/batchOrders', { symbol: 'BTCUSDT', orderIdList: tooMany }),
    ).toMatchObject({ code: -1130 });
  });

  it('userTrades → fixture-7 keys', async () => {
    await signedJson('POST', '/fapi/v1/order', MARKET_ORDER);
    const trades = list(await signedJson('GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' }));
    expect(Object.keys(record(trades[0]))).toEqual([
      'symbol',
      'id',
      'orderId',
      'side',
      'price',
      'qty',
      'realizedPnl',
      'marginAsset',
      'quoteQty',
      'commission',
      'commissionAsset',
      'time',
      'positionSide',
      'maker',
      'buyer',
    ]);
    expect(trades[0]).toMatchObject({ price: '114048.90', qty: '0.009', quoteQty: '1026.44010', realizedPnl: '0' });
  });
});
