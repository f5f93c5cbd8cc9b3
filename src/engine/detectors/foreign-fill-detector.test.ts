import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../adapters/logging/memory-logger.ts';
import { SqliteStore } from '../../adapters/sqlite-store/sqlite-store.ts';
import type { FillReport } from '../../domain/order.ts';
import { parseFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { IncidentManager } from '../incident-manager.ts';
import { IncidentResponse } from '../incident-response.ts';
import { ForeignFillDetector } from './foreign-fill-detector.ts';

const f = parseFixed;
function setup() {
  const clock = new TestClock();
  const store = SqliteStore.open({ path: ':memory:', clock });
  const logger = new MemoryLogger(clock);
  const incidents = new IncidentManager({ clock, store, logger });
  const control = new IncidentResponse({
    clock,
    store,
    logger,
    streams: { reconnect: async () => undefined },
    resync: async () => undefined,
  });
  const detector = new ForeignFillDetector({
    thresholds: { adoptBelowPct: 0.1, haltAbovePct: 1 },
    clock,
    incidents,
    control,
    ignore: (id) => id?.startsWith('ym-ks-') === true,
  });
  return { clock, store, detector, control };
}
const fill = (side: 'BUY' | 'SELL', qty: string, clientOrderId = 'web_abc'): FillReport => ({
  symbol: 'ETHUSDT',
  tradeId: 1,
  orderId: 9,
  clientOrderId,
  side,
  price: f('4000'),
  qty: f(qty),
  commission: 0n,
  commissionAsset: 'USDT',
  realizedPnl: 0n,
  maker: false,
  time: 1_000,
});
const position = (amount: string) => ({ symbol: 'ETHUSDT', amount: f(amount), entryPrice: f('4000'), realizedPnl: 0n });

describe('foreign fills (playbook §6)', () => {
  it('0.05 % of the position → logged only, no incident', () => {
    const { detector, store } = setup();
    detector.onForeignFill(fill('BUY', '0.001'), position('2.001'));
    expect(store.listIncidents()).toEqual([]);
  });

  it('0.4 % → WARN POSITION_MISMATCH, adopted, trading stays ACTIVE', () => {
    const { detector, store, control } = setup();
    detector.onForeignFill(fill('BUY', '0.008'), position('2.008'));
    expect(store.listIncidents()[0]).toMatchObject({
      type: 'POSITION_MISMATCH',
      severity: 'WARN',
      firstEvidenceAt: 1_000,
    });
    expect(control.tradingState()).toBe('ACTIVE');
  });

  it('20 % → CRIT, HALTED; a sign flip or one side flat → CRIT even when small', () => {
    for (const [side, qty, after] of [
      ['SELL', '0.4', '1.6'],
      ['SELL', '2.01', '-0.01'],
      ['SELL', '2', '0'],
    ] as const) {
      const { detector, store, control } = setup();
      detector.onForeignFill(fill(side, qty), position(after));
      expect(store.listIncidents()[0]).toMatchObject({ type: 'POSITION_MISMATCH', severity: 'CRIT' });
      expect(control.tradingState()).toBe('HALTED');
    }
  });

  it("the kill switch's own orders → ignored", () => {
    const { detector, store } = setup();
    detector.onForeignFill(fill('SELL', '2', 'ym-ks-123'), position('0'));
    expect(store.listIncidents()).toEqual([]);
  });
});
