import type { StreamConnection } from './stream-connection.ts';
import { classifyStream } from './stream-names.ts';

/**
 * Who listens to what: the delivery indexes the server walks for each event. A connection keeps
 * its own lists (for LIST_SUBSCRIPTIONS); only deliverable subscriptions enter the indexes, so a
 * stream asked for on the wrong path is listed yet never sent, which is Binance's silence (§3.1).
 */
export class StreamSubscriptions {
  /** Canonical stream name → connections on the right path that subscribed to it. */
  readonly byStream = new Map<string, Set<StreamConnection>>();
  /** Active listenKey → connections listening on it. */
  readonly byListenKey = new Map<string, Set<StreamConnection>>();

  count(connection: StreamConnection): number {
    return connection.streams.size + connection.userKeys.size;
  }

  addStream(connection: StreamConnection, given: string): void {
    if (connection.streams.has(given)) return;
    const stream = classifyStream(given);
    connection.streams.set(given, stream);
    if (stream === undefined || stream.channel !== connection.channel) return;
    index(this.byStream, stream.name, connection);
  }

  removeStream(connection: StreamConnection, given: string): void {
    const stream = connection.streams.get(given);
    if (!connection.streams.delete(given) || stream === undefined) return;
    // Two spellings ("BTCUSDT@aggTrade", "btcusdt@aggTrade") share one delivery.
    for (const other of connection.streams.values()) if (other?.name === stream.name) return;
    unindex(this.byStream, stream.name, connection);
  }

  addListenKey(connection: StreamConnection, listenKey: string, events: ReadonlySet<string> | undefined): void {
    connection.userKeys.set(listenKey, events);
    index(this.byListenKey, listenKey, connection);
  }

  removeListenKey(connection: StreamConnection, listenKey: string): void {
    if (!connection.userKeys.delete(listenKey)) return;
    unindex(this.byListenKey, listenKey, connection);
  }

  /** The key ended: drops it from every connection and returns who was listening. */
  endListenKey(listenKey: string): ReadonlySet<StreamConnection> {
    const subscribers = this.byListenKey.get(listenKey) ?? new Set<StreamConnection>();
    this.byListenKey.delete(listenKey);
    for (const connection of subscribers) connection.userKeys.delete(listenKey);
    return subscribers;
  }

  removeConnection(connection: StreamConnection): void {
    for (const given of [...connection.streams.keys()]) this.removeStream(connection, given);
    for (const listenKey of [...connection.userKeys.keys()]) this.removeListenKey(connection, listenKey);
  }
}

function index<K>(map: Map<K, Set<StreamConnection>>, key: K, connection: StreamConnection): void {
  let subscribers = map.get(key);
  if (subscribers === undefined) {
    subscribers = new Set();
    map.set(key, subscribers);
  }
  subscribers.add(connection);
}

function unindex<K>(map: Map<K, Set<StreamConnection>>, key: K, connection: StreamConnection): void {
  const subscribers = map.get(key);
  if (subscribers === undefined) return;
  subscribers.delete(connection);
  if (subscribers.size === 0) map.delete(key);
}
