import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../adapters/logging/memory-logger.ts';
import { SqliteStore } from '../../adapters/sqlite-store/sqlite-store.ts';
import type { PositionReport } from '../../domain/account.ts';
import { ExchangeError } from '../../domain/exchange-error.ts';
import type { OrderRef, OrderReport, OrderRequest } from '../../domain/order.ts';
import { type Fixed, parseFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { IncidentManager } from '../incident-manager.ts';
import type { FlattenExchange } from './exchange-flattener.ts';
import { KillSwitch, type KillSwitchDeps } from './kill-switch.ts';
import { killSwitchCommands } from './kill-switch-commands.ts';

type Method = keyof FlattenExchange;

/**
 * A small in-test exchange: open orders and positions in memory. Each call is recorded; `refuse`
 * makes a method fail with 503 Service Unavailable; `ignore` makes it answer "ok" without effect (a
 * venue that acknowledges and does nothing). With `manual`, every call waits until `wave()`
 * answers all pending calls at once, which counts round trips exactly.
 */
class FakeExchange implements FlattenExchange {
  readonly calls: { method: Method; at: number; args: unknown[] }[] = [];
  readonly orders: OrderReport[] = [];
  readonly positions = new Map<string, Fixed>();
  readonly refuse = new Set<Method>();
  readonly ignore = new Set<Method>();
  manual = false;
  onCall: (method: Method) => void = () => undefined;
  #pending: (() => void)[] = [];
  #nextOrderId = 1000;
  readonly #clock: TestClock;

  constructor(clock: TestClock) {
    this.#clock = clock;
  }

  restingOrder(symbol: string): void {
    this.orders.push(report({ symbol, orderId: this.#nextOrderId++, clientOrderId: `rest-${symbol}`, status: 'NEW' }));
  }

  /** Answers every pending call (one round trip); returns how many there were. */
  async wave(): Promise<number> {
    await settle();
    const pending = this.#pending;
    this.#pending = [];
    for (const answer of pending) answer();
    await settle();
    return pending.length;
  }

  async #call<T>(method: Method, args: unknown[], work: () => T): Promise<T> {
    this.calls.push({ method, at: this.#clock.now(), args });
    this.onCall(method);
    if (this.manual) await new Promise<void>((resolve) => this.#pending.push(resolve));
    else await Promise.resolve();
    if (this.refuse.has(method)) {
      throw new ExchangeError('EXCHANGE_UNAVAILABLE', `${method}: service unavailable (HTTP 503)`, {
        httpStatus: 503,
      });
    }
    return work();
  }

  getOpenOrders(symbol?: string): Promise<readonly OrderReport[]> {
    return this.#call('getOpenOrders', [symbol], () =>
      this.orders.filter((order) => symbol === undefined || order.symbol === symbol),
    );
  }

  getPositions(): Promise<readonly PositionReport[]> {
    return this.#call('getPositions', [], () =>
      [...this.positions].filter(([, amount]) => amount !== 0n).map(([symbol, amount]) => position(symbol, amount)),
    );
  }

  cancelAllOpenOrders(symbol: string): Promise<void> {
    return this.#call('cancelAllOpenOrders', [symbol], () => {
      if (this.ignore.has('cancelAllOpenOrders')) return;
      this.#remove((order) => order.symbol === symbol);
    });
  }

  cancelOrder(symbol: string, ref: OrderRef): Promise<OrderReport | undefined> {
    return this.#call('cancelOrder', [symbol, ref], () => {
      const order = this.orders.find((o) => o.symbol === symbol && o.orderId === ref.orderId);
      if (order === undefined || this.ignore.has('cancelOrder')) return undefined;
      this.#remove((o) => o === order);
      return { ...order, status: 'CANCELED' as const, rawStatus: 'CANCELED' };
    });
  }

  placeOrder(request: OrderRequest): Promise<OrderReport> {
    return this.#call('placeOrder', [request], () => this.#fill(request, 'placeOrder'));
  }

  placeOrders(requests: readonly OrderRequest[]): Promise<readonly (OrderReport | Error)[]> {
    return this.#call('placeOrders', [requests], () => {
      if (requests.length > 5) throw new Error('batchOrders takes at most 5 orders');
      return requests.map((request) => this.#fill(request, 'placeOrders'));
    });
  }

  #fill(request: OrderRequest, method: Method): OrderReport {
    const amount = this.positions.get(request.symbol) ?? 0n;
    const signed = request.side === 'BUY' ? request.quantity : -request.quantity;
    const closes = request.reduceOnly && amount !== 0n && amount > 0n !== signed > 0n;
    if (closes && !this.ignore.has(method)) {
      const next = amount + signed;
      // Reduce-only never flips the position.
      this.positions.set(request.symbol, amount > 0n ? (next < 0n ? 0n : next) : next > 0n ? 0n : next);
    }
    return report({
      symbol: request.symbol,
      orderId: this.#nextOrderId++,
      clientOrderId: request.clientOrderId,
      status: 'FILLED',
    });
  }

  #remove(match: (order: OrderReport) => boolean): void {
    for (let index = this.orders.length - 1; index >= 0; index -= 1) {
      const order = this.orders[index];
      if (order !== undefined && match(order)) this.orders.splice(index, 1);
    }
  }

  count(method: Method): number {
    return this.calls.filter((call) => call.method === method).length;
  }

  get flat(): boolean {
    return this.orders.length === 0 && [...this.positions.values()].every((amount) => amount === 0n);
  }
}

