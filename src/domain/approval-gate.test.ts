import { describe, expect, it } from 'vitest';
import {
  dryRunSessionProblem,
  type EngineSession,
  evaluateGate,
  GATE_ITEMS,
  type GateEntry,
  type GateFacts,
  type GateItem,
} from './approval-gate.ts';

const TRIP = Date.UTC(2026, 0, 27, 14, 45, 0);
const HASH = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const HOUR = 3_600_000;

const SESSION: EngineSession = {
  id: 'SES-1',
  mode: 'DRY_RUN',
  configHash: HASH,
  startedAt: TRIP + 60_000,
  lastHeartbeatAt: TRIP + 60_000 + HOUR,
};

const FACTS: GateFacts = {
  trippedAt: TRIP,
  liveConfigHash: HASH,
  approverRole: 'CTO',
  dryRunMinMs: HOUR,
  backtest: { runId: 'bt-0123456789ab', configHash: HASH },
  dryRun: { session: SESSION, critIncidents: [] },
};

const entry = (item: GateItem, value: string, extra: Partial<GateEntry> = {}): GateEntry => ({
  incidentId: 'INC-1',
  item,
  value,
  by: 'operator:ana',
  at: TRIP + 2 * HOUR,
  ...extra,
});

const ALL: readonly GateEntry[] = [
  entry('root-cause', 'momentum strategy kept buying into a falling market'),
  entry('backtest', 'bt-0123456789ab'),
  entry('dry-run', 'SES-1', { by: 'automation:approval' }),
  entry('approver', 'Mina Park', { role: 'CTO', by: 'operator:Mina Park' }),
  entry('briefing', '', { by: 'operator:bo' }),
];

describe('evaluateGate', () => {
  it('all five recorded and holding → complete, nothing missing', () => {
    const evaluation = evaluateGate(ALL, FACTS);
    expect(evaluation.complete).toBe(true);
    expect(evaluation.missing).toEqual([]);
    expect(evaluation.items.map((status) => [status.item, status.ok])).toEqual(GATE_ITEMS.map((item) => [item, true]));
  });

  it('nothing recorded → incomplete, every item "not recorded"', () => {
    const evaluation = evaluateGate([], FACTS);
    expect(evaluation.complete).toBe(false);
    expect(evaluation.missing).toEqual(GATE_ITEMS.map((item) => `${item}: not recorded`));
  });

  for (const item of GATE_ITEMS) {
    it(`only ${item} missing → incomplete, exactly that item missing`, () => {
      const evaluation = evaluateGate(
        ALL.filter((recorded) => recorded.item !== item),
        FACTS,
      );
      expect(evaluation.complete).toBe(false);
      expect(evaluation.missing).toEqual([`${item}: not recorded`]);
    });
  }

  it('backtest run of another config → backtest fails naming both hashes (checked on every evaluation)', () => {
    const evaluation = evaluateGate(ALL, { ...FACTS, backtest: { runId: 'bt-0123456789ab', configHash: OTHER } });
    expect(evaluation.complete).toBe(false);
    expect(evaluation.missing).toEqual([
      `backtest: run bt-0123456789ab tested config ${OTHER.slice(0, 12)}, but the config about to go live is ${HASH.slice(0, 12)}`,
    ]);
  });

  it('backtest record unreadable → backtest fails with the read error', () => {
    const evaluation = evaluateGate(ALL, {
      ...FACTS,
      backtest: { runId: 'bt-0123456789ab', error: 'no backtest run bt-0123456789ab' },
    });
    expect(evaluation.missing).toEqual(['backtest: no backtest run bt-0123456789ab']);
  });

  it('config changed after the dry run was recorded → dry-run fails too', () => {
    const evaluation = evaluateGate(ALL, {
      ...FACTS,
      liveConfigHash: OTHER,
      backtest: { runId: 'bt-0123456789ab', configHash: OTHER },
    });
    expect(evaluation.missing).toHaveLength(1);
    expect(evaluation.missing[0]).toMatch(
      /^dry-run: session SES-1 ran config aaaaaaaaaaaa, but the config about to go live is bbbbbbbbbbbb/,
    );
  });

  it('approver with another role → approver fails naming the required role', () => {
    const entries = ALL.map((recorded) => (recorded.item === 'approver' ? { ...recorded, role: 'CEO' } : recorded));
    expect(evaluateGate(entries, FACTS).missing).toEqual([
      'approver: Mina Park approved as CEO; approval.approver_role is CTO',
    ]);
  });

  it('an item recorded twice → the newest counts', () => {
    const older = entry('approver', 'Old', { role: 'CEO', at: TRIP + HOUR });
    const evaluation = evaluateGate([...ALL, older], FACTS);
    expect(evaluation.complete).toBe(true);
    expect(evaluation.items.find((status) => status.item === 'approver')?.entry?.value).toBe('Mina Park');
  });
});

describe('dryRunSessionProblem', () => {
  const rules = FACTS;
  it('a clean hour after the trip on the same config → qualifies', () => {
    expect(dryRunSessionProblem(SESSION, [], rules)).toBeUndefined();
  });

  it.each([
    ['a LIVE session', { ...SESSION, mode: 'LIVE' as const }, /ran LIVE, not DRY_RUN/],
    ['started before the trip', { ...SESSION, startedAt: TRIP - 1 }, /started before the kill switch tripped/],
    ['another config', { ...SESSION, configHash: OTHER }, /ran config bbbbbbbbbbbb/],
    [
      'one second short of the minimum',
      { ...SESSION, lastHeartbeatAt: SESSION.startedAt + HOUR - 1_000 },
      /ran 3599 s of the required 3600 s/,
    ],
  ])('%s → does not qualify', (_name, session, reason) => {
    expect(dryRunSessionProblem(session, [], rules)).toMatch(reason);
  });

  it('a CRIT incident in the window → does not qualify, the incident named', () => {
    const crit = { id: 'INC-X', summary: 'WebSocket stale: 75s', detectedAt: SESSION.startedAt + 10 };
    expect(dryRunSessionProblem(SESSION, [crit], rules)).toBe(
      'session SES-1 had 1 CRIT incident(s): INC-X (WebSocket stale: 75s)',
    );
  });
});
