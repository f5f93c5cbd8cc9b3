import type { Fixed } from '../lib/fixed.ts';
import type { OrderSide, VenueOrderStatus } from './order.ts';

/** User-data events, parsed at the edge (ORDER_TRADE_UPDATE, ACCOUNT_UPDATE, listenKeyExpired). */
export type UserEvent =
  | {
      readonly kind: 'orderUpdate';
      readonly eventTime: number;
      readonly receivedAt: number;
      readonly symbol: string;
      readonly orderId: number;
      readonly clientOrderId: string;
      readonly side: OrderSide;
      readonly orderType: string;
      /** NEW, TRADE, CANCELED, EXPIRED, CALCULATED, AMENDMENT, or what the venue sent. */
      readonly executionType: string;
      readonly status: VenueOrderStatus;
      readonly rawStatus: string;
      readonly origQty: Fixed;
      readonly price: Fixed;
      readonly avgPrice: Fixed;
      readonly cumulativeFilledQty: Fixed;
      readonly reduceOnly: boolean;
      /** Present when executionType is TRADE. */
      readonly fill?: {
        readonly tradeId: number;
        readonly qty: Fixed;
        readonly price: Fixed;
        readonly commission: Fixed;
        readonly commissionAsset: string;
        readonly realizedPnl: Fixed;
        readonly maker: boolean;
        readonly time: number;
      };
    }
  | {
      readonly kind: 'accountUpdate';
      readonly eventTime: number;
      readonly receivedAt: number;
      readonly reason: string;
      readonly balances: readonly {
        readonly asset: string;
        readonly walletBalance: Fixed;
        readonly crossWalletBalance: Fixed;
      }[];
      readonly positions: readonly {
        readonly symbol: string;
        readonly amount: Fixed;
        readonly entryPrice: Fixed;
        readonly unrealizedPnl: Fixed;
      }[];
    }
  | { readonly kind: 'listenKeyExpired'; readonly eventTime: number; readonly receivedAt: number };
