import { describe, expect, it } from 'vitest';
import type { PositionReport } from '../domain/account.ts';
import { flatPosition, type Position } from '../domain/position.ts';
import type { TrackedOrder } from '../domain/tracked-order.ts';
import { incidentHarness } from '../engine/detectors/network-detector-test-kit.ts';
import { parseFixed } from '../lib/fixed.ts';
import { TestClock } from '../lib/test-clock.ts';
import { type AdoptResult, type ReconcileResult, reconcileCommands } from './reconcile-commands.ts';

const report = (symbol: string, amount: string): PositionReport =>
  ({
    symbol,
    amount: parseFixed(amount),
    entryPrice: parseFixed('100'),
    markPrice: 0n,
    unrealizedPnl: 0n,
  }) as PositionReport;

function setup(local: Record<string, string>, exchange: PositionReport[], orders: TrackedOrder[] = []) {
  const clock = new TestClock(1_000);
  const harness = incidentHarness(clock);
  const book = new Map<string, Position>(
    Object.entries(local).map(([symbol, amount]) => [symbol, { ...flatPosition(symbol), amount: parseFixed(amount) }]),
  );
  const adoptions: string[] = [];
  const tracker = {
    position: (symbol: string) => book.get(symbol) ?? flatPosition(symbol),
    positions: () => [...book.values()],
    active: (symbol?: string) => orders.filter((order) => symbol === undefined || order.symbol === symbol),
    adoptPosition: (position: Position, reason: string) => {
      book.set(position.symbol, position);
      adoptions.push(reason);
    },
  };
  const commands = reconcileCommands({
    reconcileNow: async (reason) => ({ reason, at: clock.now(), symbols: [], error: 'HTTP 503' }),
    tracker,
    exchangePositions: async () => exchange,
    incidents: harness.incidents,
    logger: harness.logger,
    bands: { adoptBelowPct: 0.1, haltAbovePct: 1 },
    now: () => clock.now(),
  });
  const adopt = commands.get('reconcile.adopt');
  const reconcile = commands.get('reconcile');
  if (adopt === undefined || reconcile === undefined) throw new Error('not registered');
  return { harness, book, adoptions, adopt, reconcile };
}

describe('reconcile.adopt control command', () => {
  it('no operator name → refused, nothing adopted', async () => {
    const { adopt, book } = setup({ BTCUSDT: '0.01' }, []);
    await expect(adopt({})).rejects.toMatchObject({ code: 'CONTROL_INVALID_ARGUMENTS' });
    expect(book.get('BTCUSDT')?.amount).toBe(parseFixed('0.01'));
  });

  it('an open CRIT mismatch → the exchange amount adopted, action on that incident, resolved, CRIT log line', async () => {
    const { adopt, book, harness } = setup({ BTCUSDT: '0.01' }, [report('BTCUSDT', '0.02')]);
    const open = harness.incidents.open({
      type: 'POSITION_MISMATCH',
      severity: 'CRIT',
      symbol: 'BTCUSDT',
      summary: 'Position mismatch',
      firstEvidenceAt: 1_000,
      firstEvidence: 'x',
    });
    const result = (await adopt({ by: 'ana' })) as AdoptResult;
    expect(result).toMatchObject({ adopted: 1, skipped: 0, incidents: [open.id] });
    expect(book.get('BTCUSDT')).toMatchObject({ amount: parseFixed('0.02'), entryPrice: parseFixed('100') });
    const record = harness.store.getIncident(open.id);
    expect(record?.status).toBe('RESOLVED');
    expect(record?.actions[0]).toMatchObject({
      action: 'adopt exchange position (operator ana)',
      result: 'ok',
      detail: '0.01 → 0.02',
    });
    expect(harness.logger.lines).toContain(
      'CRIT | Position adopted from the exchange by ana: BTCUSDT local 0.01 → 0.02 (50.000% > 1%)',
    );
  });

  it('no incident yet (a small difference) → a WARN incident opened to carry the record, WARN log line', async () => {
    const { adopt, harness } = setup({ ETHUSDT: '1.000' }, [report('ETHUSDT', '1.005')]);
    const result = (await adopt({ by: 'bo' })) as AdoptResult;
    const incident = harness.store.ofType('POSITION_MISMATCH')[0];
    expect(incident).toMatchObject({ severity: 'WARN', status: 'RESOLVED', symbol: 'ETHUSDT' });
    expect(result.symbols).toEqual([
      expect.objectContaining({ symbol: 'ETHUSDT', band: 'adopt-warn', outcome: 'adopted' }),
    ]);
    expect(
      harness.logger.lines.some((line) => line.startsWith('WARN | Position adopted from the exchange by bo')),
    ).toBe(true);
  });

  it('an order in flight on the symbol → skipped, not adopted (its fill may be on the way)', async () => {
    const inFlight = { symbol: 'BTCUSDT', state: 'SUBMITTED', clientOrderId: 'ym-1' } as TrackedOrder;
    const { adopt, book } = setup({ BTCUSDT: '0.01' }, [], [inFlight]);
    const result = (await adopt({ by: 'ana' })) as AdoptResult;
    expect(result).toMatchObject({ adopted: 0, skipped: 1 });
    expect(book.get('BTCUSDT')?.amount).toBe(parseFixed('0.01'));
  });

  it('reconcile with the exchange unavailable → an error, not an empty "all match"', async () => {
    const { reconcile } = setup({}, []);
    await expect(reconcile({}) as Promise<ReconcileResult>).rejects.toMatchObject({
      code: 'RECONCILE_EXCHANGE_UNAVAILABLE',
    });
  });
});
