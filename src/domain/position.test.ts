import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFixedTrimmed, parseFixed } from '../lib/fixed.ts';
import { applyFill, flatPosition } from './position.ts';

const f = parseFixed;
const show = (p: { amount: bigint; entryPrice: bigint; realizedPnl: bigint }) => ({
  amount: formatFixedTrimmed(p.amount),
  entry: formatFixedTrimmed(p.entryPrice),
  realized: formatFixedTrimmed(p.realizedPnl),
});

describe('position from fills', () => {
  it('buy, add, reduce, flip, close → exact entry and realized PnL', () => {
    let p = applyFill(flatPosition('BTCUSDT'), 'BUY', f('0.010'), f('100000'));
    expect(show(p)).toEqual({ amount: '0.01', entry: '100000', realized: '0' });
    p = applyFill(p, 'BUY', f('0.030'), f('104000'));
    expect(show(p)).toEqual({ amount: '0.04', entry: '103000', realized: '0' });
    p = applyFill(p, 'SELL', f('0.010'), f('105000'));
    expect(show(p)).toEqual({ amount: '0.03', entry: '103000', realized: '20' });
    p = applyFill(p, 'SELL', f('0.050'), f('102000'));
    expect(show(p)).toEqual({ amount: '-0.02', entry: '102000', realized: '-10' });
    p = applyFill(p, 'BUY', f('0.020'), f('101000'));
    expect(show(p)).toEqual({ amount: '0', entry: '0', realized: '10' });
  });

  it('any fill sequence → amount is the signed sum of fills (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            buy: fc.boolean(),
            qty: fc.integer({ min: 1, max: 1000 }),
            price: fc.integer({ min: 1, max: 200_000 }),
          }),
          {
            maxLength: 40,
          },
        ),
        (fills) => {
          let position = flatPosition('X');
          let expected = 0n;
          for (const fill of fills) {
            const qty = BigInt(fill.qty) * 100_000n; // 0.001 steps
            position = applyFill(position, fill.buy ? 'BUY' : 'SELL', qty, BigInt(fill.price) * 100_000_000n);
            expected += fill.buy ? qty : -qty;
          }
          expect(position.amount).toBe(expected);
          if (position.amount === 0n) expect(position.entryPrice).toBe(0n);
          else expect(position.entryPrice > 0n).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
