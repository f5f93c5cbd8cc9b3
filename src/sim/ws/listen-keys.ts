/**
 * The listenKey lifecycle (reference §3.4): POST returns the account's active key (extended) or a new
 * one; PUT extends or fails with -1125 once the key is gone; DELETE closes; a key expires 60 min after
 * its last keepalive, and every user-stream connection on it is then sent `listenKeyExpired`.
 */
export interface ListenKeys {
  create(): string;
  /** false when the key does not exist (any more): the REST layer answers -1125. */
  keepAlive(key: string): boolean;
  close(key: string): void;
  isActive(key: string): boolean;
  /** Fires once per key when it expires or is closed; returns an unsubscribe function. */
  onExpired(listener: (key: string, reason: 'expired' | 'closed') => void): () => void;
}
