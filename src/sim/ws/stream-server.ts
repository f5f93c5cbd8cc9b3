import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Clock } from '../../lib/clock.ts';
import type { Random } from '../../lib/random.ts';
import type { Exchange, UserEvent } from '../exchange/exchange.ts';
import type { FaultGate, StreamChannel } from '../faults/fault-gate.ts';
import type { MarketEvent, MarketFeed } from '../market/market-feed.ts';
import { type ControlCommand, parseControlFrame, renderControlError, renderControlResult } from './control-frames.ts';
import type { ListenKeys } from './listen-keys.ts';
import { MarketPayloads } from './market-payloads.ts';
import { type ConnectionRules, StreamConnection } from './stream-connection.ts';
import { type SymbolStreamNames, symbolStreamNames } from './stream-names.ts';
import { parseStreamRoute, type StreamRoute } from './stream-route.ts';
import { StreamSubscriptions } from './stream-subscriptions.ts';
import { renderListenKeyExpired, renderUserEvent } from './user-payloads.ts';

export interface StreamOptions extends ConnectionRules {
  /** Streams (and listenKeys) one connection may hold (Binance USD-M: 1024). */
  readonly maxStreamsPerConnection: number;
}

/** Binance's own numbers (reference §3.2); tests compress them. */
export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  pingIntervalMs: 180_000,
  pongTimeoutMs: 600_000,
  maxConnectionMs: 86_400_000,
  maxIncomingPerSecond: 10,
  maxStreamsPerConnection: 1024,
};

export interface StreamServerDeps {
  readonly clock: Clock;
  readonly market: MarketFeed;
  readonly exchange: Exchange;
  readonly listenKeys: ListenKeys;
  readonly faults: FaultGate;
  readonly options: StreamOptions;
  /** Seeds the user-stream delivery jitter. */
  readonly random: Random;
}

export interface StreamServer {
  /** Route the http server's 'upgrade' events here. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Cuts matching connections abruptly (fault injection); returns how many. */
  closeConnections(filter: { channel?: StreamChannel; count?: number }): number;
  connectionCount(): number;
  stop(): Promise<void>;
}

/**
 * User events reach the socket 0–3 ms late, so ORDER_TRADE_UPDATE may land before or after the REST
 * reply of the same order, as on Binance (reference §6 item 4).
 */
const USER_EVENT_JITTER_MS = 3;
const USER_DATA_STREAM = 'userData';

/**
 * The WebSocket side of the simulator (reference §3): `/public`, `/market` and `/private` in ws and
 * stream modes, JSON control frames, the user data stream on listenKeys, and the connection rules.
 * Each market or user event is rendered once and the same text is written to every subscriber.
 */