function report(fields: Pick<OrderReport, 'symbol' | 'orderId' | 'clientOrderId' | 'status'>): OrderReport {
  return {
    ...fields,
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    rawStatus: fields.status,
    price: parseFixed('100'),
    origQty: parseFixed('1'),
    executedQty: 0n,
    reduceOnly: false,
    updateTime: 0,
  };
}

function position(symbol: string, amount: Fixed): PositionReport {
  return { symbol, amount, entryPrice: 0n, markPrice: 0n, unrealizedPnl: 0n, notional: 0n, updateTime: 0 };
}

/** Lets pending promise chains run (no time passes: the test clock only moves by hand). */
async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Moves the test clock in steps, letting each attempt the timers start run to its next timer. */
async function advance(clock: TestClock, ms: number, stepMs = 50): Promise<void> {
  for (let passed = 0; passed < ms; passed += stepMs) {
    clock.advance(Math.min(stepMs, ms - passed));
    await settle();
  }
}

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setup(overrides: Partial<KillSwitchDeps> = {}) {
  const clock = new TestClock();
  const store = SqliteStore.open({ path: ':memory:', clock });
  stores.push(store);
  const logger = new MemoryLogger(clock);
  const incidents = new IncidentManager({ clock, store, logger });
  const exchange = new FakeExchange(clock);
  const tripped: string[] = [];
  let sequence = 0;
  const killSwitch = new KillSwitch({
    clock,
    store,
    incidents,
    logger,
    exchange,
    ids: { newClientOrderId: () => `ks-${++sequence}` },
    onTripped: (reason) => tripped.push(reason),
    verifyS: 30,
    symbols: () => ['BTCUSDT', 'ETHUSDT'],
    ...overrides,
  });
  return { clock, store, logger, incidents, exchange, tripped, killSwitch };
}

function fiveSymbolBook(exchange: FakeExchange): void {
  const symbols = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'];
  symbols.forEach((symbol, index) => {
    exchange.positions.set(symbol, index % 2 === 0 ? parseFixed('0.5') : parseFixed('-2'));
    exchange.restingOrder(symbol);
  });
  exchange.positions.set('DOGEUSDT', parseFixed('100')); // a sixth position: a second batch
}

