import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFixed } from '../../../lib/fixed.ts';
import { TestClock } from '../../../lib/test-clock.ts';
import type { MarketEvent as SimMarketEvent } from '../../../sim/market/market-feed.ts';
import { DEFAULT_MARKET_OPTIONS, SimulatedMarket } from '../../../sim/market/simulated-market.ts';
import { MarketPayloads } from '../../../sim/ws/market-payloads.ts';
import { orderView, positionView, tradeView } from '../../../sim/ws/stream-test-events.ts';
import { renderListenKeyExpired, renderUserEvent } from '../../../sim/ws/user-payloads.ts';
import {
  CAPTURED_ACK,
  CAPTURED_DEPTH_UPDATE,
  CAPTURED_KLINE,
  CAPTURED_MINI_TICKER,
  CAPTURED_TRADE,
} from './captured-frames.ts';
import { type DecodedStreamMessage, decodeStreamMessage } from './stream-message-decoder.ts';

const RECEIVED_AT = 1_786_540_400_000;

function decodeMarket(text: string) {
  const decoded = decodeStreamMessage(text, RECEIVED_AT);
  if (decoded.kind !== 'market') throw new Error(`expected a market event, got ${JSON.stringify(decoded)}`);
  return decoded;
}

function decodeUser(text: string) {
  const decoded = decodeStreamMessage(text, RECEIVED_AT);
  if (decoded.kind !== 'user') throw new Error(`expected a user event, got ${JSON.stringify(decoded)}`);
  return decoded.event;
}

function ignoredReason(decoded: DecodedStreamMessage): string {
  if (decoded.kind !== 'ignored') throw new Error(`expected ignored, got ${decoded.kind}`);
  return decoded.reason;
}

/** Every market event the simulator emits over `ticks`, with its rendered frame. */
function simulatorMarketFrames(ticks: number): { event: SimMarketEvent; text: string }[] {
  const clock = new TestClock();
  const market = new SimulatedMarket({ clock, options: { ...DEFAULT_MARKET_OPTIONS, historyMinutes: 5 } });
  const payloads = new MarketPayloads(market);
  const frames: { event: SimMarketEvent; text: string }[] = [];
  market.subscribe((event) => {
    switch (event.kind) {
      case 'aggTrade':
        frames.push({ event, text: payloads.aggTrade(event.eventTime, event.trade) });
        break;
      case 'bookTicker':
        frames.push({ event, text: payloads.bookTicker(event.ticker) });
        break;
      case 'depthUpdate':
        frames.push({ event, text: payloads.depthDiff(event) });
        break;
      case 'markPrice':
        frames.push({ event, text: payloads.markPrice(event.state) });
        break;
      case 'kline':
        frames.push({ event, text: payloads.kline(event.eventTime, event.kline) });
        break;
      default:
        break;
    }
  });
  for (let tick = 0; tick < ticks; tick += 1) {
    clock.advance(100);
    market.tick();
  }
  return frames;
}

