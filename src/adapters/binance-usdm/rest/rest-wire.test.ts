import { describe, expect, it } from 'vitest';
import { parseFixed } from '../../../lib/fixed.ts';
import { accountWireSchema, positionRiskListSchema, toAccountSnapshot, toPositionReport } from './account-wire.ts';
import { exchangeInfoWireSchema, toExchangeInfo } from './market-wire.ts';
import {
  batchReplySchema,
  orderWireSchema,
  readOrderWire,
  toFillReport,
  toOrderReport,
  tradeListSchema,
} from './order-wire.ts';
import { parseWireDecimal } from './wire-fields.ts';

/** Reply parsing on captured Binance bodies (reference fixtures 1, 4, 5, 7, 26; integers stringified as there). */

const ORDER = {
  orderId: 4087922044,
  symbol: 'BTCUSDT',
  status: 'NEW',
  clientOrderId: 'x-xcKtGhcu04075babaeb34c55af79ba',
  price: '110001.00',
  avgPrice: '0.00',
  origQty: '0.200',
  executedQty: '0.000',
  cumQty: '0.000',
  cumQuote: '0.00000',
  timeInForce: 'GTC',
  type: 'LIMIT',
  reduceOnly: false,
  closePosition: false,
  side: 'SELL',
  positionSide: 'BOTH',
  stopPrice: '0.00',
  workingType: 'CONTRACT_PRICE',
  priceProtect: false,
  origType: 'LIMIT',
  priceMatch: 'NONE',
  selfTradePreventionMode: 'NONE',
  goodTillDate: 0,
  updateTime: 1739781831932,
};

const POSITION = {
  symbol: 'BTCUSDT',
  positionSide: 'BOTH',
  positionAmt: '0.009',
  entryPrice: '67445.9',
  breakEvenPrice: '67479.62295',
  markPrice: '67502.68519858',
  unRealizedProfit: '0.51106678',
  liquidationPrice: '64846.98753790',
  isolatedMargin: '0',
  notional: '607.52416678',
  marginAsset: 'USDT',
  isolatedWallet: '0',
  initialMargin: '7.59405208',
  maintMargin: '2.43009666',
  positionInitialMargin: '7.59405208',
  openOrderInitialMargin: '0',
  adl: '2',
  bidNotional: '0',
  askNotional: '0',
  updateTime: '1722161166529',
};

const SYMBOL = {
  symbol: 'BTCUSDT',
  pair: 'BTCUSDT',
  contractType: 'PERPETUAL',
  status: 'TRADING',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  marginAsset: 'USDT',
  pricePrecision: '2',
  quantityPrecision: '3',
  filters: [
    { tickSize: '0.10', minPrice: '556.80', filterType: 'PRICE_FILTER', maxPrice: '4529764' },
    { filterType: 'LOT_SIZE', stepSize: '0.001', minQty: '0.001', maxQty: '1000' },
    { stepSize: '0.001', maxQty: '120', minQty: '0.001', filterType: 'MARKET_LOT_SIZE' },
    { limit: '200', filterType: 'MAX_NUM_ORDERS' },
    { filterType: 'MAX_NUM_ALGO_ORDERS', limit: '10' },
    { filterType: 'MIN_NOTIONAL', notional: '5' },
    { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDecimal: '4', multiplierDown: '0.9500' },
  ],
};

describe('order replies', () => {
  it('fixture order → exact decimals and domain fields', () => {
    const report = toOrderReport(orderWireSchema.parse(ORDER), () => {});
    expect(report).toMatchObject({
      orderId: 4087922044,
      status: 'NEW',
      rawStatus: 'NEW',
      side: 'SELL',
      price: parseFixed('110001'),
      origQty: parseFixed('0.2'),
      executedQty: 0n,
      avgPrice: 0n,
      reduceOnly: false,
    });
  });

  it('avgPrice absent (connector 34.0.0) → report without avgPrice', () => {
    const { avgPrice: _dropped, ...withoutAverage } = ORDER;
    expect('avgPrice' in toOrderReport(orderWireSchema.parse(withoutAverage), () => {})).toBe(false);
  });

  it('unknown status → UNKNOWN, raw kept, reported once; malformed price → parse failure', () => {
    const seen: string[] = [];
    const report = toOrderReport(orderWireSchema.parse({ ...ORDER, status: 'NEW_ADL' }), (status) => seen.push(status));
    expect(report.status).toBe('UNKNOWN');
    expect(report.rawStatus).toBe('NEW_ADL');
    expect(seen).toEqual(['NEW_ADL']);
    expect(orderWireSchema.safeParse({ ...ORDER, price: 1e-7 }).success).toBe(false);
    expect(orderWireSchema.safeParse({ ...ORDER, price: '1e-7' }).success).toBe(false);
  });

  it('hot-path reader agrees with the schema on valid and broken replies', () => {
    const variants: unknown[] = [
      ORDER,
      { ...ORDER, orderId: '4087922044', updateTime: '1739781831932', reduceOnly: 'true' },
      { ...ORDER, avgPrice: undefined },
      { ...ORDER, orderId: 1.5 },
      { ...ORDER, orderId: null },
      { ...ORDER, price: 110001 },
      { ...ORDER, price: '1e5' },
      { ...ORDER, avgPrice: 'n/a' },
      { ...ORDER, side: 'buy' },
      { ...ORDER, reduceOnly: 'yes' },
      { ...ORDER, status: 7 },
      { ...ORDER, clientOrderId: undefined },
      { ...ORDER, updateTime: '17.5' },
      null,
      [],
      'NEW',
    ];
    for (const variant of variants) {
      const schema = orderWireSchema.safeParse(variant);
      const fast = readOrderWire(variant);
      expect(fast === undefined, JSON.stringify(variant)).toBe(!schema.success);
      if (schema.success) expect(fast).toEqual(schema.data);
    }
  });

  it('batch reply → orders and per-element {code,msg}', () => {
    const parsed = batchReplySchema.parse([ORDER, { code: -2019, msg: 'Margin is insufficient.' }]);
    expect('orderId' in (parsed[0] ?? {})).toBe(true);
    expect(parsed[1]).toEqual({ code: -2019, msg: 'Margin is insufficient.' });
  });

  it('userTrades fixture (ids as strings) → FillReport', () => {
    const [fill] = tradeListSchema
      .parse([
        {
          symbol: 'BTCUSDT',
          id: '272536245',
          orderId: '3524852987',
          side: 'BUY',
          price: '36567.10',
          qty: '0.010',
          realizedPnl: '0',
          marginAsset: 'USDT',
          quoteQty: '365.67100',
          commission: '0.14626840',
          commissionAsset: 'USDT',
          time: '1699972836419',
          positionSide: 'BOTH',
          maker: false,
          buyer: true,
        },
      ])
      .map(toFillReport);
    expect(fill).toMatchObject({
      tradeId: 272536245,
      orderId: 3524852987,
      qty: parseFixed('0.01'),
      commission: parseFixed('0.1462684'),
    });
  });
});

