import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { Fixed } from '../../lib/fixed.ts';
import { createRandom } from '../../lib/random.ts';
import { SystemClock } from '../../lib/system-clock.ts';
import { TestClock } from '../../lib/test-clock.ts';
import type { AccountView, Exchange, OrderView, PositionView, TradeView, UserEvent } from '../exchange/exchange.ts';
import type { FaultGate, RestVerdict, StreamChannel } from '../faults/fault-gate.ts';
import { DEFAULT_INSTRUMENTS, type Instrument } from '../instruments.ts';
import type {
  AggTrade,
  BookLevel,
  BookSnapshot,
  BookTicker,
  Kline,
  MarketEvent,
  MarketFeed,
  MarkPriceState,
} from '../market/market-feed.ts';
import { ListenKeyRegistry } from './listen-key-registry.ts';
import { createStreamServer, DEFAULT_STREAM_OPTIONS, type StreamOptions, type StreamServer } from './stream-server.ts';

/**
 * Test support for the stream server: in-test fakes of the market, exchange and fault gate (their
 * real implementations are built elsewhere), a real http server on 127.0.0.1:0 and `ws` clients.
 * Simulated time is a TestClock; only the bounded waits for real socket I/O use wall time.
 */

const wallClock = new SystemClock();

export const BTCUSDT = instrumentOf('BTCUSDT');

export function instrumentOf(symbol: string): Instrument {
  const found = DEFAULT_INSTRUMENTS.find((instrument) => instrument.symbol === symbol);
  if (found === undefined) throw new Error(`no instrument ${symbol}`);
  return found;
}

function notUsed(name: string): never {
  throw new Error(`${name} is not used by the stream server`);
}

export class FakeMarket implements MarketFeed {
  readonly instruments = DEFAULT_INSTRUMENTS;
  readonly #listeners = new Set<(event: MarketEvent) => void>();
  bids: BookLevel[] = [];
  asks: BookLevel[] = [];
  bookCalls = 0;