describe('KillSwitch.trip', () => {
  it('trip → TRIPPED persisted and the engine halted before the first exchange call; exchange flat; incident contained', async () => {
    const { exchange, store, tripped, killSwitch, incidents, logger } = setup();
    fiveSymbolBook(exchange);
    const seenAtFirstCall: { state: string; halted: number }[] = [];
    exchange.onCall = () => {
      if (seenAtFirstCall.length === 0)
        seenAtFirstCall.push({ state: store.getKillSwitch().state, halted: tripped.length });
    };
    let stateAtFirstCancel: string | undefined;
    const onCall = exchange.onCall;
    exchange.onCall = (method) => {
      onCall(method);
      if (method === 'cancelAllOpenOrders') stateAtFirstCancel ??= store.getKillSwitch().state;
    };

    const status = await killSwitch.trip('WebSocket stale: 75s', 'automation:ws-stale');

    expect(seenAtFirstCall).toEqual([{ state: 'TRIPPED', halted: 1 }]);
    expect(stateAtFirstCancel).toBe('TRIPPED');
    expect(tripped).toEqual(['WebSocket stale: 75s']);
    expect(exchange.flat).toBe(true);
    expect(status.record).toMatchObject({
      state: 'TRIPPED',
      reason: 'WebSocket stale: 75s',
      by: 'automation:ws-stale',
    });
    expect(status.lastVerification).toMatchObject({ flat: true, attempt: 1, path: 'batch' });
    expect(status.retrying).toBe(false);

    // Closes: reduce-only MARKET, opposite side, full amount, ids from the generator, ≤ 5 per batch.
    const batches = exchange.calls.filter((c) => c.method === 'placeOrders').map((c) => c.args[0] as OrderRequest[]);
    expect(batches.map((batch) => batch.length).sort()).toEqual([1, 5]);
    const closes = batches.flat();
    expect(closes.find((r) => r.symbol === 'ETHUSDT')).toEqual({
      symbol: 'ETHUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: parseFixed('2'),
      reduceOnly: true,
      clientOrderId: expect.stringMatching(/^ks-\d+$/),
    });
    expect(exchange.count('cancelAllOpenOrders')).toBe(5);

    const incident = incidents.current('KILL_SWITCH');
    expect(incident?.status).toBe('CONTAINED');
    const actions = incident?.actions.map((a) => `${a.action}: ${a.result}`) ?? [];
    expect(actions.slice(0, 2)).toEqual(['persist TRIPPED: ok', 'halt trading, LIVE → DRY_RUN: ok']);
    expect(actions).toContain('cancel all SOLUSDT: ok');
    expect(actions).toContain('close DOGEUSDT (batch): ok');
    expect(actions.at(-1)).toBe('verify flat (attempt 1, batch): ok');
    expect(
      logger.lines().filter((line) => line.includes('| CRIT | KILL_SWITCH activated: WebSocket stale: 75s')),
    ).toHaveLength(1);
    expect(store.events({ types: ['KillSwitchTripped'] })).toHaveLength(1);
  });

  it('5 symbols → flat after 2 round trips (read, then every cancel and close together), verified on the 3rd', async () => {
    const { exchange, killSwitch } = setup();
    fiveSymbolBook(exchange);
    exchange.manual = true;
    const done = killSwitch.trip('drill', 'operator:ana');
    expect(await exchange.wave()).toBe(2); // getOpenOrders + getPositions
    expect(await exchange.wave()).toBe(5 + 2); // 5 cancel-all + 2 batches, all in flight at once
    expect(exchange.flat).toBe(true);
    expect(await exchange.wave()).toBe(2); // verification
    expect((await done).lastVerification?.flat).toBe(true);
  });

  it('two concurrent trips → the same promise and one set of exchange calls', async () => {
    const { exchange, killSwitch, store, tripped } = setup();
    fiveSymbolBook(exchange);
    const first = killSwitch.trip('daily drawdown 2.1%', 'automation:drawdown');
    const second = killSwitch.trip('WebSocket stale: 61s', 'automation:ws-stale');
    expect(second).toBe(first);
    await first;
    expect(exchange.count('placeOrders')).toBe(2);
    expect(exchange.count('getOpenOrders')).toBe(2);
    expect(tripped).toEqual(['daily drawdown 2.1%']);
    expect(store.getKillSwitch()).toMatchObject({ reason: 'daily drawdown 2.1%' });
  });

  it('already TRIPPED and flat → only a read; not flat (a new position) → flattened again, not re-persisted', async () => {
    const { exchange, killSwitch, store, tripped } = setup();
    exchange.positions.set('BTCUSDT', parseFixed('0.1'));
    await killSwitch.trip('first', 'automation:a');
    const callsAfterFirst = exchange.calls.length;
    await killSwitch.trip('second', 'automation:b');
    expect(
      exchange.calls
        .slice(callsAfterFirst)
        .map((c) => c.method)
        .sort(),
    ).toEqual(['getOpenOrders', 'getPositions']);

    exchange.positions.set('ETHUSDT', parseFixed('-1'));
    const status = await killSwitch.trip('third', 'automation:c');
    expect(exchange.flat).toBe(true);
    expect(status.lastVerification?.flat).toBe(true);
    expect(store.getKillSwitch()).toMatchObject({ reason: 'first' });
    expect(store.events({ types: ['KillSwitchTripped'] })).toHaveLength(1);
    expect(tripped).toEqual(['first']);
  });

  it('restart with TRIPPED stored → trip re-checks and flattens what is left', async () => {
    const { exchange, killSwitch, store } = setup();
    store.setKillSwitch({ state: 'TRIPPED', reason: 'before the crash', at: 1, by: 'automation:x' });
    exchange.positions.set('BNBUSDT', parseFixed('3'));
    exchange.restingOrder('BNBUSDT');
    const status = await killSwitch.trip('restart', 'automation:startup');
    expect(exchange.flat).toBe(true);
    expect(status.record).toMatchObject({ state: 'TRIPPED', reason: 'before the crash' });
  });

  it('batchOrders refused → the same attempt closes with single orders; no retry needed', async () => {
    const { exchange, killSwitch, incidents } = setup();
    exchange.positions.set('BTCUSDT', parseFixed('0.1'));
    exchange.positions.set('ETHUSDT', parseFixed('-1'));
    exchange.refuse.add('placeOrders');
    const status = await killSwitch.trip('drill', 'operator:ana');
    expect(exchange.flat).toBe(true);
    expect(status.lastVerification).toMatchObject({ flat: true, attempt: 1 });
    expect(exchange.count('placeOrder')).toBe(2);
    const actions = incidents.current('KILL_SWITCH')?.actions.map((a) => `${a.action}: ${a.result}`);
    expect(actions).toContain('close BTCUSDT (batch): failed');
    expect(actions).toContain('close BTCUSDT (single): ok');
  });

  it('cancel-all refused → the per-order path cancels each order by id, flat before verify_s, no stuck incident', async () => {
    const { exchange, killSwitch, clock, incidents } = setup();
    exchange.restingOrder('BTCUSDT');
    exchange.restingOrder('ETHUSDT');
    exchange.refuse.add('cancelAllOpenOrders');
    const status = await killSwitch.trip('drill', 'operator:ana');
    expect(status.retrying).toBe(true);
    await advance(clock, 1_000);
    expect(exchange.flat).toBe(true);
    expect(exchange.count('cancelOrder')).toBe(2);
    expect(killSwitch.status()).toMatchObject({
      retrying: false,
      stuck: false,
      lastVerification: { attempt: 3, path: 'per-order', flat: true },
    });
    expect(incidents.current('KILL_SWITCH_STUCK')).toBeUndefined();
    expect(incidents.current('KILL_SWITCH')?.status).toBe('CONTAINED');
  });

  it('verification keeps failing → batch, single, per-order in turn, then KILL_SWITCH_STUCK after verify_s, slower retries until flat', async () => {
    const { exchange, killSwitch, clock, incidents, logger } = setup();
    const start = clock.now();
    exchange.positions.set('BTCUSDT', parseFixed('0.1'));
    exchange.restingOrder('ETHUSDT');
    for (const method of ['placeOrders', 'placeOrder', 'cancelAllOpenOrders', 'cancelOrder'] as const) {
      exchange.ignore.add(method);
    }
    await killSwitch.trip('drill', 'operator:ana');
    await advance(clock, 2_000);
    const mutations = exchange.calls
      .filter((c) => c.method !== 'getOpenOrders' && c.method !== 'getPositions')
      .map((c) => c.method);
    expect(mutations.slice(0, 6)).toEqual([
      'cancelAllOpenOrders',
      'placeOrders',
      'cancelAllOpenOrders',
      'placeOrder',
      'cancelOrder',
      'placeOrder',
    ]);
    expect(incidents.current('KILL_SWITCH_STUCK')).toBeUndefined();

    await advance(clock, 28_000 - 50);
    expect(incidents.current('KILL_SWITCH_STUCK')).toBeUndefined();
    await advance(clock, 100);
    const stuck = incidents.current('KILL_SWITCH_STUCK');
    expect(stuck).toMatchObject({
      severity: 'CRIT',
      summary: 'Kill switch stuck: exchange not flat after 30s',
      status: 'OPEN',
    });
    expect(stuck?.detectedAt).toBe(start + 30_000);
    expect(stuck?.firstEvidenceAt).toBe(start); // the first verification failed at once (no time passes on the fake)
    expect(
      logger.lines().some((line) => line.includes('| CRIT | Kill switch stuck: exchange not flat after 30s')),
    ).toBe(true);
    expect(killSwitch.status()).toMatchObject({ retrying: true, stuck: true });

    // Slower cadence once stuck: one attempt per 10 s, each reported on the stuck incident.
    const attemptsAtStuck = exchange.count('getPositions');
    await advance(clock, 10_000, 500);
    expect(exchange.count('getPositions') - attemptsAtStuck).toBeLessThanOrEqual(2);
    expect(
      incidents.current('KILL_SWITCH_STUCK')?.actions.filter((a) => a.action.startsWith('retry')),
    ).not.toHaveLength(0);

    exchange.ignore.clear();
    await advance(clock, 10_000, 500);
    expect(exchange.flat).toBe(true);
    expect(incidents.current('KILL_SWITCH_STUCK')).toBeUndefined();
    expect(incidents.current('KILL_SWITCH')?.status).toBe('CONTAINED');
    expect(killSwitch.status()).toMatchObject({ retrying: false, stuck: false });
  });

  it('exchange unreadable → not flat, retried; stuck after verify_s with "no verification" evidence when none answered', async () => {
    const { exchange, killSwitch, clock, incidents } = setup({ verifyS: 5 });
    exchange.refuse.add('getPositions');
    const status = await killSwitch.trip('drill', 'operator:ana');
    expect(status.lastVerification).toMatchObject({
      flat: false,
      error: expect.stringContaining('EXCHANGE_UNAVAILABLE'),
    });
    await advance(clock, 5_000);
    expect(incidents.current('KILL_SWITCH_STUCK')?.firstEvidence).toMatch(/attempt 1: unreadable/);
  });
});

