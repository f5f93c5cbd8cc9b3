import type { MarketEvent } from '../../../domain/market-event.ts';
import type { DepthDiff } from './stream-message-decoder.ts';
import {
  booleanField,
  decimalField,
  integerField,
  levelsField,
  objectField,
  stringField,
  type WireObject,
} from './wire-fields.ts';

/**
 * Market-stream payloads (reference §3.3) to domain events. Each reader names the field letter it
 * checks, so a malformed frame is reported as e.g. `b is not a decimal string`. Properties are read
 * with static names (monomorphic loads) and every event is built with one fixed key order.
 */

/** `{"e":"bookTicker","u","E","T","s","b","B","a","A"}`. */
export function decodeBookTicker(payload: WireObject, receivedAt: number): MarketEvent {
  return {
    kind: 'bookTicker',
    symbol: stringField(payload.s, 's'),
    updateId: integerField(payload.u, 'u'),
    eventTime: integerField(payload.E, 'E'),
    receivedAt,
    bidPrice: decimalField(payload.b, 'b'),
    bidQty: decimalField(payload.B, 'B'),
    askPrice: decimalField(payload.a, 'a'),
    askQty: decimalField(payload.A, 'A'),
  };
}

/** `{"e":"aggTrade","E","a" (aggregate id),"s","p","q","nq","f","l","T","m"}`: the aggregate id is the trade id. */
export function decodeAggTrade(payload: WireObject, receivedAt: number): MarketEvent {
  return {
    kind: 'trade',
    symbol: stringField(payload.s, 's'),
    tradeId: integerField(payload.a, 'a'),
    eventTime: integerField(payload.E, 'E'),
    receivedAt,
    tradeTime: integerField(payload.T, 'T'),
    price: decimalField(payload.p, 'p'),
    qty: decimalField(payload.q, 'q'),
    buyerIsMaker: booleanField(payload.m, 'm'),
  };
}

/**
 * `{"e":"trade","E","T","s","t","p","q","X","m"}` (fixture `watchTrades`): the raw trade stream. `X` (MARKET,
 * INSURANCE_FUND, ADL, NA) has no place in the domain event and is not checked.
 */
export function decodeTrade(payload: WireObject, receivedAt: number): MarketEvent {
  return {
    kind: 'trade',
    symbol: stringField(payload.s, 's'),
    tradeId: integerField(payload.t, 't'),
    eventTime: integerField(payload.E, 'E'),
    receivedAt,
    tradeTime: integerField(payload.T, 'T'),
    price: decimalField(payload.p, 'p'),
    qty: decimalField(payload.q, 'q'),
    buyerIsMaker: booleanField(payload.m, 'm'),
  };
}

/** `{"e":"markPriceUpdate","E","s","p","i","P","r","T"}`. */
export function decodeMarkPrice(payload: WireObject, receivedAt: number): MarketEvent {
  return {
    kind: 'markPrice',
    symbol: stringField(payload.s, 's'),
    eventTime: integerField(payload.E, 'E'),
    receivedAt,
    markPrice: decimalField(payload.p, 'p'),
    indexPrice: decimalField(payload.i, 'i'),
    fundingRate: decimalField(payload.r, 'r'),
    nextFundingTime: integerField(payload.T, 'T'),
  };
}

/** `{"e":"kline","E","s","k":{"t","T","s","i","f","L","o","c","h","l","v","n","x","q","V","Q","B"}}` (fixture `watchOHLCV`). */
export function decodeKline(payload: WireObject, receivedAt: number): MarketEvent {
  const kline = objectField(payload.k, 'k');
  return {
    kind: 'kline',
    symbol: stringField(payload.s, 's'),
    interval: stringField(kline.i, 'k.i'),
    eventTime: integerField(payload.E, 'E'),
    receivedAt,
    openTime: integerField(kline.t, 'k.t'),
    closeTime: integerField(kline.T, 'k.T'),
    open: decimalField(kline.o, 'k.o'),
    high: decimalField(kline.h, 'k.h'),
    low: decimalField(kline.l, 'k.l'),
    close: decimalField(kline.c, 'k.c'),
    volume: decimalField(kline.v, 'k.v'),
    closed: booleanField(kline.x, 'k.x'),
  };
}

/** `{"e":"depthUpdate","E","T","s","U","u","pu","b":[[p,q]],"a":[[p,q]]}`: applied by DepthBook. */
export function decodeDepthDiff(payload: WireObject): DepthDiff {
  return {
    symbol: stringField(payload.s, 's'),
    eventTime: integerField(payload.E, 'E'),
    transactionTime: integerField(payload.T, 'T'),
    firstUpdateId: integerField(payload.U, 'U'),
    finalUpdateId: integerField(payload.u, 'u'),
    previousFinalUpdateId: integerField(payload.pu, 'pu'),
    bids: levelsField(payload.b, 'b'),
    asks: levelsField(payload.a, 'a'),
  };
}
