import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  asList,
  asRecord,
  publicGet as get,
  signedJson as signedCall,
  startTestRestServer,
  type TestRestServer,
} from './rest-test-kit.ts';

/** Account endpoints against the captured fixtures (reference/fixtures 4–8, 25). */

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

const _LIMIT_ORDER = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.01',
  price: '100000',
};
const MARKET_ORDER = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.009' };

describe('account endpoints', () => {
  it('v3 positionRisk → only active symbols, fixture-4 keys', async () => {
    expect(await signedJson('GET', '/fapi/v3/positionRisk')).toEqual([]);
    await signedJson('POST', '/fapi/v1/order', MARKET_ORDER);
    const rows = list(await signedJson('GET', '/fapi/v3/positionRisk'));
    expect(rows).toHaveLength(1);
    expect(Object.keys(record(rows[0]))).toEqual([
      'symbol',
      'positionSide',
      'positionAmt',
      'entryPrice',
      'breakEvenPrice',
      'markPrice',
      'unRealizedProfit',
      'liquidationPrice',
      'isolatedMargin',
      'notional',
      'marginAsset',
      'isolatedWallet',
      'initialMargin',
      'maintMargin',
      'positionInitialMargin',
      'openOrderInitialMargin',
      'adl',
      'bidNotional',
      'askNotional',
      'updateTime',
    ]);
    expect(rows[0]).toMatchObject({ positionAmt: '0.009', entryPrice: '114048.9', markPrice: '114048.90000000' });
  });

  it('v2 positionRisk → every symbol, with leverage, marginType cross and the maxNotionalValue from leverage', async () => {
    expect(await signedJson('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: '10' })).toEqual({
      leverage: 10,
      maxNotionalValue: '100000000',
      symbol: 'BTCUSDT',
    });
    const rows = list(await signedJson('GET', '/fapi/v2/positionRisk'));
    expect(rows.map((row) => record(row).symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT']);
    expect(rows[0]).toMatchObject({ marginType: 'cross', leverage: '20', maxNotionalValue: '100000000' });
    expect(await signedJson('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: '500' })).toMatchObject({
      code: -4028,
    });
  });

  it('v3 account → fixture-6 top-level and asset keys', async () => {
    const body = record(await signedJson('GET', '/fapi/v3/account'));
    expect(Object.keys(body)).toEqual([
      'totalInitialMargin',
      'totalMaintMargin',
      'totalWalletBalance',
      'totalUnrealizedProfit',
      'totalMarginBalance',
      'totalPositionInitialMargin',
      'totalOpenOrderInitialMargin',
      'totalCrossWalletBalance',
      'totalCrossUnPnl',
      'availableBalance',
      'maxWithdrawAmount',
      'assets',
      'positions',
    ]);
    expect(list(body.assets)[0]).toMatchObject({ asset: 'USDT', walletBalance: '10000.00000000' });
  });

  it('v2 account and v2/v3 balance → USDT rows', async () => {
    const account = record(await signedJson('GET', '/fapi/v2/account'));
    expect(account).toMatchObject({ feeTier: 0, canTrade: true, multiAssetsMargin: false });
    expect(list(account.positions)).toHaveLength(3);
    for (const path of ['/fapi/v2/balance', '/fapi/v3/balance']) {
      expect(list(await signedJson('GET', path))[0]).toMatchObject({ asset: 'USDT', balance: '10000.00000000' });
    }
  });
});
