import { ExchangeError } from '../../../domain/exchange-error.ts';
import type { MarketSubscription } from '../../../domain/market-event.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { Random } from '../../../lib/random.ts';
import type {
  ExchangeStreams,
  StreamHandlers,
  StreamHealth,
  StreamLifecycleEvent,
} from '../../../ports/exchange-streams.ts';
import { type DecodedStreamMessage, decodeStreamMessage } from '../wire/stream-message-decoder.ts';
import { DepthBookSync, type DepthSnapshot } from './depth-book-sync.ts';
import { LISTEN_KEY_GONE, ListenKeyKeeper, type ListenKeyRest } from './listen-key-keeper.ts';
import { type ClassifiedFrame, StreamConnection } from './stream-connection.ts';
import { DEFAULT_STREAM_CONNECTION_OPTIONS, type StreamConnectionOptions } from './stream-connection-options.ts';
import { type MarketChannel, sequenceOf, type WireStream, wireStreamOf } from './stream-names.ts';
import type { StreamSocketFactory } from './stream-socket.ts';

/** What the streams need from the REST client (BinanceRestClient provides all four). */
export interface StreamRestClient extends ListenKeyRest {
  getDepthSnapshot(symbol: string, limit: number): Promise<DepthSnapshot>;
}

export interface WsLatencyRecorder {
  recordWs(stream: string, eventTime: number, receivedAt: number, serverTimeOffsetMs: number): void;
}

export interface BinanceStreamsOptions {
  /** Market connections (`/public`, `/market`). */
  readonly market: StreamConnectionOptions;
  /** The user-data connection: silence watchdog off by default, an account can be quiet for hours. */
  readonly user: StreamConnectionOptions;
  /** PUT /fapi/v1/listenKey cadence (issue 3: every 30 min; the key lives 60 min, §3.4). */
  readonly listenKeyKeepAliveMs: number;
  /** First retry of a failed keepalive or key creation, doubling up to `listenKeyRetryMaxMs`. */
  readonly listenKeyRetryMs: number;
  readonly listenKeyRetryMaxMs: number;
  /** GET /fapi/v1/depth limit for the local book (§3.3 step 2). */
  readonly depthSnapshotLimit: number;
  readonly depthRetryInitialMs: number;
  readonly depthRetryMaxMs: number;
  readonly maxBufferedDiffs: number;
  /** At most one `unparsedMessage` event per connection per interval; the rest are counted in it. */
  readonly unparsedReportIntervalMs: number;
}

export const DEFAULT_BINANCE_STREAMS_OPTIONS: BinanceStreamsOptions = {
  market: DEFAULT_STREAM_CONNECTION_OPTIONS,
  user: { ...DEFAULT_STREAM_CONNECTION_OPTIONS, silenceReconnectMs: 0 },
  listenKeyKeepAliveMs: 30 * 60_000,
  listenKeyRetryMs: 1_000,
  listenKeyRetryMaxMs: 60_000,
  depthSnapshotLimit: 1000,
  depthRetryInitialMs: 250,
  depthRetryMaxMs: 10_000,
  maxBufferedDiffs: 10_000,
  unparsedReportIntervalMs: 10_000,
};

export interface BinanceStreamsDeps {
  readonly clock: Clock;
  readonly random: Random;
  /** e.g. "wss://fstream.binance.com", or the simulator's `urls.ws`. */
  readonly wsBaseUrl: string;
  readonly rest: StreamRestClient;
  readonly latency?: WsLatencyRecorder;
  /** Local clock minus venue clock (ms), e.g. `() => rest.status().serverTimeOffsetMs`. */
  readonly serverTimeOffsetMs?: () => number;
  readonly options?: Partial<Omit<BinanceStreamsOptions, 'market' | 'user'>> & {
    readonly market?: Partial<StreamConnectionOptions>;
    readonly user?: Partial<StreamConnectionOptions>;
  };
  /** Tests only: a fake socket instead of `ws`. */
  readonly socketFactory?: StreamSocketFactory;
}

const USER_STREAM = 'userData';

type Connection = StreamConnection<DecodedStreamMessage>;

