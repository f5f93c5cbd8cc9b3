import { describe, expect, it } from 'vitest';
import { Redactor } from './redactor.ts';

describe('Redactor', () => {
  it('registered secret anywhere in text → replaced; a secret containing another → replaced whole', () => {
    const redactor = new Redactor(['abcd1234', 'xxabcd1234yy']);
    expect(redactor.text('k=abcd1234&s=xxabcd1234yy')).toBe('k=[redacted]&s=[redacted]');
  });

  it('secret shorter than 4 characters → not searched for', () => {
    expect(new Redactor(['ab']).text('about ab')).toBe('about ab');
  });

  it('secret with regex characters → matched literally', () => {
    expect(new Redactor(['a+b(c)*']).text('x a+b(c)* y aab')).toBe('x [redacted] y aab');
  });

  it('signature, X-MBX-APIKEY and listenKey shapes → replaced without registration', () => {
    const redactor = new Redactor([]);
    expect(redactor.text('GET /fapi/v1/order?symbol=BTCUSDT&signature=9f86d081884c7d65')).toBe(
      'GET /fapi/v1/order?symbol=BTCUSDT&signature=[redacted]',
    );
    expect(redactor.text('{"X-MBX-APIKEY":"Kq1w2e3r4t"}')).toBe('{"X-MBX-APIKEY":"[redacted]"}');
    expect(redactor.text('x-mbx-apikey=Kq1w2e3r4t&a=1')).toBe('x-mbx-apikey=[redacted]&a=1');
    expect(
      redactor.text('/private/ws?listenKey=pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1'),
    ).toBe('/private/ws?listenKey=[redacted]');
  });

  it('fields → plain JSON: secret-named keys, toJSON, Map, Set, bigint, non-finite numbers', () => {
    const redactor = new Redactor(['topsecretvalue']);
    const secretLike = { toJSON: () => '[redacted]' };
    const fields = redactor.fields({
      password: 'hunter22',
      listenKey: 'abc',
      wrapped: secretLike,
      map: new Map([['note', 'has topsecretvalue']]),
      set: new Set([1, 2]),
      qty: 2n,
      ratio: Number.NaN,
      skipped: undefined,
    });
    expect(fields).toEqual({
      password: '[redacted]',
      listenKey: '[redacted]',
      wrapped: '[redacted]',
      map: { note: 'has [redacted]' },
      set: [1, 2],
      qty: '2',
      ratio: 'NaN',
    });
  });

  it('deep nesting → cut at a bounded depth', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let index = 0; index < 20; index++) deep = { deeper: deep };
    expect(JSON.stringify(new Redactor([]).fields(deep))).toContain('[too deep]');
  });
});
