import type { AccountSnapshot, PositionReport } from '../../domain/account.ts';
import { ExchangeError } from '../../domain/exchange-error.ts';
import type { Instrument } from '../../domain/instrument.ts';
import type { FillReport, OrderReport } from '../../domain/order.ts';
import type { UserEvent } from '../../domain/user-event.ts';
import { ApiError } from '../../sim/api-error.ts';
import type {
  AccountView,
  OrderView,
  PositionView,
  UserEvent as SimUserEvent,
  TradeView,
} from '../../sim/exchange/exchange.ts';
import type { Instrument as SimInstrument } from '../../sim/instruments.ts';

/**
 * The simulator's typed views as the engine's domain types: the in-process counterpart of the
 * Binance adapter's wire parsing (adapters/binance-usdm/wire), kept in this one file. Field meanings
 * are the same as on the wire, so the engine cannot tell this venue from the REST client.
 */

export function toInstrument(instrument: SimInstrument): Instrument {
  return {
    symbol: instrument.symbol,
    baseAsset: instrument.baseAsset,
    quoteAsset: instrument.quoteAsset,
    status: 'TRADING',
    pricePrecision: instrument.pricePrecision,
    quantityPrecision: instrument.quantityPrecision,
    tickSize: instrument.tickSize,
    minPrice: instrument.minPrice,
    maxPrice: instrument.maxPrice,
    stepSize: instrument.stepSize,
    minQty: instrument.minQty,
    maxQty: instrument.maxQty,
    marketStepSize: instrument.marketStepSize,
    marketMinQty: instrument.marketMinQty,
    marketMaxQty: instrument.marketMaxQty,
    minNotional: instrument.minNotional,
    maxNumOrders: instrument.maxNumOrders,
    multiplierUp: instrument.multiplierUp,
    multiplierDown: instrument.multiplierDown,
  };
}

export function toOrderReport(order: OrderView): OrderReport {
  return {
    symbol: order.symbol,
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    side: order.side,
    type: order.type,
    timeInForce: order.timeInForce,
    status: order.status,
    rawStatus: order.status,
    price: order.price,
    origQty: order.origQty,
    executedQty: order.executedQty,
    avgPrice: order.avgPrice,
    reduceOnly: order.reduceOnly,
    updateTime: order.updateTime,
  };
}

export function toFillReport(trade: TradeView, clientOrderId: string | undefined): FillReport {
  return {
    symbol: trade.symbol,
    tradeId: trade.id,
    orderId: trade.orderId,
    ...(clientOrderId !== undefined && { clientOrderId }),
    side: trade.side,
    price: trade.price,
    qty: trade.qty,
    commission: trade.commission,
    commissionAsset: trade.commissionAsset,
    realizedPnl: trade.realizedPnl,
    maker: trade.maker,
    time: trade.time,
  };
}

export function toPositionReport(position: PositionView): PositionReport {
  return {
    symbol: position.symbol,
    amount: position.positionAmt,
    entryPrice: position.entryPrice,
    markPrice: position.markPrice,
    unrealizedPnl: position.unrealizedProfit,
    notional: position.notional,
    updateTime: position.updateTime,
  };
}

export function toAccountSnapshot(account: AccountView): AccountSnapshot {
  return {
    totalWalletBalance: account.walletBalance,
    totalUnrealizedProfit: account.unrealizedProfit,
    totalMarginBalance: account.marginBalance,
    availableBalance: account.availableBalance,
    balances: [
      {
        asset: 'USDT',
        walletBalance: account.walletBalance,
        availableBalance: account.availableBalance,
        unrealizedPnl: account.unrealizedProfit,
      },
    ],
    positions: account.positions.filter((position) => position.positionAmt !== 0n).map(toPositionReport),
    updateTime: account.updateTime,
  };
}

/** A user-data event as the adapter would deliver it after parsing ORDER_TRADE_UPDATE / ACCOUNT_UPDATE. */
export function toUserEvent(event: SimUserEvent, receivedAt: number): UserEvent {
  if (event.kind === 'accountUpdate') {
    return {
      kind: 'accountUpdate',
      eventTime: event.eventTime,
      receivedAt,
      reason: event.reason,
      balances: event.balances.map((balance) => ({
        asset: balance.asset,
        walletBalance: balance.walletBalance,
        crossWalletBalance: balance.crossWalletBalance,
      })),
      positions: event.positions.map((position) => ({
        symbol: position.symbol,
        amount: position.positionAmt,
        entryPrice: position.entryPrice,
        unrealizedPnl: position.unrealizedProfit,
      })),
    };
  }
  const { order, trade } = event;
  return {
    kind: 'orderUpdate',
    eventTime: event.eventTime,
    receivedAt,
    symbol: order.symbol,
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    side: order.side,
    orderType: order.type,
    executionType: event.executionType,
    status: order.status,
    rawStatus: order.status,
    origQty: order.origQty,
    price: order.price,
    avgPrice: order.avgPrice,
    cumulativeFilledQty: order.executedQty,
    reduceOnly: order.reduceOnly,
    ...(trade !== undefined && {
      fill: {
        tradeId: trade.id,
        qty: trade.qty,
        price: trade.price,
        commission: trade.commission,
        commissionAsset: trade.commissionAsset,
        realizedPnl: trade.realizedPnl,
        maker: trade.maker,
        time: trade.time,
      },
    }),
  };
}

/** The simulator's Binance error as the engine's ExchangeError (what the REST client would throw). */
export function toExchangeError(error: unknown, endpoint: string, clientOrderId?: string): unknown {
  if (!(error instanceof ApiError)) return error;
  return new ExchangeError('EXCHANGE_REJECTED', `${error.code} ${error.msg}`, {
    httpStatus: error.httpStatus,
    venueCode: error.code,
    venueMessage: error.msg,
    endpoint,
    ...(clientOrderId !== undefined && { clientOrderId }),
  });
}