describe('decodeStreamMessage: simulator market frames', () => {
  const frames = simulatorMarketFrames(1_200);

  it('every renderer is exercised and every frame decodes to the exact values the simulator had', () => {
    const seen = new Set(frames.map((frame) => frame.event.kind));
    expect([...seen].sort()).toEqual(['aggTrade', 'bookTicker', 'depthUpdate', 'kline', 'markPrice']);
    for (const { event, text } of frames) {
      const decoded = decodeStreamMessage(text, RECEIVED_AT);
      switch (event.kind) {
        case 'aggTrade':
          expect(decoded).toEqual({
            kind: 'market',
            stream: undefined,
            event: {
              kind: 'trade',
              symbol: event.trade.symbol,
              tradeId: event.trade.aggTradeId,
              eventTime: event.eventTime,
              receivedAt: RECEIVED_AT,
              tradeTime: event.trade.tradeTime,
              price: event.trade.price,
              qty: event.trade.qty,
              buyerIsMaker: event.trade.buyerIsMaker,
            },
          });
          break;
        case 'bookTicker': {
          const { ticker } = event;
          expect(decoded).toEqual({
            kind: 'market',
            stream: undefined,
            event: {
              kind: 'bookTicker',
              symbol: ticker.symbol,
              updateId: ticker.updateId,
              eventTime: ticker.eventTime,
              receivedAt: RECEIVED_AT,
              bidPrice: ticker.bidPrice,
              bidQty: ticker.bidQty,
              askPrice: ticker.askPrice,
              askQty: ticker.askQty,
            },
          });
          break;
        }
        case 'depthUpdate':
          expect(decoded).toEqual({
            kind: 'depthDiff',
            stream: undefined,
            diff: {
              symbol: event.symbol,
              eventTime: event.eventTime,
              transactionTime: event.transactionTime,
              firstUpdateId: event.firstUpdateId,
              finalUpdateId: event.finalUpdateId,
              previousFinalUpdateId: event.previousFinalUpdateId,
              bids: event.bids.map(({ price, qty }) => ({ price, qty })),
              asks: event.asks.map(({ price, qty }) => ({ price, qty })),
            },
          });
          break;
        case 'markPrice':
          expect(decoded).toEqual({
            kind: 'market',
            stream: undefined,
            event: {
              kind: 'markPrice',
              symbol: event.state.symbol,
              eventTime: event.state.eventTime,
              receivedAt: RECEIVED_AT,
              markPrice: event.state.markPrice,
              indexPrice: event.state.indexPrice,
              fundingRate: event.state.fundingRate,
              nextFundingTime: event.state.nextFundingTime,
            },
          });
          break;
        case 'kline': {
          const { kline } = event;
          expect(decoded).toEqual({
            kind: 'market',
            stream: undefined,
            event: {
              kind: 'kline',
              symbol: kline.symbol,
              interval: kline.interval,
              eventTime: event.eventTime,
              receivedAt: RECEIVED_AT,
              openTime: kline.openTime,
              closeTime: kline.closeTime,
              open: kline.open,
              high: kline.high,
              low: kline.low,
              close: kline.close,
              volume: kline.volume,
              closed: kline.closed,
            },
          });
          break;
        }
        default: {
          const unreachable: never = event;
          throw new Error(`unexpected ${JSON.stringify(unreachable)}`);
        }
      }
    }
  });

  it('combined {"stream","data"} wrapper → same event, stream name kept', () => {
    const { text } = frames.find((frame) => frame.event.kind === 'bookTicker') ?? { text: '' };
    const raw = decodeStreamMessage(text, RECEIVED_AT);
    const wrapped = decodeStreamMessage(`{"stream":"btcusdt@bookTicker","data":${text}}`, RECEIVED_AT);
    expect(wrapped).toEqual({ ...raw, stream: 'btcusdt@bookTicker' });
  });
});

describe('decodeStreamMessage: captured Binance frames', () => {
  it('kline (fixture watchOHLCV) → kline event with exact prices', () => {
    expect(decodeMarket(CAPTURED_KLINE).event).toEqual({
      kind: 'kline',
      symbol: 'BTCUSDT',
      interval: '1m',
      eventTime: 1_786_540_310_066,
      receivedAt: RECEIVED_AT,
      openTime: 1_786_540_260_000,
      closeTime: 1_786_540_319_999,
      open: parseFixed('64049.30'),
      high: parseFixed('64049.30'),
      low: parseFixed('64025.60'),
      close: parseFixed('64025.70'),
      volume: parseFixed('32.311'),
      closed: false,
    });
  });

  it('raw trade (fixture watchTrades) → trade event with t as trade id', () => {
    expect(decodeMarket(CAPTURED_TRADE).event).toEqual({
      kind: 'trade',
      symbol: 'BTCUSDT',
      tradeId: 7_967_419_777,
      eventTime: 1_786_540_291_675,
      receivedAt: RECEIVED_AT,
      tradeTime: 1_786_540_291_675,
      price: parseFixed('64042.10'),
      qty: parseFixed('0.038'),
      buyerIsMaker: true,
    });
  });

  it('depthUpdate (fixture watchOrderBook) → depth diff with U/u/pu and zero-quantity deletes', () => {
    const decoded = decodeStreamMessage(CAPTURED_DEPTH_UPDATE, RECEIVED_AT);
    if (decoded.kind !== 'depthDiff') throw new Error(decoded.kind);
    expect(decoded.diff).toMatchObject({
      symbol: 'BTCUSDT',
      firstUpdateId: 11_270_657_305_889,
      finalUpdateId: 11_270_657_314_522,
      previousFinalUpdateId: 11_270_657_305_720,
    });
    expect(decoded.diff.bids[0]).toEqual({ price: parseFixed('1000.00'), qty: parseFixed('179.935') });
    expect(decoded.diff.bids).toContainEqual({ price: parseFixed('63410.30'), qty: 0n });
  });

  it('24hrMiniTicker → ignored as an unknown event type, never fatal', () => {
    expect(ignoredReason(decodeStreamMessage(CAPTURED_MINI_TICKER, RECEIVED_AT))).toBe(
      'unknown event type "24hrMiniTicker"',
    );
  });

  it('SUBSCRIBE ack {"result":null,"id":1} → control', () => {
    expect(decodeStreamMessage(CAPTURED_ACK, RECEIVED_AT)).toEqual({ kind: 'control', id: 1, result: null });
  });

  it('{"error":{code,msg},"id"} → control with the error', () => {
    const decoded = decodeStreamMessage('{"error":{"code":2,"msg":"Invalid request"},"id":7}', RECEIVED_AT);
    expect(decoded).toEqual({ kind: 'control', id: 7, result: undefined, error: { code: 2, msg: 'Invalid request' } });
  });
});

