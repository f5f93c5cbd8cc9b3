import { describe, expect, it } from 'vitest';
import { parseFixed } from '../../lib/fixed.ts';
import { ApiError } from '../api-error.ts';
import { RequestParams } from './request-params.ts';

function errorOf(action: () => unknown): ApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('RequestParams', () => {
  it('key in both query and body → the query value wins', () => {
    const params = RequestParams.fromRaw('symbol=BTCUSDT&side=BUY', 'side=SELL&quantity=1');
    expect(params.optionalString('side')).toBe('BUY');
    expect(params.optionalString('quantity')).toBe('1');
  });

  it('percent-encoded and plus-encoded values → decoded', () => {
    const params = RequestParams.fromRaw('batchOrders=%5B%7B%22a%22%3A%22b%22%7D%5D&note=a+b', '');
    expect(params.optionalString('batchOrders')).toBe('[{"a":"b"}]');
    expect(params.optionalString('note')).toBe('a b');
  });

  it('missing or empty mandatory parameter → -1102 naming it', () => {
    const error = errorOf(() => RequestParams.fromRaw('symbol=', '').requiredString('symbol'));
    expect(error.code).toBe(-1102);
    expect(error.msg).toContain("'symbol'");
  });

  it('decimal with exponent, sign or bare dot → -1100 naming the parameter', () => {
    for (const text of ['1e-7', '-1', '.5', '1.', '0x10', '1,5']) {
      const error = errorOf(() =>
        RequestParams.fromRaw(`price=${encodeURIComponent(text)}`, '').optionalDecimal('price'),
      );
      expect(error.code, text).toBe(-1100);
      expect(error.msg).toContain("'price'");
    }
  });

  it('decimal with more than 8 places → -1111; trailing zeros beyond 8 are fine', () => {
    expect(errorOf(() => RequestParams.fromRaw('quantity=0.000000001', '').optionalDecimal('quantity')).code).toBe(
      -1111,
    );
    expect(RequestParams.fromRaw('quantity=0.1000000000', '').optionalDecimal('quantity')).toBe(parseFixed('0.1'));
  });

  it('integer with letters or a sign → -1100; out of range → -1130', () => {
    expect(errorOf(() => RequestParams.fromRaw('timestamp=12a', '').optionalInteger('timestamp')).code).toBe(-1100);
    expect(errorOf(() => RequestParams.fromRaw('limit=-5', '').optionalInteger('limit')).code).toBe(-1100);
    expect(errorOf(() => RequestParams.fromRaw('limit=1501', '').optionalInteger('limit', { max: 1500 })).code).toBe(
      -1130,
    );
    expect(
      errorOf(() => RequestParams.fromRaw('orderId=99999999999999999999', '').optionalInteger('orderId')).code,
    ).toBe(-1130);
  });

  it('reduceOnly other than "true"/"false" → -1130', () => {
    expect(RequestParams.fromRaw('reduceOnly=true', '').optionalBoolean('reduceOnly')).toBe(true);
    expect(RequestParams.fromRaw('reduceOnly=false', '').optionalBoolean('reduceOnly')).toBe(false);
    expect(errorOf(() => RequestParams.fromRaw('reduceOnly=TRUE', '').optionalBoolean('reduceOnly')).code).toBe(-1130);
    expect(errorOf(() => RequestParams.fromRaw('reduceOnly=1', '').optionalBoolean('reduceOnly')).code).toBe(-1130);
  });
});