describe('KillSwitch.release', () => {
  it('ARMED → refused with KILL_SWITCH_NOT_TRIPPED', async () => {
    const { killSwitch } = setup();
    await expect(killSwitch.release('operator:ana', false)).rejects.toMatchObject({ code: 'KILL_SWITCH_NOT_TRIPPED' });
  });

  it('exchange not flat → refused and still TRIPPED; --force → ARMED, recorded as forced, CRIT, incidents resolved', async () => {
    const { exchange, killSwitch, store, logger, incidents, clock } = setup();
    exchange.positions.set('BTCUSDT', parseFixed('0.1'));
    exchange.ignore.add('placeOrders');
    exchange.ignore.add('placeOrder');
    await killSwitch.trip('drill', 'operator:ana');
    await advance(clock, 31_000, 500);
    expect(incidents.current('KILL_SWITCH_STUCK')).toBeDefined();

    await expect(killSwitch.release('operator:bo', false)).rejects.toMatchObject({ code: 'KILL_SWITCH_NOT_FLAT' });
    expect(store.getKillSwitch().state).toBe('TRIPPED');

    const released = await killSwitch.release('operator:bo', true);
    expect(released.forced).toBe(true);
    expect(store.getKillSwitch()).toEqual({
      state: 'ARMED',
      releasedAt: clock.now(),
      releasedBy: 'operator:bo',
      forced: true,
    });
    expect(logger.lines().some((l) => l.includes('| CRIT | KILL_SWITCH released by operator:bo (FORCED)'))).toBe(true);
    expect(store.events({ types: ['KillSwitchReleased'] })[0]?.payload).toMatchObject({
      by: 'operator:bo',
      forced: true,
    });
    expect(incidents.current('KILL_SWITCH')).toBeUndefined();
    expect(incidents.current('KILL_SWITCH_STUCK')).toBeUndefined();
    // Retries stopped with the release.
    const calls = exchange.calls.length;
    await advance(clock, 30_000, 1_000);
    expect(exchange.calls.length).toBe(calls);
  });

  it('flat exchange → released, not forced, INFO', async () => {
    const { exchange, killSwitch, store, logger } = setup();
    exchange.positions.set('BTCUSDT', parseFixed('0.1'));
    await killSwitch.trip('drill', 'operator:ana');
    const released = await killSwitch.release('operator:bo', false);
    expect(released).toMatchObject({ forced: false, verification: { flat: true } });
    expect(store.getKillSwitch()).toMatchObject({ state: 'ARMED', releasedBy: 'operator:bo', forced: false });
    expect(logger.lines().some((l) => l.includes('| INFO | KILL_SWITCH released by operator:bo: exchange flat'))).toBe(
      true,
    );
  });

  it('exchange unreadable → refused without --force', async () => {
    const { exchange, killSwitch } = setup();
    await killSwitch.trip('drill', 'operator:ana');
    exchange.refuse.add('getOpenOrders');
    exchange.refuse.add('getPositions');
    await expect(killSwitch.release('operator:bo', false)).rejects.toMatchObject({
      code: 'KILL_SWITCH_NOT_FLAT',
      message: expect.stringContaining('could not be read'),
    });
  });
});

