import { describe, expect, it } from 'vitest';
import type { TrackedOrder } from '../domain/tracked-order.ts';
import { formatFixedTrimmed, parseFixed } from '../lib/fixed.ts';
import { intentsForTarget } from './target-orders.ts';

const f = parseFixed;
const summary = (intents: ReturnType<typeof intentsForTarget>) =>
  intents.map((i) => `${i.side} ${formatFixedTrimmed(i.quantity)}${i.reduceOnly ? ' reduce-only' : ''}`);

describe('target → orders', () => {
  it('flat → long target: one opening BUY', () => {
    expect(summary(intentsForTarget('BTCUSDT', f('0.004'), 0n, [], 's'))).toEqual(['BUY 0.004']);
  });
  it('long → flat: a reduce-only SELL (passes a halt)', () => {
    expect(summary(intentsForTarget('BTCUSDT', 0n, f('0.004'), [], 's'))).toEqual(['SELL 0.004 reduce-only']);
  });
  it('long → short: reduce-only close, then an opening SELL', () => {
    expect(summary(intentsForTarget('BTCUSDT', f('-0.003'), f('0.004'), [], 's'))).toEqual([
      'SELL 0.004 reduce-only',
      'SELL 0.003',
    ]);
  });
  it('an order already on the way → not doubled', () => {
    const pending: TrackedOrder = {
      clientOrderId: 'x',
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: f('0.004'),
      reduceOnly: false,
      state: 'SUBMITTED',
      executedQty: f('0.001'),
      purpose: 's',
      createdAt: 0,
      updatedAt: 0,
    };
    expect(intentsForTarget('BTCUSDT', f('0.004'), f('0.001'), [pending], 's')).toEqual([]);
    expect(intentsForTarget('ETHUSDT', f('0.1'), 0n, [pending], 's')).toHaveLength(1);
  });
});
