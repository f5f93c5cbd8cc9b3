import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import type { ListenKeys } from './listen-keys.ts';

export const DEFAULT_LISTEN_KEY_VALIDITY_MS = 60 * 60_000;

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_LENGTH = 64;

type ExpiryListener = (key: string, reason: 'expired' | 'closed') => void;

/**
 * The simulator's listenKeys (reference §3.4). The simulator has one account, so at most one key is
 * active at a time: POST while a key is active returns that key and extends it, as Binance does.
 * Expiry runs on the injected Clock, so a test reaches the 60-minute mark with `advance`.
 */
export class ListenKeyRegistry implements ListenKeys {
  readonly #clock: Clock;
  readonly #validityMs: number;
  readonly #expiryTimers = new Map<string, TimerHandle>();
  readonly #listeners = new Set<ExpiryListener>();

  constructor(options: { clock: Clock; validityMs?: number }) {
    this.#clock = options.clock;
    this.#validityMs = options.validityMs ?? DEFAULT_LISTEN_KEY_VALIDITY_MS;
  }

  create(): string {
    for (const key of this.#expiryTimers.keys()) {
      this.#scheduleExpiry(key);
      return key;
    }
    const key = generateListenKey();
    this.#scheduleExpiry(key);
    return key;
  }

  keepAlive(key: string): boolean {
    if (!this.#expiryTimers.has(key)) return false;
    this.#scheduleExpiry(key);
    return true;
  }

  close(key: string): void {
    this.#end(key, 'closed');
  }

  isActive(key: string): boolean {
    return this.#expiryTimers.has(key);
  }

  onExpired(listener: ExpiryListener): () => void {
    // Wrapped so that the same function registered twice is two subscriptions.
    const entry: ExpiryListener = (key, reason) => listener(key, reason);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Clears every expiry timer without notifying anyone (simulator shutdown). */
  dispose(): void {
    for (const timer of this.#expiryTimers.values()) this.#clock.clearTimer(timer);
    this.#expiryTimers.clear();
  }

  #scheduleExpiry(key: string): void {
    this.#clock.clearTimer(this.#expiryTimers.get(key));
    this.#expiryTimers.set(
      key,
      this.#clock.setTimeout(() => this.#end(key, 'expired'), this.#validityMs),
    );
  }

  #end(key: string, reason: 'expired' | 'closed'): void {
    const timer = this.#expiryTimers.get(key);
    if (timer === undefined) return; // already gone: listeners fire once per key
    this.#clock.clearTimer(timer);
    this.#expiryTimers.delete(key);
    for (const listener of [...this.#listeners]) listener(key, reason);
  }
}

function generateListenKey(): string {
  const bytes = randomBytes(KEY_LENGTH);
  let key = '';
  for (const byte of bytes) key += KEY_ALPHABET[byte % KEY_ALPHABET.length];
  return key;
}
