import type { PositionReport } from '../domain/account.ts';
import { TERMINAL_ORDER_STATES } from '../domain/order-transitions.ts';
import type { Clock } from '../lib/clock.ts';
import { formatFixedTrimmed } from '../lib/fixed.ts';
import type { ExchangeRest } from '../ports/exchange-rest.ts';
import type { Logger } from '../ports/logger.ts';
import type { Store } from '../ports/store.ts';
import type { ExecutionService } from './execution-service.ts';
import type { OrderTracker } from './order-tracker.ts';

export interface RecoveryReport {
  readonly resolvedOrders: number;
  readonly recoveredFills: number;
  readonly adoptedPositions: readonly string[];
  readonly foreignOpenOrders: number;
}

/**
 * Crash-only start (DESIGN principle 3): before trading, make the store agree with the exchange.
 * 1. Every order that was not terminal when we stopped is asked about by client order id (it may
 *    have been sent just before the crash, filled while we were down, or never left).
 * 2. Fills since the last trade id we recorded are fetched and recorded (de-duplicated by trade id).
 * 3. Positions are compared with the exchange's; a difference is adopted and logged (reconciliation
 *    thresholds and the halt belong to the incident detectors).
 */
export async function recoverOnStart(deps: {
  clock: Clock;
  store: Store;
  rest: ExchangeRest;
  tracker: OrderTracker;
  execution: ExecutionService;
  logger: Logger;
  symbols: readonly string[];
}): Promise<RecoveryReport> {
  const { store, rest, tracker, execution, logger } = deps;
  let resolvedOrders = 0;
  for (const order of tracker.active()) {
    const resolved = await execution.resolveUnknown(order.clientOrderId);
    if (resolved !== undefined) resolvedOrders += 1;
    logger.info(`Recovery: order ${order.clientOrderId} ${order.state} → ${resolved?.state ?? order.state}`);
  }

  const symbols = new Set([...deps.symbols, ...tracker.positions().map((p) => p.symbol)]);
  let recoveredFills = 0;
  for (const symbol of symbols) {
    const last = store.lastTradeId(symbol);
    // fromId is inclusive on Binance: ask from the last one we have and skip it by de-duplication.
    const fills = await rest.getMyTrades(symbol, last === undefined ? { limit: 1000 } : { fromId: last, limit: 1000 });
    for (const fill of fills) if (tracker.recordFill(fill)) recoveredFills += 1;
  }

  const exchangePositions = new Map<string, PositionReport>();
  for (const report of await rest.getPositions()) exchangePositions.set(report.symbol, report);
  const adoptedPositions: string[] = [];
  for (const symbol of new Set([...symbols, ...exchangePositions.keys()])) {
    const local = tracker.position(symbol);
    const remote = exchangePositions.get(symbol);
    const remoteAmount = remote?.amount ?? 0n;
    if (local.amount === remoteAmount) continue;
    logger.warn(
      `Recovery: ${symbol} position local ${formatFixedTrimmed(local.amount)} vs exchange ${formatFixedTrimmed(remoteAmount)}: adopting exchange`,
    );
    tracker.adoptPosition(
      { symbol, amount: remoteAmount, entryPrice: remote?.entryPrice ?? 0n, realizedPnl: local.realizedPnl },
      'startup recovery',
    );
    adoptedPositions.push(symbol);
  }

  const openOnExchange = await rest.getOpenOrders();
  const foreignOpenOrders = openOnExchange.filter((report) => {
    const known = tracker.get(report.clientOrderId);
    return known === undefined || TERMINAL_ORDER_STATES.has(known.state);
  }).length;
  if (foreignOpenOrders > 0)
    logger.warn(`Recovery: ${foreignOpenOrders} open order(s) on the exchange that this engine does not track`);

  store.appendEvent({
    type: 'RecoveryCompleted',
    at: deps.clock.now(),
    payload: { resolvedOrders, recoveredFills, adoptedPositions, foreignOpenOrders },
  });
  return { resolvedOrders, recoveredFills, adoptedPositions, foreignOpenOrders };
}
