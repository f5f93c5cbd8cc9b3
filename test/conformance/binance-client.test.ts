import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { absFixed, parseFixed } from '../../src/lib/fixed.ts';
import { DEFAULT_INSTRUMENTS } from '../../src/sim/instruments.ts';
import {
  asWire,
  asWireArray,
  decimalOf,
  type Harness,
  injectFault,
  instrumentOf,
  priceAt,
  rejectionOf,
  startHarness,
  wireDecimal,
} from './client-harness.ts';

/**
 * REST conformance: the unmodified `binance` USDMClient against the simulator (README.md beside this
 * file lists what the client sends). Each test gets a fresh simulator, so the account starts flat.
 */

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  // undefined when startHarness itself failed; the failure is already reported by beforeEach.
  await harness?.stop();
});

/** Best bid of a symbol, read through the client. */
async function bestBid(symbol: string): Promise<bigint> {
  const book = asWire(await harness.rest.getOrderBook({ symbol, limit: 5 }), 'depth');
  const bids = book.bids;
  if (!Array.isArray(bids) || !Array.isArray(bids[0])) throw new Error(`depth has no bids: ${JSON.stringify(book)}`);
  return decimalOf(bids[0][0], 'best bid');
}

/** A resting BUY LIMIT GTC 4 % under the bid: inside PERCENT_PRICE, far enough not to fill during a test. */
async function placeRestingBuy(
  symbol: string,
  quantity: string,
  newClientOrderId?: string,
): Promise<Record<string, unknown>> {
  const instrument = instrumentOf(symbol);
  const price = priceAt(instrument, await bestBid(symbol), '0.96');
  return asWire(
    await harness.rest.submitNewOrder({
      symbol,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: wireDecimal(quantity),
      price: wireDecimal(price),
      ...(newClientOrderId === undefined ? {} : { newClientOrderId }),
    }),
    'new order',
  );
}

