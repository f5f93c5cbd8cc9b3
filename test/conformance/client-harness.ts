import type { EventEmitter } from 'node:events';
import { type DefaultLogger, USDMClient, WebsocketClient, type WSClientConfigurableOptions } from 'binance';
import { type Fixed, formatFixed, mulFixed, parseFixed, roundToStep } from '../../src/lib/fixed.ts';
import { DEFAULT_INSTRUMENTS, type Instrument } from '../../src/sim/instruments.ts';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/sim/simulator.ts';

/**
 * Test plumbing for driving the simulator through the third-party `binance` client only (README.md
 * beside this file). The one hand-written HTTP call is the `/_sim` control API for faults.
 */

export type Wire = Record<string, unknown>;

/** Narrows a decoded JSON value to an object; anything else is a conformance failure. */
export function asWire(value: unknown, what = 'value'): Wire {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected ${what} to be a JSON object, got ${JSON.stringify(value)}`);
  }
  return value as Wire;
}

export function asWireArray(value: unknown, what = 'value'): Wire[] {
  if (!Array.isArray(value)) throw new Error(`expected ${what} to be a JSON array, got ${JSON.stringify(value)}`);
  return value.map((item, index) => asWire(item, `${what}[${index}]`));
}

/** A wire decimal (Binance sends strings) as an exact Fixed. */
export function decimalOf(value: unknown, what = 'decimal'): Fixed {
  if (typeof value !== 'string')
    throw new Error(`expected ${what} to be a decimal string, got ${JSON.stringify(value)}`);
  return parseFixed(value);
}

/**
 * The client types prices and quantities as `number` but only ever writes `${value}` into the query
 * string; handing it the decimal text keeps the request exact (no float formatting such as 1e-7).
 */
export function wireDecimal(text: string): number {
  return text as unknown as number;
}

export function instrumentOf(symbol: string): Instrument {
  const found = DEFAULT_INSTRUMENTS.find((candidate) => candidate.symbol === symbol);
  if (found === undefined) throw new Error(`no default instrument ${symbol}`);
  return found;
}

/** A BUY limit price `fraction` of the reference price, on the tick, as the symbol's wire text. */
export function priceAt(instrument: Instrument, reference: Fixed, fraction: string): string {
  const price = roundToStep(mulFixed(reference, parseFixed(fraction)), instrument.tickSize, 'down');
  return formatFixed(price, instrument.pricePrecision);
}

/** Rejection value of a client call (the client throws plain `{code, message, body, headers}` objects). */
export async function rejectionOf(call: Promise<unknown>): Promise<Wire> {
  try {
    await call;
  } catch (error) {
    return asWire(error, 'client rejection');
  }
  throw new Error('expected the client call to be rejected, it resolved');
}

export interface LoggedEvent {
  readonly name: string;
  readonly payload: unknown;
}

const CLIENT_EVENTS = [
  'open',
  'reconnecting',
  'reconnected',
  'close',
  'response',
  'message',
  'formattedMessage',
  'formattedUserDataMessage',
  'exception',
] as const;

/** Everything a WebsocketClient emits, in order, with bounded waits on it. */
export class EventLog {
  readonly events: LoggedEvent[] = [];
  readonly clientErrors: unknown[][] = [];
  readonly #waiters = new Set<() => void>();

  attach(client: WebsocketClient): void {
    // WebsocketClient is an EventEmitter; its typed `on` overloads are per event name.
    const emitter = client as unknown as EventEmitter;
    for (const name of CLIENT_EVENTS) {
      emitter.on(name, (payload: unknown) => {
        this.events.push({ name, payload });
        for (const wake of this.#waiters) wake();
      });
    }
  }

  /** Position to pass as `after` so that only later events count. */
  get mark(): number {
    return this.events.length;
  }

  /** The position just after a payload `waitFor` returned. */
  indexAfter(payload: unknown): number {
    const index = this.events.findIndex((event) => event.payload === payload);
    if (index < 0) throw new Error('payload is not in the event log');
    return index + 1;
  }

  /** Resolves with the first event named `name` at index ≥ `after` whose payload matches. */
  waitFor(
    name: (typeof CLIENT_EVENTS)[number],
    match: (payload: Wire) => boolean = () => true,
    options: { readonly after?: number; readonly timeoutMs?: number } = {},
  ): Promise<Wire> {
    const after = options.after ?? 0;
    const timeoutMs = options.timeoutMs ?? 10_000;
    let scanned = after;
    return new Promise<Wire>((resolve, reject) => {
      const check = (): boolean => {
        for (; scanned < this.events.length; scanned += 1) {
          const event = this.events[scanned];
          if (event === undefined || event.name !== name) continue;
          if (typeof event.payload !== 'object' || event.payload === null || Array.isArray(event.payload)) continue;
          const payload = event.payload as Wire;
          if (match(payload)) {
            resolve(payload);
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const wake = (): void => {
        if (check()) finish();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no matching '${name}' event within ${timeoutMs} ms; ${this.describe()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
      };
      this.#waiters.add(wake);
    });
  }

  /** What was seen, for failure messages. */
  describe(): string {
    const counts = new Map<string, number>();
    for (const event of this.events) counts.set(event.name, (counts.get(event.name) ?? 0) + 1);
    const errors = this.clientErrors.slice(-3).map((params) => JSON.stringify(params).slice(0, 300));
    return `events seen ${JSON.stringify(Object.fromEntries(counts))}; last client errors ${JSON.stringify(errors)}`;
  }
}

export interface Harness {
  readonly sim: RunningSimulator;
  readonly rest: USDMClient;
  /** A WebsocketClient aimed at the simulator, recorded in `log`, closed by `stop()`. */
  newWsClient(options?: WSClientConfigurableOptions): { readonly client: WebsocketClient; readonly log: EventLog };
  /** What the WS clients logged as errors (unparseable frames, unhandled events, socket errors). */
  wsClientErrors(): unknown[][];
  stop(): Promise<void>;
}

/** Starts a simulator on 127.0.0.1:0 and aims the client at it (README "Pointing the client"). */
export async function startHarness(options: SimulatorOptions = {}): Promise<Harness> {
  const sim = await startSimulator({ port: 0, seed: 7, market: { historyMinutes: 10 }, ...options });
  const rest = new USDMClient({ api_key: sim.apiKey, api_secret: sim.apiSecret, baseUrl: sim.urls.rest });
  const wsClients: WebsocketClient[] = [];
  const logs: EventLog[] = [];
  return {
    sim,
    rest,
    newWsClient(clientOptions = {}) {
      const log = new EventLog();
      const logger: DefaultLogger = {
        trace: () => {},
        info: () => {},
        error: (...params: unknown[]) => {
          log.clientErrors.push(params);
        },
      };
      const client = new WebsocketClient(
        {
          api_key: sim.apiKey,
          api_secret: sim.apiSecret,
          wsUrl: sim.urls.ws,
          // The WS client builds its own USDMClient for the listenKey from these options.
          restOptions: { baseUrl: sim.urls.rest },
          ...clientOptions,
        },
        logger,
      );
      log.attach(client);
      wsClients.push(client);
      logs.push(log);
      return { client, log };
    },
    wsClientErrors() {
      return logs.flatMap((log) => log.clientErrors);
    },
    async stop() {
      for (const client of wsClients) {
        // closeAll() leaves the 50-minute listenKey keepalive interval running; tear it down first.
        const manager = (
          client as unknown as {
            getUserDataStreamManager(): { teardownUserDataListenKey(listenKey: string, ws: undefined): void };
          }
        ).getUserDataStreamManager();
        for (const key of client.getWsStore().getKeys()) {
          const listenKey = String(key).split('_')[3];
          if (listenKey !== undefined && listenKey !== '' && listenKey !== 'undefined') {
            manager.teardownUserDataListenKey(listenKey, undefined);
          }
        }
        client.closeAll(true);
        client.removeAllListeners();
      }
      await sim.stop();
    },
  };
}

/** POST `/_sim/faults` (the brief's control API). */
export async function injectFault(sim: RunningSimulator, spec: Wire): Promise<Wire> {
  const response = await fetch(`${sim.urls.control}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`control API answered ${response.status}: ${text}`);
  return text === '' ? {} : asWire(JSON.parse(text), 'control API reply');
}
