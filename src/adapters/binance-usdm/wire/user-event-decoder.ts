import type { OrderSide, VenueOrderStatus } from '../../../domain/order.ts';
import type { UserEvent } from '../../../domain/user-event.ts';
import type { Fixed } from '../../../lib/fixed.ts';
import {
  arrayField,
  booleanField,
  decimalField,
  integerField,
  MalformedField,
  objectField,
  stringField,
  type WireObject,
} from './wire-fields.ts';

type OrderUpdate = Extract<UserEvent, { kind: 'orderUpdate' }>;
type AccountUpdate = Extract<UserEvent, { kind: 'accountUpdate' }>;

/**
 * Statuses the domain knows. Anything else becomes 'UNKNOWN' with the raw string kept: Binance has
 * added statuses before (reference §2.5), and an unknown status is data to count, not a crash.
 */
const KNOWN_STATUSES: ReadonlySet<string> = new Set<VenueOrderStatus>([
  'NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'REJECTED',
  'EXPIRED',
  'EXPIRED_IN_MATCH',
]);

export function venueOrderStatus(raw: string): VenueOrderStatus {
  return KNOWN_STATUSES.has(raw) ? (raw as VenueOrderStatus) : 'UNKNOWN';
}

/**
 * `ORDER_TRADE_UPDATE` (reference §3.4): `{e,E,T,o:{s,c,S,o,f,q,p,ap,sp,x,X,i,l,z,L,N,n,T,t,…,m,R,…,rp}}`.
 * The fill (l, L, t, n, N, rp, m, T) is read only when `x` is TRADE: on other executions Binance
 * sends zeros there ("l":"0", "t":0).
 */
export function decodeOrderUpdate(payload: WireObject, receivedAt: number): OrderUpdate {
  const order = objectField(payload.o, 'o');
  const executionType = stringField(order.x, 'o.x');
  const rawStatus = stringField(order.X, 'o.X');
  const base = {
    kind: 'orderUpdate',
    eventTime: integerField(payload.E, 'E'),
    receivedAt,
    symbol: stringField(order.s, 'o.s'),
    orderId: integerField(order.i, 'o.i'),
    clientOrderId: stringField(order.c, 'o.c'),
    side: orderSide(order.S),
    orderType: stringField(order.o, 'o.o'),
    executionType,
    status: venueOrderStatus(rawStatus),
    rawStatus,
    origQty: decimalField(order.q, 'o.q'),
    price: decimalField(order.p, 'o.p'),
    avgPrice: decimalField(order.ap, 'o.ap'),
    cumulativeFilledQty: decimalField(order.z, 'o.z'),
    reduceOnly: booleanField(order.R, 'o.R'),
  } as const;
  if (executionType !== 'TRADE') return base;
  return {
    ...base,
    fill: {
      tradeId: integerField(order.t, 'o.t'),
      qty: decimalField(order.l, 'o.l'),
      price: decimalField(order.L, 'o.L'),
      commission: commission(order.n),
      // "N" is left out together with "n" when there is no commission (reference §3.4).
      commissionAsset: order.N === undefined ? '' : stringField(order.N, 'o.N'),
      realizedPnl: decimalField(order.rp, 'o.rp'),
      maker: booleanField(order.m, 'o.m'),
      time: integerField(order.T, 'o.T'),
    },
  };
}

/**
 * `ACCOUNT_UPDATE` (reference §3.4): `{e,E,T,a:{m,B:[{a,wb,cw,bc}],P:[{s,pa,ep,bep,cr,up,mt,iw,ps}]}}`.
 * Only changed balances and positions are present; a cross FUNDING_FEE carries `B` only, so a
 * missing `P` is an empty list rather than an error.
 */
export function decodeAccountUpdate(payload: WireObject, receivedAt: number): AccountUpdate {
  const account = objectField(payload.a, 'a');
  const balances = arrayField(account.B, 'a.B').map((entry, index) => {
    const balance = objectField(entry, `a.B[${index}]`);
    return {
      asset: stringField(balance.a, `a.B[${index}].a`),
      walletBalance: decimalField(balance.wb, `a.B[${index}].wb`),
      crossWalletBalance: decimalField(balance.cw, `a.B[${index}].cw`),
    };
  });
  const positions = (account.P === undefined ? [] : arrayField(account.P, 'a.P')).map((entry, index) => {
    const position = objectField(entry, `a.P[${index}]`);
    return {
      symbol: stringField(position.s, `a.P[${index}].s`),
      amount: decimalField(position.pa, `a.P[${index}].pa`),
      entryPrice: decimalField(position.ep, `a.P[${index}].ep`),
      unrealizedPnl: decimalField(position.up, `a.P[${index}].up`),
    };
  });
  return {
    kind: 'accountUpdate',
    eventTime: integerField(payload.E, 'E'),
    receivedAt,
    reason: stringField(account.m, 'a.m'),
    balances,
    positions,
  };
}

/** `{"e":"listenKeyExpired","E":"1736996475556","listenKey":…}`: `E` is a string in Binance's own example. */
export function decodeListenKeyExpired(payload: WireObject, receivedAt: number): UserEvent {
  return { kind: 'listenKeyExpired', eventTime: eventTimeNumberOrString(payload.E), receivedAt };
}

function eventTimeNumberOrString(value: unknown): number {
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return integerField(Number(value), 'E');
  return integerField(value, 'E');
}

function orderSide(value: unknown): OrderSide {
  if (value === 'BUY' || value === 'SELL') return value;
  throw new MalformedField('o.S', 'is not BUY or SELL');
}

function commission(value: unknown): Fixed {
  return value === undefined ? 0n : decimalField(value, 'o.n');
}
