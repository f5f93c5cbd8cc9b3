import { type Fixed, formatFixed, mulFixed } from '../../lib/fixed.ts';
import type { OrderView, PositionView, UserEvent } from '../exchange/exchange.ts';
import type { Instrument } from '../instruments.ts';

/** A rendered user-data event: its `e` (for the `events` allow-list) and its JSON text. */
export interface UserPayload {
  readonly eventType: string;
  readonly json: string;
}

/** Balances, PnL and commissions carry 8 decimals on the user stream ("wb":"122624.12345678"). */
const MONEY_DECIMALS = 8;

/**
 * Renders user events with Binance's letters and key order (reference §3.4). Formatting follows the
 * docs' examples and live captures: prices and quantities padded to the instrument's precisions,
 * averages (`ap`, `ep`, `bep`) with three more places ("63652.30000"), money with 8, and the
 * fields Binance reports as a bare "0" when empty (`p` of a MARKET order, `sp`, `rp`, `b`, `a`).
 */
export function renderUserEvent(event: UserEvent): UserPayload {
  switch (event.kind) {
    case 'orderUpdate':
      return {
        eventType: 'ORDER_TRADE_UPDATE',
        json: JSON.stringify({
          e: 'ORDER_TRADE_UPDATE',
          E: event.eventTime,
          T: event.transactionTime,
          o: orderFields(event),
        }),
      };
    case 'accountUpdate':
      return {
        eventType: 'ACCOUNT_UPDATE',
        json: JSON.stringify({
          e: 'ACCOUNT_UPDATE',
          E: event.eventTime,
          T: event.transactionTime,
          a: {
            m: event.reason,
            B: event.balances.map((balance) => ({
              a: balance.asset,
              wb: formatFixed(balance.walletBalance, MONEY_DECIMALS),
              cw: formatFixed(balance.crossWalletBalance, MONEY_DECIMALS),
              bc: formatFixed(balance.balanceChange, MONEY_DECIMALS),
            })),
            P: event.positions.map(positionFields),
          },
        }),
      };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/** `listenKeyExpired`: `E` is a string in Binance's own example, so it is one here too. */
export function renderListenKeyExpired(listenKey: string, eventTime: number): UserPayload {
  return {
    eventType: 'listenKeyExpired',
    json: JSON.stringify({ e: 'listenKeyExpired', E: String(eventTime), listenKey }),
  };
}

function orderFields(event: Extract<UserEvent, { kind: 'orderUpdate' }>): Record<string, unknown> {
  const { order, trade } = event;
  const price = (value: Fixed) => formatFixed(value, order.instrument.pricePrecision);
  const qty = (value: Fixed) => formatFixed(value, order.instrument.quantityPrecision);
  // l, L, t, n and rp describe the fill of this event: only a TRADE has one.
  const fill = event.executionType === 'TRADE' ? trade : undefined;
  const fields: Record<string, unknown> = {
    s: order.symbol,
    c: order.clientOrderId,
    S: order.side,
    o: order.type,
    f: order.timeInForce,
    q: qty(order.origQty),
    p: zeroOr(order.price, order.instrument.pricePrecision),
    ap: zeroOr(order.avgPrice, averageDecimals(order.instrument)),
    sp: '0',
    x: event.executionType,
    X: order.status,
    i: order.orderId,
    l: fill === undefined ? '0' : qty(fill.qty),
    z: qty(order.executedQty),
    L: fill === undefined ? '0' : price(fill.price),
  };
  // "N"/"n" are left out when there is no commission (reference §3.4).
  if (fill !== undefined && fill.commission !== 0n) {
    fields.N = fill.commissionAsset;
    fields.n = formatFixed(fill.commission, MONEY_DECIMALS);
  }
  const notional = openNotional(order);
  Object.assign(fields, {
    T: fill?.time ?? event.transactionTime,
    t: fill?.id ?? 0,
    b: order.side === 'BUY' ? zeroOr(notional, MONEY_DECIMALS) : '0',
    a: order.side === 'SELL' ? zeroOr(notional, MONEY_DECIMALS) : '0',
    m: fill?.maker ?? false,
    R: order.reduceOnly,
    wt: 'CONTRACT_PRICE',
    ot: order.type,
    ps: 'BOTH',
    cp: false,
    rp: fill === undefined ? '0' : zeroOr(fill.realizedPnl, MONEY_DECIMALS),
    pP: false,
    si: 0,
    ss: 0,
    V: 'NONE',
    pm: 'NONE',
    gtd: 0,
  });
  return fields;
}

function positionFields(position: PositionView): Record<string, unknown> {
  const average = averageDecimals(position.instrument);
  return {
    s: position.symbol,
    pa: zeroOr(position.positionAmt, position.instrument.quantityPrecision),
    ep: formatFixed(position.entryPrice, average),
    bep: zeroOr(position.breakEvenPrice, average),
    // Accumulated realized PnL of the position: the exchange contract does not track it.
    cr: '0',
    up: zeroOr(position.unrealizedProfit, MONEY_DECIMALS),
    mt: 'cross',
    iw: formatFixed(0n, MONEY_DECIMALS),
    ps: 'BOTH',
  };
}

/** Bid (BUY) or ask (SELL) notional still resting on the book: what `b`/`a` report. */
function openNotional(order: OrderView): Fixed {
  if (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED') return 0n;
  const remaining = order.origQty - order.executedQty;
  return mulFixed(order.price, remaining);
}

function averageDecimals(instrument: Instrument): number {
  return Math.min(8, instrument.pricePrecision + 3);
}

function zeroOr(value: Fixed, decimals: number): string {
  return value === 0n ? '0' : formatFixed(value, decimals);
}
