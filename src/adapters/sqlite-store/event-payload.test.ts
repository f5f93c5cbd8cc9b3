import { describe, expect, it } from 'vitest';
import { decodeEventPayload, encodeEventPayload } from './event-payload.ts';

describe('event payload codec', () => {
  it('bigints at any depth → tagged decimal text, read back as the same bigints', () => {
    const payload = { qty: 1n, pnl: -12_345_678_901_234_567_890_123_456n, legs: [{ price: 0n }], id: '42', n: 3 };
    const text = encodeEventPayload('OrderFilled', payload);
    expect(JSON.parse(text)).toEqual({
      qty: { $fixed: '0.00000001' },
      pnl: { $fixed: '-123456789012345678.90123456' },
      legs: [{ price: { $fixed: '0' } }],
      id: '42',
      n: 3,
    });
    expect(decodeEventPayload(1, text)).toStrictEqual(payload);
  });

  it.each([
    ['Infinity', { x: Number.POSITIVE_INFINITY }],
    ['a function', { x: () => 1 }],
    ['a bigint beyond 20 whole digits', { x: 10n ** 28n }],
    ['an array payload', [] as unknown as Record<string, unknown>],
  ])('%s → STORE_INVALID_EVENT', (_name, payload) => {
    expect(() => encodeEventPayload('Bad', payload)).toThrow(expect.objectContaining({ code: 'STORE_INVALID_EVENT' }));
  });

  it.each([
    ['broken JSON', '{"a":'],
    ['a JSON array', '[1]'],
    ['a bad tagged decimal', '{"a":{"$fixed":"1.123456789"}}'],
  ])('%s in the log → STORE_CORRUPT naming event_log and the seq', (_name, text) => {
    expect(() => decodeEventPayload(17, text)).toThrow(
      expect.objectContaining({ code: 'STORE_CORRUPT', table: 'event_log', key: '17', column: 'payload' }),
    );
  });
});
