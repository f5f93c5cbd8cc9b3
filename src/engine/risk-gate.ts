import type { Instrument } from '../domain/instrument.ts';
import type { OrderRequest } from '../domain/order.ts';
import type { OrderIntent } from '../domain/order-intent.ts';
import type { Position } from '../domain/position.ts';
import type { TrackedOrder } from '../domain/tracked-order.ts';
import { mayPlaceOrder, type TradingState } from '../domain/trading-state.ts';
import { absFixed, type Fixed, formatFixedTrimmed, mulFixed, roundToStep } from '../lib/fixed.ts';
import { OrderDenied } from './order-denied.ts';

export interface RiskLimits {
  /** Largest position notional as a fraction of equity (executor.max_position_pct, 0.02 = 2 %). */
  readonly maxPositionFraction: Fixed;
  /** Open orders that add exposure, across all symbols (executor.max_open_orders). */
  readonly maxOpenOrders: number;
}

export interface RiskContext {
  readonly tradingState: TradingState;
  readonly instrument: Instrument | undefined;
  /** Mark price (or mid) of the symbol; undefined before the first market data. */
  readonly referencePrice: Fixed | undefined;
  /** Wallet + unrealized PnL. */
  readonly equity: Fixed;
  readonly position: Position;
  /** All active orders (every symbol). */
  readonly activeOrders: readonly TrackedOrder[];
  readonly limits: RiskLimits;
  /** Active transient holds on new exposure (EngineControl.hold); reasons for the denial message. */
  readonly holds?: readonly string[];
}

export type RiskDecision =
  | { readonly ok: true; readonly request: Omit<OrderRequest, 'clientOrderId'> }
  | { readonly ok: false; readonly denial: OrderDenied };

const deny = (code: ConstructorParameters<typeof OrderDenied>[0], message: string): RiskDecision => ({
  ok: false,
  denial: new OrderDenied(code, message),
});

/**
 * The single way out (issue 4 point 4): every order, strategy or kill switch, passes here. Rounds to
 * the venue's grid exactly (quantities down; BUY prices down and SELL prices up, never more
 * aggressive than asked), applies the exchange's filters before the exchange does, and our own
 * limits. Reduce-only exits always pass the trading-state check (a halt must not block its exits).
 */
export function checkOrder(intent: OrderIntent, context: RiskContext): RiskDecision {
  const { instrument } = context;
  if (instrument === undefined)
    return deny('ORDER_DENIED_UNKNOWN_SYMBOL', `${intent.symbol} is not a listed instrument`);
  if (!mayPlaceOrder(context.tradingState, intent.reduceOnly)) {
    return deny('ORDER_DENIED_TRADING_STATE', `trading state ${context.tradingState} allows reduce-only orders only`);
  }
  if (!intent.reduceOnly && context.holds !== undefined && context.holds.length > 0) {
    return deny('ORDER_DENIED_HOLD', `new orders are on hold: ${context.holds.join('; ')}`);
  }
  const reference = context.referencePrice;
  if (reference === undefined || reference <= 0n)
    return deny('ORDER_DENIED_NO_MARKET_DATA', `no price for ${intent.symbol} yet`);

  let quantity = intent.quantity;
  if (intent.reduceOnly) {
    const amount = context.position.amount;
    const reduces = (amount > 0n && intent.side === 'SELL') || (amount < 0n && intent.side === 'BUY');
    if (!reduces)
      return deny(
        'ORDER_DENIED_NOTHING_TO_REDUCE',
        `no ${intent.side === 'SELL' ? 'long' : 'short'} ${intent.symbol} position to reduce`,
      );
    if (quantity > absFixed(amount)) quantity = absFixed(amount);
  }
  const isMarket = intent.type === 'MARKET';
  const step = isMarket ? instrument.marketStepSize : instrument.stepSize;
  quantity = roundToStep(quantity, step, 'down');
  const minQty = isMarket ? instrument.marketMinQty : instrument.minQty;
  const maxQty = isMarket ? instrument.marketMaxQty : instrument.maxQty;
  if (quantity < minQty || quantity <= 0n) {
    return deny(
      'ORDER_DENIED_QUANTITY',
      `quantity ${formatFixedTrimmed(quantity)} is below the minimum ${formatFixedTrimmed(minQty)}`,
    );
  }
  if (quantity > maxQty)
    return deny(
      'ORDER_DENIED_QUANTITY',
      `quantity ${formatFixedTrimmed(quantity)} is above the maximum ${formatFixedTrimmed(maxQty)}`,
    );

  let price: Fixed | undefined;
  if (!isMarket) {
    if (intent.price === undefined) return deny('ORDER_DENIED_PRICE', 'a LIMIT order needs a price');
    price = roundToStep(intent.price, instrument.tickSize, intent.side === 'BUY' ? 'down' : 'up');
    if (price < instrument.minPrice || price > instrument.maxPrice || price <= 0n) {
      return deny('ORDER_DENIED_PRICE', `price ${formatFixedTrimmed(price)} is outside the instrument's range`);
    }
    // PERCENT_PRICE relative to mark (§2.4): the venue would answer -4016/-4024.
    const ceiling = mulFixed(reference, instrument.multiplierUp);
    const floor = mulFixed(reference, instrument.multiplierDown);
    if ((intent.side === 'BUY' && price > ceiling) || (intent.side === 'SELL' && price < floor)) {
      return deny(
        'ORDER_DENIED_PRICE',
        `price ${formatFixedTrimmed(price)} is too far from the mark ${formatFixedTrimmed(reference)}`,
      );
    }
  }
  const notional = mulFixed(quantity, price ?? reference);
  if (!intent.reduceOnly && notional < instrument.minNotional) {
    return deny(
      'ORDER_DENIED_MIN_NOTIONAL',
      `notional ${formatFixedTrimmed(notional)} is below the minimum ${formatFixedTrimmed(instrument.minNotional)}`,
    );
  }

  if (!intent.reduceOnly) {
    const opening = context.activeOrders.filter((order) => !order.reduceOnly);
    if (opening.length >= context.limits.maxOpenOrders) {
      return deny(
        'ORDER_DENIED_MAX_OPEN_ORDERS',
        `${opening.length} open orders already (limit ${context.limits.maxOpenOrders})`,
      );
    }
    // Worst case: the position plus every same-side open order on this symbol, plus this one.
    const signed = intent.side === 'BUY' ? quantity : -quantity;
    const pending = opening
      .filter((order) => order.symbol === intent.symbol && order.side === intent.side)
      .reduce((sum, order) => sum + (order.quantity - order.executedQty), 0n);
    const exposure = absFixed(context.position.amount + signed + (intent.side === 'BUY' ? pending : -pending));
    const limit = mulFixed(context.equity, context.limits.maxPositionFraction);
    if (mulFixed(exposure, reference) > limit) {
      return deny(
        'ORDER_DENIED_POSITION_LIMIT',
        `${intent.symbol} exposure ${formatFixedTrimmed(mulFixed(exposure, reference))} would exceed ${formatFixedTrimmed(limit)} (max_position_pct of equity ${formatFixedTrimmed(context.equity)})`,
      );
    }
  }

  return {
    ok: true,
    request: {
      symbol: intent.symbol,
      side: intent.side,
      type: intent.type,
      quantity,
      ...(price !== undefined && { price, timeInForce: intent.timeInForce ?? 'GTC' }),
      reduceOnly: intent.reduceOnly,
    },
  };
}
