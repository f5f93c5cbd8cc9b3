import type { Fixed } from '../../lib/fixed.ts';
import type { OrderSide } from '../exchange/exchange.ts';
import type { PriceShock } from '../market/market-feed.ts';

/**
 * What the transports ask the fault injector before they act (reference §6 "Simulator checklist").
 * The REST layer asks once per request, the WS layer once per connection and per outgoing message.
 * With no fault active every answer is the "healthy" one, so the cost on the hot path is a few
 * property reads.
 */

export interface RestRequestInfo {
  readonly method: string;
  /** e.g. "/fapi/v1/order". */
  readonly path: string;
  /** POST/DELETE/PUT on order, batchOrders or allOpenOrders: the ones whose outcome can be unknown. */
  readonly isOrderMutation: boolean;
  /** Binance exempts reduce-only and close-position orders from -1008 throttling. */
  readonly isReduceOnly: boolean;
}

export type RestVerdict =
  | { readonly kind: 'pass' }
  | {
      readonly kind: 'respond';
      readonly status: number;
      /** Sent as is (JSON text for Binance errors, HTML for a gateway 504). */
      readonly body: string;
      readonly headers: Readonly<Record<string, string>>;
      /**
       * 503 "Unknown error" whose order WAS executed (§2.7 variant 1): the transport runs the request
       * first, discards its reply and sends this one instead.
       */
      readonly executeFirst: boolean;
    }
  /** Never answer; the client has to give up (its timeout). The socket is destroyed on stop. */
  | { readonly kind: 'hang' };

export type StreamChannel = 'public' | 'market' | 'private';

export interface FaultGate {
  restVerdict(request: RestRequestInfo): RestVerdict;
  /** Extra delay before a REST reply is written (fixed + jitter); 0 when healthy. */
  restLatencyMs(): number;
  /** false while reconnects are refused or the exchange is in maintenance. */
  acceptWsConnection(channel: StreamChannel): boolean;
  /** Extra delay for each outgoing WS message; 0 when healthy. */
  wsLatencyMs(): number;
  /**
   * true while a stream is frozen: the socket stays open and pings are answered, but no data flows.
   * `stream` is the Binance stream name ("btcusdt@depth@100ms") or "userData" for the user stream.
   */
  isStreamFrozen(stream: string): boolean;
  /** Added to every timestamp the exchange reports and checks (clock-skew fault). */
  clockSkewMs(): number;
  /**
   * true: drop this depthUpdate diff of `symbol` for every subscriber (depth-gap fault), so the next
   * diff's `pu` is not the previous `u`. Asked once per diff that has subscribers. Optional: a gate
   * without it never drops.
   */
  dropDepthDiff?(symbol: string): boolean;
}

/** What the fault injector acts on. Implemented by the stream server, the market and the exchange. */
export interface FaultTargets {
  readonly streams: {
    /** Closes matching connections (code 1006-like abrupt close); returns how many. */
    closeConnections(filter: { readonly channel?: StreamChannel; readonly count?: number }): number;
  };
  readonly market: {
    applyShock(shock: PriceShock): () => void;
  };
  readonly exchange: {
    setStuckOrders(scope: { readonly symbol?: string; readonly enabled: boolean }): void;
    externalFill(symbol: string, side: OrderSide, qty: Fixed, price?: Fixed, emitEvents?: boolean): unknown;
  };
}

/** The control API, mounted by the REST layer under `/_sim`. `path` is what follows `/_sim`. */
export type ControlHandler = (request: {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
}) => Promise<{ readonly status: number; readonly body: unknown }>;
