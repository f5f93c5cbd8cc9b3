import { describe, expect, it } from 'vitest';
import { CLIENT_ORDER_ID_PATTERN, generateClientOrderId } from './client-order-id.ts';

describe('generateClientOrderId', () => {
  it('default → "ym-" + 20 base62 characters, valid per Binance’s pattern, unique', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => generateClientOrderId()));
    expect(ids.size).toBe(2000);
    for (const id of ids) {
      expect(id).toMatch(/^ym-[0-9A-Za-z]{20}$/);
      expect(CLIENT_ORDER_ID_PATTERN.test(id)).toBe(true);
    }
  });

  it('custom prefix kept; too long or illegal prefix → RangeError', () => {
    expect(generateClientOrderId('bot.7:')).toMatch(/^bot\.7:[0-9A-Za-z]{20}$/);
    expect(generateClientOrderId('')).toHaveLength(20);
    expect(() => generateClientOrderId('x'.repeat(17))).toThrow(RangeError);
    expect(() => generateClientOrderId('bad prefix')).toThrow(RangeError);
  });
});
