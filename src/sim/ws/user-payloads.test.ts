import { describe, expect, it } from 'vitest';
import { parseFixed } from '../../lib/fixed.ts';
import { orderView, positionView, tradeView } from './stream-test-events.ts';
import { renderListenKeyExpired, renderUserEvent } from './user-payloads.ts';

const ORDER_KEYS = [
  's',
  'c',
  'S',
  'o',
  'f',
  'q',
  'p',
  'ap',
  'sp',
  'x',
  'X',
  'i',
  'l',
  'z',
  'L',
  'N',
  'n',
  'T',
  't',
  'b',
  'a',
  'm',
  'R',
  'wt',
  'ot',
  'ps',
  'cp',
  'rp',
  'pP',
  'si',
  'ss',
  'V',
  'pm',
  'gtd',
];

describe('renderUserEvent', () => {
  it('NEW limit order → ORDER_TRADE_UPDATE without N/n, empty fill fields "0", open notional in b', () => {
    const payload = renderUserEvent({
      kind: 'orderUpdate',
      eventTime: 1_000,
      transactionTime: 999,
      executionType: 'NEW',
      order: orderView(),
    });
    expect(payload.eventType).toBe('ORDER_TRADE_UPDATE');
    const parsed = JSON.parse(payload.json);
    expect(Object.keys(parsed)).toEqual(['e', 'E', 'T', 'o']);
    expect(parsed).toMatchObject({ e: 'ORDER_TRADE_UPDATE', E: 1_000, T: 999 });
    expect(Object.keys(parsed.o)).toEqual(ORDER_KEYS.filter((key) => key !== 'N' && key !== 'n'));
    expect(parsed.o).toMatchObject({
      s: 'BTCUSDT',
      c: 'yunmin-1',
      S: 'BUY',
      o: 'LIMIT',
      f: 'GTC',
      q: '0.010',
      p: '114000.00',
      ap: '0',
      sp: '0',
      x: 'NEW',
      X: 'NEW',
      i: 8886774,
      l: '0',
      z: '0.000',
      L: '0',
      T: 999,
      t: 0,
      b: '1140.00000000',
      a: '0',
      m: false,
      R: false,
      wt: 'CONTRACT_PRICE',
      ot: 'LIMIT',
      ps: 'BOTH',
      cp: false,
      rp: '0',
      V: 'NONE',
      pm: 'NONE',
      gtd: 0,
    });
  });

  it('TRADE partial fill → l/L/t/n/rp from the fill, padded; N/n present in Binance order', () => {
    const order = orderView({
      status: 'PARTIALLY_FILLED',
      executedQty: parseFixed('0.004'),
      cumQuote: parseFixed('456'),
      avgPrice: parseFixed('114000'),
    });
    const payload = renderUserEvent({
      kind: 'orderUpdate',
      eventTime: 1_100,
      transactionTime: 1_099,
      executionType: 'TRADE',
      order,
      trade: tradeView({ realizedPnl: parseFixed('-1.5') }),
    });
    const parsed = JSON.parse(payload.json);
    expect(Object.keys(parsed.o)).toEqual(ORDER_KEYS);
    expect(parsed.o).toMatchObject({
      x: 'TRADE',
      X: 'PARTIALLY_FILLED',
      ap: '114000.00000',
      l: '0.004',
      z: '0.004',
      L: '114000.00',
      N: 'USDT',
      n: '0.09120000',
      t: 5448412512,
      m: true,
      rp: '-1.50000000',
      b: '684.00000000',
    });
  });

  it('CANCELED after a fill → l/L/t/rp reset to "0" even if a trade is attached', () => {
    const payload = renderUserEvent({
      kind: 'orderUpdate',
      eventTime: 1_200,
      transactionTime: 1_199,
      executionType: 'CANCELED',
      order: orderView({ status: 'CANCELED', executedQty: parseFixed('0.004') }),
      trade: tradeView(),
    });
    const parsed = JSON.parse(payload.json);
    expect(parsed.o).toMatchObject({ x: 'CANCELED', l: '0', L: '0', t: 0, rp: '0', z: '0.004', b: '0' });
    expect(parsed.o).not.toHaveProperty('n');
  });

  it('MARKET sell → p "0", no bid/ask notional', () => {
    const payload = renderUserEvent({
      kind: 'orderUpdate',
      eventTime: 1,
      transactionTime: 1,
      executionType: 'NEW',
      order: orderView({ side: 'SELL', type: 'MARKET', price: 0n }),
    });
    expect(JSON.parse(payload.json).o).toMatchObject({ S: 'SELL', o: 'MARKET', p: '0', b: '0', a: '0' });
  });

  it('ACCOUNT_UPDATE → {e,E,T,a:{m,B,P}} with 8-decimal balances and position fields', () => {
    const payload = renderUserEvent({
      kind: 'accountUpdate',
      eventTime: 2_000,
      transactionTime: 1_999,
      reason: 'ORDER',
      balances: [
        {
          asset: 'USDT',
          walletBalance: parseFixed('9999.9088'),
          crossWalletBalance: parseFixed('9999.9088'),
          balanceChange: 0n,
        },
      ],
      positions: [positionView()],
    });
    expect(payload.eventType).toBe('ACCOUNT_UPDATE');
    const parsed = JSON.parse(payload.json);
    expect(Object.keys(parsed)).toEqual(['e', 'E', 'T', 'a']);
    expect(Object.keys(parsed.a)).toEqual(['m', 'B', 'P']);
    expect(parsed.a.B).toEqual([{ a: 'USDT', wb: '9999.90880000', cw: '9999.90880000', bc: '0.00000000' }]);
    expect(Object.keys(parsed.a.P[0])).toEqual(['s', 'pa', 'ep', 'bep', 'cr', 'up', 'mt', 'iw', 'ps']);
    expect(parsed.a.P[0]).toEqual({
      s: 'BTCUSDT',
      pa: '0.004',
      ep: '114000.00000',
      bep: '114045.60000',
      cr: '0',
      up: '0.19560000',
      mt: 'cross',
      iw: '0.00000000',
      ps: 'BOTH',
    });
  });

  it('short position → negative padded amount', () => {
    const payload = renderUserEvent({
      kind: 'accountUpdate',
      eventTime: 1,
      transactionTime: 1,
      reason: 'ORDER',
      balances: [],
      positions: [positionView({ positionAmt: parseFixed('-0.5') })],
    });
    expect(JSON.parse(payload.json).a.P[0].pa).toBe('-0.500');
  });
});

describe('renderListenKeyExpired', () => {
  it('→ E as a string, as in Binance’s example', () => {
    const payload = renderListenKeyExpired('KEY', 1736996475556);
    expect(payload.eventType).toBe('listenKeyExpired');
    expect(JSON.parse(payload.json)).toEqual({ e: 'listenKeyExpired', E: '1736996475556', listenKey: 'KEY' });
  });
});