describe('decodeStreamMessage: user data (simulator renderers)', () => {
  it('ORDER_TRADE_UPDATE NEW → order update without fill', () => {
    const { json } = renderUserEvent({
      kind: 'orderUpdate',
      eventTime: 1_000,
      transactionTime: 999,
      executionType: 'NEW',
      order: orderView(),
    });
    expect(decodeUser(json)).toEqual({
      kind: 'orderUpdate',
      eventTime: 1_000,
      receivedAt: RECEIVED_AT,
      symbol: 'BTCUSDT',
      orderId: 8_886_774,
      clientOrderId: 'yunmin-1',
      side: 'BUY',
      orderType: 'LIMIT',
      executionType: 'NEW',
      status: 'NEW',
      rawStatus: 'NEW',
      origQty: parseFixed('0.01'),
      price: parseFixed('114000'),
      avgPrice: 0n,
      cumulativeFilledQty: 0n,
      reduceOnly: false,
    });
  });

  it('ORDER_TRADE_UPDATE TRADE → fill with qty, price, trade id, commission, realized PnL, maker, time', () => {
    const { json } = renderUserEvent({
      kind: 'orderUpdate',
      eventTime: 1_100,
      transactionTime: 1_099,
      executionType: 'TRADE',
      order: orderView({
        status: 'PARTIALLY_FILLED',
        executedQty: parseFixed('0.004'),
        avgPrice: parseFixed('114000'),
      }),
      trade: tradeView({ realizedPnl: parseFixed('-1.5') }),
    });
    const event = decodeUser(json);
    expect(event).toMatchObject({
      status: 'PARTIALLY_FILLED',
      cumulativeFilledQty: parseFixed('0.004'),
      avgPrice: parseFixed('114000'),
      fill: {
        tradeId: 5_448_412_512,
        qty: parseFixed('0.004'),
        price: parseFixed('114000'),
        commission: parseFixed('0.0912'),
        commissionAsset: 'USDT',
        realizedPnl: parseFixed('-1.5'),
        maker: true,
        time: Date.UTC(2026, 0, 1) + 50,
      },
    });
  });

  it('TRADE without commission (N/n left out) → fill with commission 0', () => {
    const { json } = renderUserEvent({
      kind: 'orderUpdate',
      eventTime: 1_100,
      transactionTime: 1_099,
      executionType: 'TRADE',
      order: orderView({ status: 'FILLED', executedQty: parseFixed('0.01') }),
      trade: tradeView({ commission: 0n }),
    });
    expect(decodeUser(json)).toMatchObject({ status: 'FILLED', fill: { commission: 0n, commissionAsset: '' } });
  });

  it('a status Binance may add later → UNKNOWN with the raw status kept', () => {
    const { json } = renderUserEvent({
      kind: 'orderUpdate',
      eventTime: 1,
      transactionTime: 1,
      executionType: 'NEW',
      order: orderView(),
    });
    const edited = json.replace('"X":"NEW"', '"X":"PENDING_NEW_THING"');
    expect(decodeUser(edited)).toMatchObject({ status: 'UNKNOWN', rawStatus: 'PENDING_NEW_THING' });
  });

  it('ACCOUNT_UPDATE → balances and positions with exact decimals; a missing P is an empty list', () => {
    const { json } = renderUserEvent({
      kind: 'accountUpdate',
      eventTime: 2_000,
      transactionTime: 1_999,
      reason: 'ORDER',
      balances: [
        {
          asset: 'USDT',
          walletBalance: parseFixed('9999.9088'),
          crossWalletBalance: parseFixed('9999.9087'),
          balanceChange: 0n,
        },
      ],
      positions: [positionView({ positionAmt: parseFixed('-0.5') })],
    });
    expect(decodeUser(json)).toEqual({
      kind: 'accountUpdate',
      eventTime: 2_000,
      receivedAt: RECEIVED_AT,
      reason: 'ORDER',
      balances: [
        { asset: 'USDT', walletBalance: parseFixed('9999.9088'), crossWalletBalance: parseFixed('9999.9087') },
      ],
      positions: [
        {
          symbol: 'BTCUSDT',
          amount: parseFixed('-0.5'),
          entryPrice: parseFixed('114000'),
          unrealizedPnl: parseFixed('0.1956'),
        },
      ],
    });
    const fundingFee =
      '{"e":"ACCOUNT_UPDATE","E":5,"T":5,"a":{"m":"FUNDING_FEE","B":[{"a":"USDT","wb":"1.5","cw":"1.5","bc":"0"}]}}';
    expect(decodeUser(fundingFee)).toMatchObject({ reason: 'FUNDING_FEE', positions: [] });
  });

  it('listenKeyExpired with E as a string (simulator, Binance docs) or a number → listenKeyExpired', () => {
    const { json } = renderListenKeyExpired('abc', 1_736_996_475_556);
    expect(json).toContain('"E":"1736996475556"');
    expect(decodeUser(json)).toEqual({
      kind: 'listenKeyExpired',
      eventTime: 1_736_996_475_556,
      receivedAt: RECEIVED_AT,
    });
    expect(decodeUser('{"e":"listenKeyExpired","E":42,"listenKey":"k"}')).toMatchObject({ eventTime: 42 });
  });
});

