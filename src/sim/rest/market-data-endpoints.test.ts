import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  asList,
  asRecord,
  publicGet as get,
  signedJson as signedCall,
  startTestRestServer,
  type TestRestServer,
} from './rest-test-kit.ts';

/** Market-data endpoints against §2.3/§2.4 and fixtures 9, 10, 26–32. */

let sim: TestRestServer;

beforeEach(async () => {
  sim = await startTestRestServer();
});

afterEach(async () => {
  await sim.stop();
});

const _signedJson = (method: string, path: string, params: Record<string, string> = {}) =>
  signedCall(sim, method, path, params);
const publicGet = (path: string) => get(sim, path);
const record = asRecord;
const list = asList;

describe('market-data endpoints', () => {
  it('exchangeInfo → §2.4 top level, rate limits from the options, full symbol shape', async () => {
    const { body } = await publicGet('/fapi/v1/exchangeInfo');
    const info = record(body);
    expect(Object.keys(info)).toEqual([
      'timezone',
      'serverTime',
      'futuresType',
      'rateLimits',
      'exchangeFilters',
      'assets',
      'symbols',
    ]);
    expect(info.timezone).toBe('UTC');
    expect(info.serverTime).toBe(sim.clock.now());
    expect(info.rateLimits).toEqual([
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
    ]);
    const btc = record(list(info.symbols)[0]);
    // Fixture 26's key set.
    expect(Object.keys(btc)).toEqual([
      'symbol',
      'pair',
      'contractType',
      'deliveryDate',
      'onboardDate',
      'status',
      'maintMarginPercent',
      'requiredMarginPercent',
      'baseAsset',
      'quoteAsset',
      'marginAsset',
      'pricePrecision',
      'quantityPrecision',
      'baseAssetPrecision',
      'quotePrecision',
      'underlyingType',
      'underlyingSubType',
      'settlePlan',
      'triggerProtect',
      'liquidationFee',
      'marketTakeBound',
      'maxMoveOrderLimit',
      'filters',
      'orderTypes',
      'timeInForce',
    ]);
    expect(btc).toMatchObject({
      pricePrecision: 2,
      quantityPrecision: 3,
      maintMarginPercent: '2.5000',
      liquidationFee: '0.012500',
    });
    expect(btc.filters).toEqual([
      { filterType: 'PRICE_FILTER', minPrice: '556.80', maxPrice: '4529764', tickSize: '0.10' },
      { filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '1000', stepSize: '0.001' },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.001', maxQty: '120', stepSize: '0.001' },
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      { filterType: 'MIN_NOTIONAL', notional: '5' },
      { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: 4 },
    ]);
  });

  it('depth → lastUpdateId/E/T numbers, [price, qty] strings; weight by limit; bad limit → -1130', async () => {
    const { body } = await publicGet('/fapi/v1/depth?symbol=BTCUSDT&limit=5');
    const depth = record(body);
    expect(Object.keys(depth)).toEqual(['lastUpdateId', 'E', 'T', 'bids', 'asks']);
    expect(typeof depth.E).toBe('number');
    expect(list(depth.bids)[0]).toEqual(['114048.80', '0.010']);
    expect(list(depth.asks)).toHaveLength(5);
    expect(await publicGet('/fapi/v1/depth?symbol=BTCUSDT&limit=7')).toMatchObject({
      status: 400,
      body: { code: -1130 },
    });
    expect(await publicGet('/fapi/v1/depth?symbol=NOPE')).toMatchObject({ status: 400, body: { code: -1121 } });
    expect(await publicGet('/fapi/v1/depth')).toMatchObject({ status: 400, body: { code: -1102 } });
  });

  it('klines → 12-element arrays: numbers for times and count, strings for prices and volumes, last "0"', async () => {
    const { body } = await publicGet('/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=2');
    const klines = list(body);
    expect(klines).toHaveLength(2);
    expect(klines[0]).toEqual([
      0,
      '114048.90',
      '114048.90',
      '114048.90',
      '114048.90',
      '0.002',
      59_999,
      '228.09780',
      1,
      '0.002',
      '228.09780',
      '0',
    ]);
    expect(await publicGet('/fapi/v1/klines?symbol=BTCUSDT&interval=1s')).toMatchObject({ body: { code: -1120 } });
  });

  it('aggTrades, premiumIndex, tickers → documented keys, one symbol or all', async () => {
    const trades = list((await publicGet('/fapi/v1/aggTrades?symbol=BTCUSDT')).body);
    expect(Object.keys(record(trades[0]))).toEqual(['a', 'p', 'q', 'f', 'l', 'T', 'm']);
    const premium = record((await publicGet('/fapi/v1/premiumIndex?symbol=ETHUSDT')).body);
    expect(Object.keys(premium)).toEqual([
      'symbol',
      'markPrice',
      'indexPrice',
      'estimatedSettlePrice',
      'lastFundingRate',
      'interestRate',
      'nextFundingTime',
      'time',
    ]);
    expect(premium.lastFundingRate).toBe('0.00010000');
    expect(list((await publicGet('/fapi/v1/premiumIndex')).body)).toHaveLength(3);
    expect((await publicGet('/fapi/v1/ticker/price?symbol=BNBUSDT')).body).toEqual({
      symbol: 'BNBUSDT',
      price: '1012.340',
      time: sim.clock.now(),
    });
    expect(list((await publicGet('/fapi/v2/ticker/price')).body)).toHaveLength(3);
    expect((await publicGet('/fapi/v1/ticker/bookTicker?symbol=BTCUSDT')).body).toMatchObject({
      symbol: 'BTCUSDT',
      bidPrice: '114048.80',
      askPrice: '114049.00',
      bidQty: '0.001',
    });
  });
});