/**
 * Binance USDⓈ-M streams behind the ExchangeStreams port (issue 3 point 6): market data on the split
 * paths, one local depth book per symbol, the user-data stream on a listenKey kept alive and renewed,
 * receive age per stream, and every connection kept up by StreamConnection.
 */
export class BinanceStreams implements ExchangeStreams {
  readonly #deps: BinanceStreamsDeps;
  readonly #options: BinanceStreamsOptions;
  readonly #clock: Clock;
  #handlers: StreamHandlers | undefined;
  readonly #market = new Map<MarketChannel, Connection>();
  #user: Connection | undefined;
  /** Wire stream → how many subscriptions want it. */
  readonly #wanted = new Map<string, number>();
  readonly #books = new Map<string, DepthBookSync>();
  /** Requested depths per symbol: the book emits the largest. */
  readonly #bookDepths = new Map<string, number[]>();
  #listenKeys: ListenKeyKeeper | undefined;
  readonly #unparsed = new Map<string, { count: number; lastReportAt: number }>();
  #unparsedTotal = 0;
  #stopped = false;

  constructor(deps: BinanceStreamsDeps) {
    this.#deps = deps;
    this.#clock = deps.clock;
    const { market, user, ...rest } = deps.options ?? {};
    this.#options = {
      ...DEFAULT_BINANCE_STREAMS_OPTIONS,
      ...rest,
      market: { ...DEFAULT_BINANCE_STREAMS_OPTIONS.market, ...market },
      user: { ...DEFAULT_BINANCE_STREAMS_OPTIONS.user, ...user },
    };
  }

  /** Messages counted as not understood (unknown event types, malformed fields), all connections. */
  get unparsedMessages(): number {
    return this.#unparsedTotal;
  }

  /** The listenKey in use, if the user stream was started. */
  get listenKey(): string | undefined {
    return this.#listenKeys?.key;
  }

  async start(handlers: StreamHandlers): Promise<void> {
    this.#handlers = handlers;
  }

  async subscribe(subscriptions: readonly MarketSubscription[]): Promise<void> {
    this.#requireStarted();
    const streams = subscriptions.map((subscription) => ({ subscription, wire: wireStreamOf(subscription) }));
    const byChannel = new Map<MarketChannel, string[]>();
    for (const { subscription, wire } of streams) {
      this.#wanted.set(wire.name, (this.#wanted.get(wire.name) ?? 0) + 1);
      if (subscription.kind === 'book') this.#addBook(subscription.symbol.toUpperCase(), subscription.depth);
      byChannel.set(wire.channel, [...(byChannel.get(wire.channel) ?? []), wire.name]);
    }
    await Promise.all([...byChannel].map(([channel, names]) => this.#marketConnection(channel).subscribe(names)));
  }

  async unsubscribe(subscriptions: readonly MarketSubscription[]): Promise<void> {
    const gone: WireStream[] = [];
    for (const subscription of subscriptions) {
      const wire = wireStreamOf(subscription);
      const count = this.#wanted.get(wire.name) ?? 0;
      if (count === 0) continue;
      if (subscription.kind === 'book') this.#removeBook(subscription.symbol.toUpperCase(), subscription.depth);
      if (count > 1) {
        this.#wanted.set(wire.name, count - 1);
        continue;
      }
      this.#wanted.delete(wire.name);
      gone.push(wire);
    }
    await Promise.all(
      gone.map((wire) => this.#market.get(wire.channel)?.unsubscribe([wire.name]) ?? Promise.resolve()),
    );
  }

  async startUserData(): Promise<void> {
    this.#requireStarted();
    if (this.#user !== undefined || this.#listenKeys !== undefined) return;
    const keeper = new ListenKeyKeeper({
      clock: this.#clock,
      rest: this.#deps.rest,
      keepAliveMs: this.#options.listenKeyKeepAliveMs,
      retryMs: this.#options.listenKeyRetryMs,
      retryMaxMs: this.#options.listenKeyRetryMaxMs,
      onRenewed: (_key, reason) => {
        // The URL reads the new key; the old socket hears nothing more on the old one (§3.4).
        this.#user?.reconnect(true);
        this.#emit({ kind: 'listenKeyRenewed', at: this.#clock.now(), reason });
      },
    });
    this.#listenKeys = keeper;
    try {
      await keeper.start();
    } catch (error) {
      this.#listenKeys = undefined;
      throw error;
    }
    const user = new StreamConnection<DecodedStreamMessage>({
      name: USER_STREAM,
      clock: this.#clock,
      random: this.#deps.random,
      options: this.#options.user,
      subscription: 'url',
      // Split host, ws mode (reference §3.4); read at each connect, so a renewed key is used.
      url: () => `${this.#deps.wsBaseUrl}/private/ws?listenKey=${encodeURIComponent(keeper.key ?? '')}`,
      classify: (text, receivedAt) => this.#classify(text, receivedAt),
      onMessage: (message) => this.#onMessage(USER_STREAM, message),
      onLifecycle: (event) => this.#emit(event),
      onRejected: (status, body) => {
        // An expired key is refused at the upgrade with 400 and -1125: connecting again cannot help.
        if (status === 400 && body.includes(String(LISTEN_KEY_GONE)))
          void keeper.renew('listenKey refused at connect (-1125)');
      },
      ...(this.#deps.socketFactory !== undefined && { socketFactory: this.#deps.socketFactory }),
    });
    this.#user = user;
    await user.subscribe([USER_STREAM]);
  }

  health(): readonly StreamHealth[] {
    const connections = [...this.#market.values(), ...(this.#user === undefined ? [] : [this.#user])];
    return connections.flatMap((connection) => connection.health());
  }

  async reconnect(options: { readonly force: boolean }): Promise<void> {
    for (const connection of this.#market.values()) connection.reconnect(options.force);
    this.#user?.reconnect(options.force);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const book of this.#books.values()) book.stop();
    const closing = [...this.#market.values(), ...(this.#user === undefined ? [] : [this.#user])].map((connection) =>
      connection.close(),
    );
    await Promise.all(closing);
    await this.#listenKeys?.stop();
  }

  // ── market ───────────────────────────────────────────────────────────────────────────────────

  #marketConnection(channel: MarketChannel): Connection {
    let connection = this.#market.get(channel);
    if (connection === undefined) {
      connection = new StreamConnection<DecodedStreamMessage>({
        name: channel,
        clock: this.#clock,
        random: this.#deps.random,
        options: this.#options.market,
        subscription: 'frames',
        // Stream mode, so every payload names its stream (receive age per stream, routing).
        url: () => `${this.#deps.wsBaseUrl}/${channel}/stream`,
        classify: (text, receivedAt) => this.#classify(text, receivedAt),
        onMessage: (message) => this.#onMessage(channel, message),
        onLifecycle: (event) => this.#emit(event),
        ...(this.#deps.socketFactory !== undefined && { socketFactory: this.#deps.socketFactory }),
      });
      this.#market.set(channel, connection);
    }
    return connection;
  }

  #addBook(symbol: string, depth: number): void {
    const depths = [...(this.#bookDepths.get(symbol) ?? []), depth];
    this.#bookDepths.set(symbol, depths);
    const existing = this.#books.get(symbol);
    if (existing !== undefined) {
      existing.depth = Math.max(...depths);
      return;
    }
    const options = this.#options;
    this.#books.set(
      symbol,
      new DepthBookSync({
        symbol,
        depth,
        clock: this.#clock,
        fetchSnapshot: (name) => this.#deps.rest.getDepthSnapshot(name, options.depthSnapshotLimit),
        onBook: (event) => this.#handlers?.onMarket(event),
        onResynced: (reason) => this.#emit({ kind: 'bookResynced', symbol, at: this.#clock.now(), reason }),
        retryInitialMs: options.depthRetryInitialMs,
        retryMaxMs: options.depthRetryMaxMs,
        maxBufferedDiffs: options.maxBufferedDiffs,
      }),
    );
  }

  #removeBook(symbol: string, depth: number): void {
    const depths = [...(this.#bookDepths.get(symbol) ?? [])];
    const index = depths.indexOf(depth);
    if (index >= 0) depths.splice(index, 1);
    const book = this.#books.get(symbol);
    if (depths.length > 0) {
      this.#bookDepths.set(symbol, depths);
      if (book !== undefined) book.depth = Math.max(...depths);
      return;
    }
    this.#bookDepths.delete(symbol);
    book?.stop();
    this.#books.delete(symbol);
  }

  // ── frames ───────────────────────────────────────────────────────────────────────────────────

  #classify(text: string, receivedAt: number): ClassifiedFrame<DecodedStreamMessage> {
    const message = decodeStreamMessage(text, receivedAt);
    switch (message.kind) {
      case 'market':
        return { kind: 'data', stream: message.stream ?? message.event.kind, key: sequenceOf(message.event), message };
      case 'depthDiff':
        return {
          kind: 'data',
          stream: message.stream ?? `${message.diff.symbol.toLowerCase()}@depth`,
          key: message.diff.finalUpdateId,
          message,
        };
      case 'user':
        // No sequence on user events: the same text on both sockets is the same event.
        return { kind: 'data', stream: USER_STREAM, key: text, message };
      case 'control':
        return {
          kind: 'control',
          id: typeof message.id === 'number' ? message.id : null,
          error: message.error === undefined ? undefined : `${message.error.code} ${message.error.msg}`,
        };
      case 'ignored':
        return message.stream === undefined
          ? { kind: 'unrouted', message }
          : { kind: 'data', stream: message.stream, key: text, message };
      default: {
        const unreachable: never = message;
        throw new Error(`unhandled decoded message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  #onMessage(connection: string, message: DecodedStreamMessage): void {
    const handlers = this.#handlers;
    if (handlers === undefined) return;
    const latency = this.#deps.latency;
    switch (message.kind) {
      case 'market': {
        // Frames still in flight after unsubscribe() are not delivered.
        if (message.stream !== undefined && !this.#wanted.has(message.stream)) return;
        const event = message.event;
        latency?.recordWs(message.stream ?? event.kind, event.eventTime, event.receivedAt, this.#offset());
        handlers.onMarket(event);
        return;
      }
      case 'depthDiff': {
        const diff = message.diff;
        latency?.recordWs(message.stream ?? 'depth', diff.eventTime, this.#clock.now(), this.#offset());
        this.#books.get(diff.symbol)?.accept(diff);
        return;
      }
      case 'user': {
        const event = message.event;
        latency?.recordWs(USER_STREAM, event.eventTime, event.receivedAt, this.#offset());
        handlers.onUser(event);
        // Binance says nothing more on that key (§3.4): a new one, and a reconnect onto it.
        if (event.kind === 'listenKeyExpired') void this.#listenKeys?.renew('listenKeyExpired');
        return;
      }
      case 'ignored':
        this.#countUnparsed(connection, message.reason);
        return;
      case 'control':
        return; // replies are the connection's business
      default: {
        const unreachable: never = message;
        throw new Error(`unhandled decoded message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** Counted always; reported at most once per interval per connection, never fatal (issue 3 point 7). */
  #countUnparsed(connection: string, reason: string): void {
    this.#unparsedTotal += 1;
    const now = this.#clock.now();
    let counter = this.#unparsed.get(connection);
    if (counter === undefined) {
      counter = { count: 0, lastReportAt: Number.NEGATIVE_INFINITY };
      this.#unparsed.set(connection, counter);
    }
    counter.count += 1;
    if (now - counter.lastReportAt < this.#options.unparsedReportIntervalMs) return;
    const detail = `${counter.count} message(s) not understood since the last report; latest: ${reason}`;
    counter.count = 0;
    counter.lastReportAt = now;
    this.#emit({ kind: 'unparsedMessage', connection, at: now, detail });
  }

  // ── plumbing ─────────────────────────────────────────────────────────────────────────────────

  #offset(): number {
    return this.#deps.serverTimeOffsetMs?.() ?? 0;
  }

  #emit(event: StreamLifecycleEvent): void {
    this.#handlers?.onLifecycle(event);
  }

  #requireStarted(): void {
    if (this.#handlers === undefined) throw new ExchangeError('EXCHANGE_NETWORK', 'BinanceStreams.start() first');
    if (this.#stopped) throw new ExchangeError('EXCHANGE_NETWORK', 'BinanceStreams is stopped');
  }
}
