import { describe, expect, it } from 'vitest';
import type { OrderReport } from '../domain/order.ts';
import { parseFixed } from '../lib/fixed.ts';
import { stuckEngineOrders, stuckExchangeOrders, stuckOrderRows } from './stuck-orders.ts';

const order = (orderId: number, updateTime: number): OrderReport =>
  ({
    symbol: 'BTCUSDT',
    orderId,
    clientOrderId: `c${orderId}`,
    side: 'BUY',
    type: 'LIMIT',
    status: 'NEW',
    price: parseFixed('100000'),
    origQty: parseFixed('0.002'),
    executedQty: 0n,
    updateTime,
  }) as OrderReport;

describe('stuck orders (playbook §4 step 1)', () => {
  it('exchange orders → only those older than max_order_age_s (strictly), with their age', () => {
    const now = 1_000_000;
    const stuck = stuckExchangeOrders(
      [order(1, now - 301_000), order(2, now - 300_000), order(3, now - 5_000)],
      now,
      300,
    );
    expect(stuck.map((o) => [o.orderId, o.ageS])).toEqual([[1, 301]]);
    expect(stuck[0]).toMatchObject({ source: 'exchange', price: '100000', quantity: '0.002' });
  });

  it('engine rows → filtered by age and symbol', () => {
    const row = (id: string, symbol: string, age: number) => ({
      client_order_id: id,
      symbol,
      side: 'SELL',
      type: 'LIMIT',
      quantity: '1',
      price: '2',
      state: 'ACKNOWLEDGED',
      executed_qty: '0',
      age_s: age,
    });
    const rows = [row('a', 'BTCUSDT', 400), row('b', 'ETHUSDT', 400), row('c', 'BTCUSDT', 10)];
    expect(stuckEngineOrders(rows, 300).map((o) => o.clientOrderId)).toEqual(['a', 'b']);
    expect(stuckEngineOrders(rows, 300, 'ETHUSDT').map((o) => o.clientOrderId)).toEqual(['b']);
  });

  it('rows → each marked STUCK with age against the limit; none → a sentence naming the limit', () => {
    const [, first] = stuckOrderRows(stuckExchangeOrders([order(7, 0)], 600_000, 300), 300);
    expect(first?.[0]).toBe('STUCK');
    expect(first?.at(-1)).toBe('10.0m > 5.0m');
    expect(stuckOrderRows([], 300)).toEqual([['no open order older than executor.max_order_age_s (300 s)']]);
  });
});
