import { ExchangeError } from '../../../domain/exchange-error.ts';
import type { Clock, TimerHandle } from '../../../lib/clock.ts';

/** The listenKey calls of the REST client (USER_STREAM security, reference §3.4). */
export interface ListenKeyRest {
  createListenKey(): Promise<string>;
  /** Throws ExchangeError with `details.venueCode` -1125 when the key is gone. */
  keepAliveListenKey(): Promise<void>;
  closeListenKey(): Promise<void>;
}

export interface ListenKeyKeeperInit {
  readonly clock: Clock;
  readonly rest: ListenKeyRest;
  /** PUT cadence (issue 3: every 30 min; a key lives 60 min without one). */
  readonly keepAliveMs: number;
  /** First retry of a failed keepalive or creation, doubling up to `retryMaxMs`. */
  readonly retryMs: number;
  readonly retryMaxMs: number;
  /** A new key is in place; the user socket must move onto it. */
  readonly onRenewed: (key: string, reason: string) => void;
}

/** Binance: "This listenKey does not exist." */
export const LISTEN_KEY_GONE = -1125;

/**
 * The listenKey lifecycle (reference §3.4): create, keep alive on a timer, and renew when the key is
 * gone (-1125 on keepalive, `listenKeyExpired`, or a refused connect). Renewal is single-flight and
 * retried with backoff until it succeeds or the keeper stops: without a key there is no user data.
 */
export class ListenKeyKeeper {
  readonly #init: ListenKeyKeeperInit;
  #key: string | undefined;
  #keepAliveTimer: TimerHandle | undefined;
  #retryTimer: TimerHandle | undefined;
  #failures = 0;
  #renewing: Promise<void> | undefined;
  #stopped = false;

  constructor(init: ListenKeyKeeperInit) {
    this.#init = init;
  }

  get key(): string | undefined {
    return this.#key;
  }

  /** Creates the key (errors propagate to the caller) and starts the keepalive timer. */
  async start(): Promise<string> {
    const key = await this.#init.rest.createListenKey();
    this.#key = key;
    this.#keepAliveTimer = this.#init.clock.setInterval(() => this.#keepAlive(), this.#init.keepAliveMs);
    return key;
  }

  /** A new key (retried until it comes), then `onRenewed`. Concurrent calls share one renewal. */
  renew(reason: string): Promise<void> {
    this.#renewing ??= (async () => {
      try {
        const key = await this.#createUntilDone();
        if (key === undefined || this.#stopped) return;
        this.#key = key;
        this.#init.onRenewed(key, reason);
      } finally {
        this.#renewing = undefined;
      }
    })();
    return this.#renewing;
  }

  /** Stops the timers and closes the key (best effort: it expires within 60 min anyway). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#init.clock.clearTimer(this.#keepAliveTimer);
    this.#init.clock.clearTimer(this.#retryTimer);
    if (this.#key !== undefined) await this.#init.rest.closeListenKey().catch(() => undefined);
  }

  #keepAlive(): void {
    if (this.#stopped || this.#renewing !== undefined) return;
    this.#init.rest.keepAliveListenKey().then(
      () => {
        this.#failures = 0;
      },
      (error: unknown) => {
        if (this.#stopped) return;
        if (error instanceof ExchangeError && error.details.venueCode === LISTEN_KEY_GONE) {
          void this.renew('keepalive answered -1125');
          return;
        }
        // Network trouble or a rate limit: try again well before the key's 60 min run out.
        this.#retry(() => this.#keepAlive());
      },
    );
  }

  async #createUntilDone(): Promise<string | undefined> {
    while (!this.#stopped) {
      try {
        const key = await this.#init.rest.createListenKey();
        this.#failures = 0;
        return key;
      } catch {
        await new Promise<void>((resolve) => this.#retry(resolve));
      }
    }
    return undefined;
  }

  #retry(then: () => void): void {
    const { retryMs, retryMaxMs, clock } = this.#init;
    const delay = Math.min(retryMaxMs, retryMs * 2 ** Math.min(this.#failures, 20));
    this.#failures += 1;
    clock.clearTimer(this.#retryTimer);
    this.#retryTimer = clock.setTimeout(() => {
      this.#retryTimer = undefined;
      then();
    }, delay);
  }
}