describe('decodeStreamMessage: malformed frames → ignored with a reason naming the field', () => {
  const bookTicker =
    '{"e":"bookTicker","u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000","T":1,"E":2}';

  it('a price sent as a JSON number → ignored naming b, never a float', () => {
    expect(ignoredReason(decodeStreamMessage(bookTicker.replace('"b":"25.35190000"', '"b":25.3519'), 0))).toBe(
      'bookTicker: field b is not a decimal string',
    );
  });

  it('a price with a ninth decimal place → ignored naming a', () => {
    expect(ignoredReason(decodeStreamMessage(bookTicker.replace('"25.36520000"', '"25.365200001"'), 0))).toMatch(
      /^bookTicker: field a is not a decimal with at most 8 places/,
    );
  });

  it('a missing update id → ignored naming u', () => {
    expect(ignoredReason(decodeStreamMessage(bookTicker.replace('"u":400900217,', ''), 0))).toBe(
      'bookTicker: field u is not a safe integer',
    );
  });

  it('a bad depth level → ignored naming the level', () => {
    const frame = '{"e":"depthUpdate","E":1,"T":1,"s":"X","U":1,"u":2,"pu":0,"b":[["1.0","2"],["abc","1"]],"a":[]}';
    expect(ignoredReason(decodeStreamMessage(frame, 0))).toMatch(/^depthUpdate: field b\[1\]\[0\]/);
  });

  it('a bad side on an order update → ignored naming o.S', () => {
    const { json } = renderUserEvent({
      kind: 'orderUpdate',
      eventTime: 1,
      transactionTime: 1,
      executionType: 'NEW',
      order: orderView(),
    });
    expect(ignoredReason(decodeStreamMessage(json.replace('"S":"BUY"', '"S":"LONG"'), 0))).toBe(
      'ORDER_TRADE_UPDATE: field o.S is not BUY or SELL',
    );
  });

  it('not JSON, not an object, no event type, array data → ignored', () => {
    expect(ignoredReason(decodeStreamMessage('{"e":', 0))).toBe('frame is not JSON');
    expect(ignoredReason(decodeStreamMessage('[1,2]', 0))).toBe('frame is not a JSON object');
    expect(ignoredReason(decodeStreamMessage('{"x":1}', 0))).toBe('frame has no event type (e)');
    expect(ignoredReason(decodeStreamMessage('{"stream":"!markPrice@arr","data":[]}', 0))).toBe(
      'data is not a JSON object',
    );
  });

  it('any text or any JSON value → a result, never a throw (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        expect(['market', 'depthDiff', 'user', 'control', 'ignored']).toContain(decodeStreamMessage(text, 0).kind);
      }),
      { numRuns: 5_000 },
    );
    const shapes = fc.record({
      e: fc.constantFrom(
        'bookTicker',
        'aggTrade',
        'trade',
        'markPriceUpdate',
        'kline',
        'depthUpdate',
        'ORDER_TRADE_UPDATE',
        'ACCOUNT_UPDATE',
        'listenKeyExpired',
      ),
      E: fc.oneof(fc.integer(), fc.string(), fc.double()),
      s: fc.oneof(fc.string(), fc.integer()),
      b: fc.jsonValue(),
      a: fc.jsonValue(),
      o: fc.jsonValue(),
      k: fc.jsonValue(),
      p: fc.oneof(fc.string(), fc.double()),
    });
    fc.assert(
      fc.property(shapes, (frame) => {
        expect(() => decodeStreamMessage(JSON.stringify(frame), 0)).not.toThrow();
      }),
      { numRuns: 5_000 },
    );
  });
});