describe('account and positions', () => {
  it('positionRisk v3 fixture → PositionReport', () => {
    const [position] = positionRiskListSchema.parse([POSITION]).map(toPositionReport);
    expect(position).toEqual({
      symbol: 'BTCUSDT',
      amount: parseFixed('0.009'),
      entryPrice: parseFixed('67445.9'),
      markPrice: parseFixed('67502.68519858'),
      unrealizedPnl: parseFixed('0.51106678'),
      notional: parseFixed('607.52416678'),
      updateTime: 1722161166529,
    });
  });

  it('account v3 → totals, balances and the latest asset update as updateTime', () => {
    const asset = (name: string, wallet: string, updateTime: string) => ({
      asset: name,
      walletBalance: wallet,
      unrealizedProfit: '0.00000000',
      marginBalance: wallet,
      availableBalance: wallet,
      updateTime,
    });
    const wire = accountWireSchema.parse({
      totalWalletBalance: '25.72610060',
      totalUnrealizedProfit: '0.54230362',
      totalMarginBalance: '26.26840422',
      availableBalance: '18.65949928',
      assets: [asset('USDT', '25.72610060', '1722095514499'), asset('BNB', '0.00000000', '0')],
    });
    const snapshot = toAccountSnapshot(wire, []);
    expect(snapshot.totalWalletBalance).toBe(parseFixed('25.7261006'));
    expect(snapshot.balances.map((balance) => balance.asset)).toEqual(['USDT', 'BNB']);
    expect(snapshot.updateTime).toBe(1722095514499);
  });
});

describe('exchangeInfo', () => {
  it('fixture symbol (numbers stringified) → Instrument; an unusable symbol is skipped and reported', () => {
    const skipped: string[] = [];
    const info = toExchangeInfo(
      exchangeInfoWireSchema.parse({
        serverTime: 1,
        rateLimits: [
          { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
          { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
        ],
        symbols: [SYMBOL, { ...SYMBOL, symbol: 'BROKEN', filters: [] }],
      }),
      (reason) => skipped.push(reason),
    );
    expect(info.instruments).toHaveLength(1);
    expect(info.instruments[0]).toMatchObject({
      symbol: 'BTCUSDT',
      pricePrecision: 2,
      tickSize: parseFixed('0.1'),
      maxPrice: parseFixed('4529764'),
      marketMaxQty: parseFixed('120'),
      minNotional: parseFixed('5'),
      maxNumOrders: 200,
      multiplierUp: parseFixed('1.05'),
    });
    expect(info.rateLimits).toEqual([
      { type: 'REQUEST_WEIGHT', intervalMs: 60_000, limit: 2400 },
      { type: 'ORDERS', intervalMs: 10_000, limit: 300 },
    ]);
    expect(skipped).toEqual(['BROKEN: PRICE_FILTER or LOT_SIZE missing']);
  });
});

describe('parseWireDecimal', () => {
  it('more than 8 places → rounded half-up; exponent or junk → undefined', () => {
    expect(parseWireDecimal('67479.622950005')).toBe(parseFixed('67479.62295001'));
    expect(parseWireDecimal('-0.000000004')).toBe(0n);
    expect(parseWireDecimal('-0.000000015')).toBe(-2n);
    expect(parseWireDecimal('1e-7')).toBeUndefined();
    expect(parseWireDecimal('')).toBeUndefined();
  });
});
