/**
 * The writer process of the crash-durability test (sqlite-store.crash.test.ts): saves orders in a
 * loop and reports each completed step on stdout until it is killed with SIGKILL.
 * Usage: node src/adapters/sqlite-store/crash-writer.ts <database path>
 *
 * Step i: save order i as PENDING_SUBMIT (as the engine does before a send), then in ONE
 * transaction mark order i−1 FILLED, record its fill, move the position and log the event. Only then
 * "saved i" is written, with writeSync so the line is in the pipe before the next write begins.
 */
import { writeSync } from 'node:fs';
import type { FillReport } from '../../domain/order.ts';
import type { TrackedOrder } from '../../domain/tracked-order.ts';
import { SystemClock } from '../../lib/system-clock.ts';
import { SqliteStore } from './sqlite-store.ts';

const SYMBOL = 'BTCUSDT';
/** Each order is for this quantity (0.00123457): odd digits, so a torn or rounded value shows. */
export const CRASH_ORDER_QTY = 123_457n;

export function crashOrder(index: number, state: 'PENDING_SUBMIT' | 'FILLED'): TrackedOrder {
  const filled = state === 'FILLED';
  return {
    clientOrderId: `crash-${index}`,
    symbol: SYMBOL,
    side: 'BUY',
    type: 'LIMIT',
    quantity: CRASH_ORDER_QTY,
    price: 4_318_710_000_000n + BigInt(index),
    timeInForce: 'GTC',
    reduceOnly: false,
    state,
    ...(filled ? { venueOrderId: 1_000_000 + index, avgPrice: 4_318_710_000_000n + BigInt(index) } : {}),
    executedQty: filled ? CRASH_ORDER_QTY : 0n,
    // Long enough that a row spans a good part of a page.
    purpose: `crash test order ${index} `.padEnd(600, '.'),
    createdAt: 1_767_225_600_000 + index,
    updatedAt: 1_767_225_600_000 + index + (filled ? 1 : 0),
  };
}

export function crashFill(index: number): FillReport {
  return {
    symbol: SYMBOL,
    tradeId: 5_000_000 + index,
    orderId: 1_000_000 + index,
    clientOrderId: `crash-${index}`,
    side: 'BUY',
    price: 4_318_710_000_000n + BigInt(index),
    qty: CRASH_ORDER_QTY,
    commission: 1n,
    commissionAsset: 'USDT',
    realizedPnl: 0n,
    maker: true,
    time: 1_767_225_600_000 + index,
  };
}

function run(path: string): void {
  const store = SqliteStore.open({ path, clock: new SystemClock() });
  writeSync(1, 'ready\n');
  // Bounded so that an orphaned writer ends by itself; the test kills it long before.
  for (let index = 0; index < 2_000_000; index += 1) {
    store.saveOrder(crashOrder(index, 'PENDING_SUBMIT'));
    if (index > 0) {
      const previous = index - 1;
      store.transaction(() => {
        store.saveOrder(crashOrder(previous, 'FILLED'));
        store.recordFill(crashFill(previous));
        store.savePosition({
          symbol: SYMBOL,
          amount: CRASH_ORDER_QTY * BigInt(index),
          entryPrice: 4_318_710_000_000n,
          realizedPnl: 0n,
        });
        store.appendEvent({ type: 'OrderFilled', at: 1_767_225_600_000 + previous, payload: { index: previous } });
      });
    }
    writeSync(1, `saved ${index}\n`);
  }
  store.close();
}

if (import.meta.main) {
  const path = process.argv[2];
  if (path === undefined) throw new Error('usage: crash-writer.ts <database path>');
  run(path);
}