  instrument(symbol: string): Instrument | undefined {
    return DEFAULT_INSTRUMENTS.find((instrument) => instrument.symbol === symbol);
  }
  book(symbol: string, limit: number): BookSnapshot {
    this.bookCalls += 1;
    return {
      symbol,
      lastUpdateId: 0,
      eventTime: 0,
      transactionTime: 0,
      bids: this.bids.slice(0, limit),
      asks: this.asks.slice(0, limit),
    };
  }
  subscribe(listener: (event: MarketEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  emit(event: MarketEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
  get listenerCount(): number {
    return this.#listeners.size;
  }
  bookTicker(): BookTicker {
    return notUsed('bookTicker');
  }
  lastPrice(): Fixed {
    return notUsed('lastPrice');
  }
  markPrice(): MarkPriceState {
    return notUsed('markPrice');
  }
  klines(): readonly Kline[] {
    return notUsed('klines');
  }
  aggTrades(): readonly AggTrade[] {
    return notUsed('aggTrades');
  }
  onTick(): () => void {
    return notUsed('onTick');
  }
  start(): void {
    notUsed('start');
  }
  stop(): void {
    notUsed('stop');
  }
  tick(): void {
    notUsed('tick');
  }
  applyShock(): () => void {
    return notUsed('applyShock');
  }
  setPrice(): void {
    notUsed('setPrice');
  }
}

export class FakeExchange implements Exchange {
  readonly #listeners = new Set<(event: UserEvent) => void>();

  subscribeUserEvents(listener: (event: UserEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  emit(event: UserEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
  placeOrder(): OrderView {
    return notUsed('placeOrder');
  }
  cancelOrder(): OrderView {
    return notUsed('cancelOrder');
  }
  cancelAllOpenOrders(): void {
    notUsed('cancelAllOpenOrders');
  }
  queryOrder(): OrderView {
    return notUsed('queryOrder');
  }
  queryOpenOrder(): OrderView {
    return notUsed('queryOpenOrder');
  }
  openOrders(): readonly OrderView[] {
    return notUsed('openOrders');
  }
  allOrders(): readonly OrderView[] {
    return notUsed('allOrders');
  }
  userTrades(): readonly TradeView[] {
    return notUsed('userTrades');
  }
  setLeverage(): { leverage: number; maxNotionalValue: Fixed; symbol: string } {
    return notUsed('setLeverage');
  }
  account(): AccountView {
    return notUsed('account');
  }
  positions(): readonly PositionView[] {
    return notUsed('positions');
  }
  setStuckOrders(): void {
    notUsed('setStuckOrders');
  }
  externalFill(): TradeView {
    return notUsed('externalFill');
  }
  reset(): void {
    notUsed('reset');
  }
}

export class FakeFaults implements FaultGate {
  refuseConnections = new Set<StreamChannel>();
  frozenStreams = new Set<string>();
  latencyMs = 0;
  /** depthUpdate diffs still to drop (depth-gap), and the symbols asked about. */
  depthDiffsToDrop = 0;
  readonly depthDropQuestions: string[] = [];

  restVerdict(): RestVerdict {
    return { kind: 'pass' };
  }
  restLatencyMs(): number {
    return 0;
  }
  acceptWsConnection(channel: StreamChannel): boolean {
    return !this.refuseConnections.has(channel);
  }
  wsLatencyMs(): number {
    return this.latencyMs;
  }
  isStreamFrozen(stream: string): boolean {
    return this.frozenStreams.has(stream);
  }
  clockSkewMs(): number {
    return 0;
  }
  dropDepthDiff(symbol: string): boolean {
    this.depthDropQuestions.push(symbol);
    if (this.depthDiffsToDrop <= 0) return false;
    this.depthDiffsToDrop -= 1;
    return true;
  }
}

/** A `ws` client that records what it receives, with bounded waits. */
export class TestClient {
  readonly socket: WebSocket;
  readonly received: unknown[] = [];
  #read = 0;
  #closeCode: number | undefined;
  #wake: (() => void) | undefined;

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      this.received.push(JSON.parse(String(data)));
      this.#wake?.();
    });
    socket.on('close', (code) => {
      this.#closeCode = code;
      this.#wake?.();
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next message not read yet; rejects after `timeoutMs` of wall time. */
  async next(timeoutMs = 2_000): Promise<Record<string, unknown>> {
    await this.#until(() => this.received.length > this.#read, timeoutMs, 'a message');
    const message = this.received[this.#read++];
    return message as Record<string, unknown>;
  }

  /** Waits `ms` of wall time and returns what arrived unread meanwhile (expected: nothing). */
  async unreadAfter(ms = 150): Promise<unknown[]> {
    await sleep(ms);
    const unread = this.received.slice(this.#read);
    this.#read = this.received.length;
    return unread;
  }

  /** Resolves with the close code once the socket is closed. */
  async closed(timeoutMs = 2_000): Promise<number> {
    await this.#until(() => this.#closeCode !== undefined, timeoutMs, 'the socket to close');
    return this.#closeCode ?? -1;
  }

  get isClosed(): boolean {
    return this.#closeCode !== undefined;
  }

  async #until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = wallClock.now() + timeoutMs;
    while (!condition()) {
      const remaining = deadline - wallClock.now();
      if (remaining <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = wallClock.setTimeout(resolve, remaining);
        this.#wake = () => {
          wallClock.clearTimer(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => wallClock.setTimeout(resolve, ms));
}

export interface StreamHarness {
  readonly clock: TestClock;
  readonly market: FakeMarket;
  readonly exchange: FakeExchange;
  readonly faults: FakeFaults;
  readonly listenKeys: ListenKeyRegistry;
  readonly server: StreamServer;
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string;
  connect(path: string, options?: WebSocket.ClientOptions): Promise<TestClient>;
  /** The HTTP status an upgrade on `path` is refused with (throws if it is accepted). */
  refusal(path: string): Promise<number>;
  close(): Promise<void>;
}

export async function startStreamHarness(options: Partial<StreamOptions> = {}): Promise<StreamHarness> {
  const clock = new TestClock();
  const market = new FakeMarket();
  const exchange = new FakeExchange();
  const faults = new FakeFaults();
  const listenKeys = new ListenKeyRegistry({ clock });
  const server = createStreamServer({
    clock,
    market,
    exchange,
    listenKeys,
    faults,
    options: { ...DEFAULT_STREAM_OPTIONS, ...options },
    random: createRandom(7),
  });
  const http: Server = createServer((_request, response) => response.writeHead(404).end());
  http.on('upgrade', (request, socket, head) => server.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const clients: TestClient[] = [];

  return {
    clock,
    market,
    exchange,
    faults,
    listenKeys,
    server,
    url: `ws://127.0.0.1:${port}`,
    async connect(path, clientOptions) {
      const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, clientOptions);
      const client = new TestClient(socket);
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
        socket.once('unexpected-response', (_request, response) =>
          reject(new Error(`upgrade refused with HTTP ${response.statusCode}`)),
        );
      });
      return client;
    },
    refusal(path) {
      const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
      return new Promise((resolve, reject) => {
        socket.once('open', () => {
          socket.terminate();
          reject(new Error(`upgrade on ${path} was accepted`));
        });
        socket.once('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
        socket.once('error', () => undefined);
      });
    },
    async close() {
      for (const client of clients) client.socket.terminate();
      await server.stop();
      listenKeys.dispose();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