export function createStreamServer(deps: StreamServerDeps): StreamServer {
  const { clock, faults, listenKeys, options } = deps;
  const webSockets = new WebSocketServer({ noServer: true });
  const payloads = new MarketPayloads(deps.market);
  const connections = new Set<StreamConnection>();
  const subscriptions = new StreamSubscriptions();
  const namesBySymbol = new Map<string, SymbolStreamNames>();
  let nextConnectionId = 1;
  let stopped = false;

  const handlers = {
    onText: (connection: StreamConnection, text: string) => handleControl(connection, parseControlFrame(text)),
    onClosed: (connection: StreamConnection) => {
      connections.delete(connection);
      subscriptions.removeConnection(connection);
    },
  };

  const unsubscribers = [
    deps.market.subscribe(onMarketEvent),
    deps.exchange.subscribeUserEvents(onUserEvent),
    listenKeys.onExpired(onListenKeyEnded),
  ];

  function namesOf(symbol: string): SymbolStreamNames {
    let names = namesBySymbol.get(symbol);
    if (names === undefined) {
      names = symbolStreamNames(symbol);
      namesBySymbol.set(symbol, names);
    }
    return names;
  }

  /** Renders (lazily, once) and sends one stream's payload to its subscribers. */
  function deliver(stream: string, render: () => string): void {
    const subscribers = subscriptions.byStream.get(stream);
    if (subscribers === undefined) return;
    // A frozen stream: the socket stays up and answers pings, but this stream's data stops (§6).
    if (faults.isStreamFrozen(stream)) return;
    const raw = render();
    const delayMs = faults.wsLatencyMs();
    let wrapped: string | undefined;
    for (const connection of subscribers) {
      if (connection.combined) {
        wrapped ??= `{"stream":${JSON.stringify(stream)},"data":${raw}}`;
        connection.send(wrapped, delayMs);
      } else {
        connection.send(raw, delayMs);
      }
    }
  }

  function onMarketEvent(event: MarketEvent): void {
    if (subscriptions.byStream.size === 0) return;
    switch (event.kind) {
      case 'aggTrade':
        deliver(namesOf(event.trade.symbol).aggTrade, () => payloads.aggTrade(event.eventTime, event.trade));
        return;
      case 'bookTicker': {
        const render = once(() => payloads.bookTicker(event.ticker));
        deliver(namesOf(event.ticker.symbol).bookTicker, render);
        deliver('!bookTicker', render);
        return;
      }
      case 'depthUpdate': {
        // Every diff goes to @depth, @depth@100ms and @depth@500ms alike: the U/u/pu chain stays
        // intact, only the cadence of the slower variants is not reproduced.
        const names = namesOf(event.symbol);
        const diff = once(() => payloads.depthDiff(event));
        // depth-gap fault: this diff is lost for everyone, so the next one's pu ≠ the last u seen.
        const dropped =
          faults.dropDepthDiff !== undefined &&
          names.depthDiff.some((name) => subscriptions.byStream.has(name)) &&
          faults.dropDepthDiff(event.symbol);
        if (!dropped) for (const name of names.depthDiff) deliver(name, diff);
        const snapshots = new Map<number, string>();
        for (const [levels, name] of names.partialDepth) {
          deliver(name, () => {
            let snapshot = snapshots.get(levels);
            if (snapshot === undefined) {
              snapshot = payloads.partialDepth(event, levels);
              snapshots.set(levels, snapshot);
            }
            return snapshot;
          });
        }
        return;
      }
      case 'markPrice': {
        const names = namesOf(event.state.symbol);
        deliver(event.cadence === '1s' ? names.markPrice1s : names.markPrice3s, () => payloads.markPrice(event.state));
        return;
      }
      case 'kline':
        deliver(namesOf(event.kline.symbol).kline(event.kline.interval), () =>
          payloads.kline(event.eventTime, event.kline),
        );
        return;
      default: {
        const unreachable: never = event;
        throw new Error(`unhandled market event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  function onUserEvent(event: UserEvent): void {
    if (subscriptions.byListenKey.size === 0 || faults.isStreamFrozen(USER_DATA_STREAM)) return;
    const payload = renderUserEvent(event);
    const delayMs = faults.wsLatencyMs() + deps.random.integer(0, USER_EVENT_JITTER_MS);
    for (const [listenKey, subscribers] of subscriptions.byListenKey) {
      sendUserPayload(listenKey, subscribers, payload, delayMs);
    }
  }

  /** Binance sends `listenKeyExpired` to the key's connections, then nothing more for that key (§3.4). */
  function onListenKeyEnded(listenKey: string): void {
    const subscribers = subscriptions.byListenKey.get(listenKey);
    if (subscribers === undefined) return;
    // Sent before the key is dropped: each connection's `events` allow-list still applies.
    if (!faults.isStreamFrozen(USER_DATA_STREAM)) {
      sendUserPayload(listenKey, subscribers, renderListenKeyExpired(listenKey, clock.now()), faults.wsLatencyMs());
    }
    subscriptions.endListenKey(listenKey);
  }

  function sendUserPayload(
    listenKey: string,
    subscribers: ReadonlySet<StreamConnection>,
    payload: { eventType: string; json: string },
    delayMs: number,
  ): void {
    let wrapped: string | undefined;
    for (const connection of subscribers) {
      const allowed = connection.userKeys.get(listenKey);
      if (allowed !== undefined && !allowed.has(payload.eventType)) continue;
      if (connection.combined) {
        wrapped ??= `{"stream":${JSON.stringify(listenKey)},"data":${payload.json}}`;
        connection.send(wrapped, delayMs);
      } else {
        connection.send(payload.json, delayMs);
      }
    }
  }

  function handleControl(connection: StreamConnection, command: ReturnType<typeof parseControlFrame>): void {
    const reply = (text: string) => connection.send(text, faults.wsLatencyMs());
    switch (command.method) {
      case 'ERROR':
        reply(renderControlError(command));
        return;
      case 'SUBSCRIBE': {
        const { streams, keys } = splitParams(connection, command);
        const fresh = new Set([...streams.filter((s) => !connection.streams.has(s)), ...keys]);
        if (subscriptions.count(connection) + fresh.size > options.maxStreamsPerConnection) {
          reply(invalidRequest(command, `too many streams (at most ${options.maxStreamsPerConnection})`));
          return;
        }
        const inactive = keys.find((key) => !listenKeys.isActive(key));
        if (inactive !== undefined) {
          reply(invalidRequest(command, `listenKey does not exist: ${inactive}`));
          return;
        }
        for (const stream of streams) subscriptions.addStream(connection, stream);
        for (const key of keys)
          if (!connection.userKeys.has(key)) subscriptions.addListenKey(connection, key, undefined);
        reply(renderControlResult(null, command.id));
        return;
      }
      case 'UNSUBSCRIBE': {
        const { streams, keys } = splitParams(connection, command);
        for (const stream of streams) subscriptions.removeStream(connection, stream);
        for (const key of keys) subscriptions.removeListenKey(connection, key);
        reply(renderControlResult(null, command.id));
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        reply(renderControlResult([...connection.streams.keys(), ...connection.userKeys.keys()], command.id));
        return;
      case 'SET_PROPERTY':
        connection.combined = command.combined;
        reply(renderControlResult(null, command.id));
        return;
      case 'GET_PROPERTY':
        reply(renderControlResult(connection.combined, command.id));
        return;
      default: {
        const unreachable: never = command;
        throw new Error(`unhandled control command ${JSON.stringify(unreachable)}`);
      }
    }
  }

  function accept(socket: WebSocket, route: StreamRoute): void {
    const connection = new StreamConnection({
      id: nextConnectionId++,
      socket,
      channel: route.channel,
      combined: route.combined,
      clock,
      rules: options,
      handlers,
    });
    connections.add(connection);
    for (const stream of route.streams) subscriptions.addStream(connection, stream);
    for (const request of route.userKeys) subscriptions.addListenKey(connection, request.listenKey, request.events);
  }

  return {
    handleUpgrade(request, socket, head) {
      if (stopped) return refuseUpgrade(socket, 503, 'Service Unavailable');
      const route = parseStreamRoute(request.url ?? '');
      if (route === undefined) return refuseUpgrade(socket, 404, 'Not Found');
      if (!faults.acceptWsConnection(route.channel)) return refuseUpgrade(socket, 503, 'Service Unavailable');
      if (route.streams.length + route.userKeys.length > options.maxStreamsPerConnection) {
        return refuseUpgrade(socket, 400, `Too many streams (at most ${options.maxStreamsPerConnection})`);
      }
      // An unknown or expired listenKey at connect is refused with 400 and Binance's -1125 body.
      if (route.userKeys.some((request) => !listenKeys.isActive(request.listenKey))) {
        return refuseUpgrade(socket, 400, JSON.stringify({ code: -1125, msg: 'This listenKey does not exist.' }));
      }
      webSockets.handleUpgrade(request, socket, head, (webSocket) => {
        if (stopped) webSocket.terminate();
        else accept(webSocket, route);
      });
    },

    closeConnections(filter) {
      const limit = filter.count ?? Number.POSITIVE_INFINITY;
      let closed = 0;
      for (const connection of [...connections]) {
        if (closed >= limit) break;
        if (filter.channel !== undefined && connection.channel !== filter.channel) continue;
        connection.terminate();
        closed += 1;
      }
      return closed;
    },

    connectionCount() {
      return connections.size;
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      for (const unsubscribe of unsubscribers) unsubscribe();
      for (const connection of [...connections]) connection.terminate();
      await new Promise<void>((resolve) => webSockets.close(() => resolve()));
    },
  };
}

/** On `/private`, a parameter without '@' is a listenKey; everything else is a market stream name. */
function splitParams(
  connection: StreamConnection,
  command: Extract<ControlCommand, { params: readonly string[] }>,
): { streams: string[]; keys: string[] } {
  const streams: string[] = [];
  const keys: string[] = [];
  for (const param of command.params) {
    if (connection.channel === 'private' && !param.includes('@') && !param.startsWith('!')) keys.push(param);
    else streams.push(param);
  }
  return { streams, keys };
}

function invalidRequest(command: { id: ControlCommand['id'] }, detail: string): string {
  return renderControlError({ method: 'ERROR', id: command.id, code: 2, msg: `Invalid request: ${detail}` });
}

function once(render: () => string): () => string {
  let text: string | undefined;
  return () => {
    text ??= render();
    return text;
  };
}

function refuseUpgrade(socket: Duplex, status: number, body: string): void {
  socket.on('error', () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      `Content-Type: ${body.startsWith('{') ? 'application/json' : 'text/plain'}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