describe('binance USDMClient → simulator REST', () => {
  it('getServerTime → within 1 s of the local clock (the client signs with its own Date.now())', async () => {
    const before = Date.now();
    const serverTime = await harness.rest.getServerTime();
    const after = Date.now();
    expect(typeof serverTime).toBe('number');
    expect(serverTime).toBeGreaterThanOrEqual(before - 1000);
    expect(serverTime).toBeLessThanOrEqual(after + 1000);
  });

  it('getExchangeInfo → BTCUSDT, ETHUSDT, BNBUSDT trading, with the instruments’ filters', async () => {
    const info = asWire(await harness.rest.getExchangeInfo(), 'exchangeInfo');
    const symbols = asWireArray(info.symbols, 'symbols');
    for (const instrument of DEFAULT_INSTRUMENTS) {
      const symbol = symbols.find((candidate) => candidate.symbol === instrument.symbol);
      expect(symbol, instrument.symbol).toBeDefined();
      if (symbol === undefined) continue;
      expect(symbol).toMatchObject({ status: 'TRADING', contractType: 'PERPETUAL', quoteAsset: 'USDT' });
      expect(symbol.pricePrecision).toBe(instrument.pricePrecision);
      expect(symbol.quantityPrecision).toBe(instrument.quantityPrecision);
      const filters = asWireArray(symbol.filters, `${instrument.symbol}.filters`);
      const filter = (type: string) => {
        const found = filters.find((candidate) => candidate.filterType === type);
        if (found === undefined) throw new Error(`${instrument.symbol} has no ${type} filter`);
        return found;
      };
      expect(decimalOf(filter('PRICE_FILTER').tickSize)).toBe(instrument.tickSize);
      expect(decimalOf(filter('LOT_SIZE').stepSize)).toBe(instrument.stepSize);
      expect(decimalOf(filter('LOT_SIZE').minQty)).toBe(instrument.minQty);
      expect(decimalOf(filter('MARKET_LOT_SIZE').maxQty)).toBe(instrument.marketMaxQty);
      expect(decimalOf(filter('MIN_NOTIONAL').notional)).toBe(instrument.minNotional);
    }
  });

  it('fresh account → v3 account and v3 balance show a 10000 USDT wallet', async () => {
    const account = asWire(await harness.rest.getAccountInformationV3(), 'account v3');
    expect(decimalOf(account.totalWalletBalance)).toBe(parseFixed('10000'));
    const usdt = asWireArray(account.assets, 'assets').find((asset) => asset.asset === 'USDT');
    expect(decimalOf(usdt?.walletBalance)).toBe(parseFixed('10000'));
    const balances = asWireArray(await harness.rest.getBalanceV3(), 'balance v3');
    const usdtBalance = balances.find((balance) => balance.asset === 'USDT');
    expect(decimalOf(usdtBalance?.balance)).toBe(parseFixed('10000'));
    expect(decimalOf(usdtBalance?.availableBalance)).toBe(parseFixed('10000'));
  });

  it('fresh account → the deprecated v2 account and balance (still called by the client) answer too', async () => {
    const account = asWire(await harness.rest.getAccountInformation(), 'account v2');
    expect(decimalOf(account.totalWalletBalance)).toBe(parseFixed('10000'));
    const balances = asWireArray(await harness.rest.getBalance(), 'balance v2');
    expect(decimalOf(balances.find((balance) => balance.asset === 'USDT')?.balance)).toBe(parseFixed('10000'));
  });

  it('MARKET BUY 0.002 BTCUSDT → FILLED, and positionRisk v3/v2 show +0.002 at the fills’ average price', async () => {
    const order = asWire(
      await harness.rest.submitNewOrder({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: wireDecimal('0.002'),
        newOrderRespType: 'RESULT',
      }),
      'market order',
    );
    expect(order.status).toBe('FILLED');
    expect(decimalOf(order.executedQty)).toBe(parseFixed('0.002'));
    expect(typeof order.orderId).toBe('number');
    // The client generated the id: x-<broker prefix> + 22-char nanoid (README "What it sends").
    expect(order.clientOrderId).toMatch(/^x-15PC4ZJy[A-Za-z0-9_-]{22}$/);

    const trades = asWireArray(await harness.rest.getAccountTrades({ symbol: 'BTCUSDT' }), 'userTrades').filter(
      (trade) => trade.orderId === order.orderId,
    );
    expect(trades.length).toBeGreaterThan(0);
    let quote = 0n;
    let qty = 0n;
    for (const trade of trades) {
      quote += decimalOf(trade.price) * decimalOf(trade.qty);
      qty += decimalOf(trade.qty);
    }
    expect(qty).toBe(parseFixed('0.002'));
    const vwap = quote / qty; // both scaled by 1e8: the quotient is a Fixed

    const positions = asWireArray(await harness.rest.getPositionsV3({ symbol: 'BTCUSDT' }), 'positionRisk v3');
    const position = positions.find((row) => row.symbol === 'BTCUSDT');
    expect(position, JSON.stringify(positions)).toBeDefined();
    expect(decimalOf(position?.positionAmt)).toBe(parseFixed('0.002'));
    expect(position?.positionSide).toBe('BOTH');
    // Entry price is the fills' VWAP; allow for rounding below a tenth of a tick.
    expect(absFixed(decimalOf(position?.entryPrice) - vwap) <= parseFixed('0.01')).toBe(true);

    const legacy = asWireArray(await harness.rest.getPositions({ symbol: 'BTCUSDT' }), 'positionRisk v2');
    expect(decimalOf(legacy.find((row) => row.symbol === 'BTCUSDT')?.positionAmt)).toBe(parseFixed('0.002'));
  });

  it('LIMIT GTC far under the market → getOrder NEW → cancelOrder CANCELED → getOrder CANCELED', async () => {
    const placed = await placeRestingBuy('BTCUSDT', '0.002');
    expect(placed.status).toBe('NEW');
    const orderId = placed.orderId as number;

    const queried = asWire(await harness.rest.getOrder({ symbol: 'BTCUSDT', orderId }), 'getOrder');
    expect(queried).toMatchObject({ orderId, status: 'NEW', type: 'LIMIT', timeInForce: 'GTC', side: 'BUY' });
    expect(queried.price).toBe(placed.price);

    const cancelled = asWire(await harness.rest.cancelOrder({ symbol: 'BTCUSDT', orderId }), 'cancelOrder');
    expect(cancelled).toMatchObject({ orderId, status: 'CANCELED' });
    const after = asWire(await harness.rest.getOrder({ symbol: 'BTCUSDT', orderId }), 'getOrder after cancel');
    expect(after.status).toBe('CANCELED');
  });

  it('clientOrderId with ":" and "/" (percent-encoded and signed that way by the client) → accepted and queryable', async () => {
    const clientOrderId = 'x-15PC4ZJy.conf:a/b_c-1';
    const placed = await placeRestingBuy('BTCUSDT', '0.002', clientOrderId);
    expect(placed.clientOrderId).toBe(clientOrderId);
    const queried = asWire(await harness.rest.getOrder({ symbol: 'BTCUSDT', origClientOrderId: clientOrderId }));
    expect(queried).toMatchObject({ orderId: placed.orderId, clientOrderId, status: 'NEW' });
    const cancelled = asWire(await harness.rest.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: clientOrderId }));
    expect(cancelled.status).toBe('CANCELED');
  });

  it('open orders on two symbols → openOrders filters by symbol; cancelAllOpenOrders clears only that symbol', async () => {
    const first = await placeRestingBuy('BTCUSDT', '0.002');
    const second = await placeRestingBuy('BTCUSDT', '0.003');
    const eth = await placeRestingBuy('ETHUSDT', '0.010');

    const btcOpen = asWireArray(await harness.rest.getAllOpenOrders({ symbol: 'BTCUSDT' }), 'openOrders BTCUSDT');
    expect(btcOpen.map((order) => order.orderId).sort()).toEqual([first.orderId, second.orderId].sort());
    const allOpen = asWireArray(await harness.rest.getAllOpenOrders(), 'openOrders');
    expect(allOpen).toHaveLength(3);

    const result = asWire(await harness.rest.cancelAllOpenOrders({ symbol: 'BTCUSDT' }), 'allOpenOrders');
    expect(result.code).toBe(200);
    expect(await harness.rest.getAllOpenOrders({ symbol: 'BTCUSDT' })).toEqual([]);
    const left = asWireArray(await harness.rest.getAllOpenOrders(), 'openOrders after cancel-all');
    expect(left.map((order) => order.orderId)).toEqual([eth.orderId]);
  });

  it('quantity off the step size → the client rejects with code -4023 and keeps the body', async () => {
    const error = await rejectionOf(
      harness.rest.submitNewOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: wireDecimal('0.0015') }),
    );
    expect(error.code).toBe(-4023);
    expect(asWire(error.body, 'error body').code).toBe(-4023);
    expect(typeof error.message).toBe('string');
  });

  it('unknown orders → cancel answers -2011, query answers -2013', async () => {
    expect((await rejectionOf(harness.rest.cancelOrder({ symbol: 'BTCUSDT', orderId: 987654321 }))).code).toBe(-2011);
    expect((await rejectionOf(harness.rest.getOrder({ symbol: 'BTCUSDT', orderId: 987654321 }))).code).toBe(-2013);
  });

  it('listenKey: POST is idempotent, PUT and DELETE without a listenKey param (as the client sends them) succeed', async () => {
    const first = asWire(await harness.rest.getFuturesUserDataListenKey(), 'listenKey');
    expect(typeof first.listenKey).toBe('string');
    // The client parses its user-data wsKey by splitting on "_": a key containing one breaks reconnects.
    expect(first.listenKey).toMatch(/^[A-Za-z0-9]+$/);
    const second = asWire(await harness.rest.getFuturesUserDataListenKey(), 'listenKey again');
    expect(second.listenKey).toBe(first.listenKey);
    await harness.rest.keepAliveFuturesUserDataListenKey();
    await harness.rest.closeFuturesUserDataListenKey();
    const fresh = asWire(await harness.rest.getFuturesUserDataListenKey(), 'listenKey after close');
    expect(fresh.listenKey).not.toBe(first.listenKey);
  });

  it('responses carry x-mbx-used-weight-1m → the client’s rate-limit tracker sees the weight', async () => {
    await harness.rest.getExchangeInfo();
    await harness.rest.getAccountInformationV3();
    expect(harness.rest.getRateLimitStates()['x-mbx-used-weight-1m']).toBeGreaterThan(0);
  });

  it('503 "unknown" with executed:true on /fapi/v1/order → client gets the 503 body, and the order exists', async () => {
    await injectFault(harness.sim, {
      type: 'rest-error',
      status: 503,
      variant: 'unknown',
      executed: true,
      count: 1,
      paths: ['/fapi/v1/order'],
    });
    const clientOrderId = 'x-15PC4ZJyunknownOutcome01';
    const error = await rejectionOf(placeRestingBuy('BTCUSDT', '0.002', clientOrderId));
    expect(error.code).toBe(-1000);
    expect(String(error.message)).toMatch(/^Unknown error/);
    // Reference §2.7: the outcome is unknown, so reconcile by origClientOrderId; here it did execute.
    const queried = asWire(await harness.rest.getOrder({ symbol: 'BTCUSDT', origClientOrderId: clientOrderId }));
    expect(queried.status).toBe('NEW');
  });

  it('exchange clock 2 s behind → -1021 until the client syncs its offset from /fapi/v1/time', async () => {
    await injectFault(harness.sim, { type: 'clock-skew', offsetMs: -2000 });
    const error = await rejectionOf(harness.rest.getAccountInformationV3());
    expect(error.code).toBe(-1021);
    const serverTime = await harness.rest.getServerTime();
    harness.rest.setTimeOffset(serverTime - Date.now());
    const account = asWire(await harness.rest.getAccountInformationV3(), 'account after offset sync');
    expect(decimalOf(account.totalWalletBalance)).toBe(parseFixed('10000'));
  });
});