describe('killSwitchCommands', () => {
  it('trigger without by → CONTROL_INVALID_ARGUMENTS; trigger → TRIPPED by operator:NAME; status and release as JSON', async () => {
    const { exchange, killSwitch } = setup();
    exchange.positions.set('BTCUSDT', parseFixed('-0.25'));
    const commands = killSwitchCommands(killSwitch);
    await expect(commands.get('kill-switch.trigger')?.({ reason: 'drill' })).rejects.toMatchObject({
      code: 'CONTROL_INVALID_ARGUMENTS',
    });
    const triggered = (await commands.get('kill-switch.trigger')?.({ reason: 'drill', by: 'ana' })) as Record<
      string,
      unknown
    >;
    expect(triggered).toMatchObject({
      record: { state: 'TRIPPED', by: 'operator:ana' },
      lastVerification: { flat: true, summary: 'flat' },
    });
    expect(JSON.parse(JSON.stringify(await commands.get('kill-switch.status')?.({})))).toMatchObject({
      record: { state: 'TRIPPED' },
      retrying: false,
    });
    await expect(commands.get('kill-switch.release')?.({ by: 'bo', force: 'yes' })).rejects.toMatchObject({
      code: 'CONTROL_INVALID_ARGUMENTS',
    });
    expect(await commands.get('kill-switch.release')?.({ by: 'bo' })).toMatchObject({
      record: { state: 'ARMED', releasedBy: 'operator:bo', forced: false },
    });
  });
});
