import { parseFixed } from '../../lib/fixed.ts';
import type { OrderView, PositionView, TradeView } from '../exchange/exchange.ts';
import type { MarketEvent } from '../market/market-feed.ts';
import { BTCUSDT } from './stream-test-harness.ts';

/** Market and user events with known values, for the stream server's tests. */

const T0 = Date.UTC(2026, 0, 1);

export function aggTradeEvent(symbol = 'BTCUSDT', price = '114048.9', qty = '0.01'): MarketEvent {
  return {
    kind: 'aggTrade',
    eventTime: T0 + 5,
    trade: {
      symbol,
      aggTradeId: 42,
      price: parseFixed(price),
      qty: parseFixed(qty),
      firstTradeId: 100,
      lastTradeId: 102,
      tradeTime: T0 + 4,
      buyerIsMaker: true,
    },
  };
}

export function bookTickerEvent(symbol = 'BTCUSDT'): MarketEvent {
  return {
    kind: 'bookTicker',
    ticker: {
      symbol,
      updateId: 7,
      eventTime: T0 + 2,
      transactionTime: T0 + 1,
      bidPrice: parseFixed('114048.8'),
      bidQty: parseFixed('1.5'),
      askPrice: parseFixed('114048.9'),
      askQty: parseFixed('2'),
    },
  };
}

export function depthEvent(symbol = 'BTCUSDT', finalUpdateId = 20): MarketEvent {
  return {
    kind: 'depthUpdate',
    symbol,
    eventTime: T0 + 10,
    transactionTime: T0 + 9,
    firstUpdateId: finalUpdateId - 5,
    finalUpdateId,
    previousFinalUpdateId: finalUpdateId - 6,
    bids: [{ price: parseFixed('114048.8'), qty: parseFixed('1.5') }],
    asks: [{ price: parseFixed('114049'), qty: 0n }],
  };
}

export function markPriceEvent(cadence: '1s' | '3s', symbol = 'BTCUSDT'): MarketEvent {
  return {
    kind: 'markPrice',
    cadence,
    state: {
      symbol,
      eventTime: T0 + 3_000,
      markPrice: parseFixed('114050.12345'),
      indexPrice: parseFixed('114049.5'),
      estimatedSettlePrice: parseFixed('114049.75'),
      fundingRate: parseFixed('0.0001'),
      nextFundingTime: T0 + 8 * 3_600_000,
      interestRate: parseFixed('0.0001'),
    },
  };
}

export function klineEvent(symbol = 'BTCUSDT'): MarketEvent {
  return {
    kind: 'kline',
    eventTime: T0 + 30_000,
    kline: {
      symbol,
      interval: '1m',
      openTime: T0,
      closeTime: T0 + 59_999,
      open: parseFixed('114000'),
      high: parseFixed('114100.5'),
      low: parseFixed('113990'),
      close: parseFixed('114048.9'),
      volume: parseFixed('12.5'),
      quoteVolume: parseFixed('1425611.25'),
      trades: 321,
      takerBuyVolume: parseFixed('6'),
      takerBuyQuoteVolume: parseFixed('684293.4'),
      firstTradeId: 100,
      lastTradeId: 420,
      closed: false,
    },
  };
}

export function orderView(overrides: Partial<OrderView> = {}): OrderView {
  return {
    instrument: BTCUSDT,
    orderId: 8886774,
    symbol: 'BTCUSDT',
    clientOrderId: 'yunmin-1',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    price: parseFixed('114000'),
    origQty: parseFixed('0.01'),
    executedQty: 0n,
    cumQuote: 0n,
    avgPrice: 0n,
    reduceOnly: false,
    status: 'NEW',
    time: T0,
    updateTime: T0,
    ...overrides,
  };
}

export function tradeView(overrides: Partial<TradeView> = {}): TradeView {
  return {
    instrument: BTCUSDT,
    id: 5448412512,
    orderId: 8886774,
    symbol: 'BTCUSDT',
    side: 'BUY',
    price: parseFixed('114000'),
    qty: parseFixed('0.004'),
    quoteQty: parseFixed('456'),
    commission: parseFixed('0.0912'),
    commissionAsset: 'USDT',
    realizedPnl: 0n,
    maker: true,
    buyer: true,
    time: T0 + 50,
    ...overrides,
  };
}

export function positionView(overrides: Partial<PositionView> = {}): PositionView {
  return {
    instrument: BTCUSDT,
    symbol: 'BTCUSDT',
    positionAmt: parseFixed('0.004'),
    entryPrice: parseFixed('114000'),
    breakEvenPrice: parseFixed('114045.6'),
    markPrice: parseFixed('114048.9'),
    unrealizedProfit: parseFixed('0.1956'),
    liquidationPrice: 0n,
    leverage: 20,
    notional: parseFixed('456.1956'),
    initialMargin: parseFixed('22.80978'),
    maintMargin: parseFixed('1.82479'),
    positionInitialMargin: parseFixed('22.80978'),
    openOrderInitialMargin: 0n,
    bidNotional: 0n,
    askNotional: 0n,
    updateTime: T0 + 50,
    ...overrides,
  };
}
