import type { Fixed } from '../../lib/fixed.ts';
import type { OrderSide } from '../exchange/exchange.ts';
import type { PriceShock } from '../market/market-feed.ts';
import type { FaultTargets, StreamChannel } from './fault-gate.ts';

/**
 * A test double of what the fault injector acts on: it records every call, so tests of the injector,
 * scenarios and control API can check the effect without a market, exchange or socket.
 */
export class FakeFaultTargets implements FaultTargets {
  /** How many connections each closeConnections call reports closed. */
  openConnections = 3;
  readonly closes: { channel?: StreamChannel; count?: number }[] = [];
  readonly shocks: PriceShock[] = [];
  readonly cancelledShocks: PriceShock[] = [];
  readonly stuck: { symbol?: string; enabled: boolean }[] = [];
  readonly fills: { symbol: string; side: OrderSide; qty: Fixed; price?: Fixed; emitEvents?: boolean }[] = [];
  /** Set to make externalFill throw (an unknown symbol, say). */
  fillError: Error | undefined;

  readonly streams = {
    closeConnections: (filter: { readonly channel?: StreamChannel; readonly count?: number }): number => {
      this.closes.push({ ...filter });
      return Math.min(this.openConnections, filter.count ?? this.openConnections);
    },
  };

  readonly market = {
    applyShock: (shock: PriceShock): (() => void) => {
      this.shocks.push(shock);
      return () => {
        this.cancelledShocks.push(shock);
      };
    },
  };

  readonly exchange = {
    setStuckOrders: (scope: { readonly symbol?: string; readonly enabled: boolean }): void => {
      this.stuck.push({ ...scope });
    },
    externalFill: (symbol: string, side: OrderSide, qty: Fixed, price?: Fixed, emitEvents?: boolean): unknown => {
      if (this.fillError !== undefined) throw this.fillError;
      this.fills.push({
        symbol,
        side,
        qty,
        ...(price === undefined ? {} : { price }),
        ...(emitEvents === undefined ? {} : { emitEvents }),
      });
      return { symbol, side, qty };
    },
  };
}
