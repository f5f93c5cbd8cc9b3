import type { MarketEvent, MarketSubscription } from '../domain/market-event.ts';
import type { UserEvent } from '../domain/user-event.ts';

/** Connection states of one WebSocket (a transition table in the adapter). */
export type StreamConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

export interface StreamHealth {
  /** Stream name as the adapter knows it, e.g. "btcusdt@bookTicker" or "userData". */
  readonly stream: string;
  readonly connection: string;
  readonly state: StreamConnectionState;
  /** ms since the last message on this stream (receive age), undefined before the first. */
  readonly receiveAgeMs: number | undefined;
  readonly reconnects: number;
  readonly lastMessageAt: number | undefined;
}

export type StreamLifecycleEvent =
  | { readonly kind: 'connected'; readonly connection: string; readonly at: number }
  | { readonly kind: 'disconnected'; readonly connection: string; readonly at: number; readonly reason: string }
  /** After a reconnect and resubscribe: the engine must resync orders, positions and books over REST. */
  | { readonly kind: 'reconnected'; readonly connection: string; readonly at: number; readonly downtimeMs: number }
  | { readonly kind: 'bookResynced'; readonly symbol: string; readonly at: number; readonly reason: string }
  | { readonly kind: 'listenKeyRenewed'; readonly at: number; readonly reason: string }
  | { readonly kind: 'unparsedMessage'; readonly connection: string; readonly at: number; readonly detail: string };

export interface StreamHandlers {
  onMarket(event: MarketEvent): void;
  onUser(event: UserEvent): void;
  onLifecycle(event: StreamLifecycleEvent): void;
}

/** The exchange's streams: market data and the user-data stream, kept alive by the adapter. */
export interface ExchangeStreams {
  start(handlers: StreamHandlers): Promise<void>;
  subscribe(subscriptions: readonly MarketSubscription[]): Promise<void>;
  unsubscribe(subscriptions: readonly MarketSubscription[]): Promise<void>;
  /** Opens the user-data stream (listenKey lifecycle handled inside). */
  startUserData(): Promise<void>;
  /** Receive age and state of every stream (playbook §1 detector input). */
  health(): readonly StreamHealth[];
  /** Drops and re-opens every connection (`yunmin ws reconnect --force`). */
  reconnect(options: { readonly force: boolean }): Promise<void>;
  stop(): Promise<void>;
}
