import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../adapters/logging/memory-logger.ts';
import { SqliteStore } from '../../adapters/sqlite-store/sqlite-store.ts';
import { GATE_ITEMS } from '../../domain/approval-gate.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import { IncidentManager } from '../incident-manager.ts';
import type { FlattenExchange } from '../kill-switch/exchange-flattener.ts';
import { KillSwitch } from '../kill-switch/kill-switch.ts';
import { approvalCommands } from './approval-commands.ts';
import { APPROVED_CONFIG_KEY, ApprovalGate } from './approval-gate.ts';
import { EngineSessionRecorder } from './engine-session-recorder.ts';

const HASH = 'c'.repeat(64);
const OTHER = 'd'.repeat(64);
const RUN = 'bt-0123456789ab';
const HOUR = 3_600_000;

/** An exchange that is always flat: the kill switch verifies at once, so release depends on the gate alone. */
const FLAT: FlattenExchange = {
  getOpenOrders: async () => [],
  getPositions: async () => [],
  cancelAllOpenOrders: async () => undefined,
  cancelOrder: async () => {
    throw new Error('nothing to cancel');
  },
  placeOrder: async () => {
    throw new Error('nothing to close');
  },
  placeOrders: async () => [],
};

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setup(options: { required?: boolean } = {}) {
  const clock = new TestClock();
  const store = SqliteStore.open({ path: ':memory:', clock });
  const dryRunStore = SqliteStore.open({ path: ':memory:', clock });
  stores.push(store, dryRunStore);
  const logger = new MemoryLogger(clock);
  const incidents = new IncidentManager({ clock, store, logger });
  const backtests = new Map<string, string>([[RUN, HASH]]);
  const gate = new ApprovalGate({
    clock,
    store,
    incidents,
    logger,
    required: options.required ?? true,
    approverRole: 'CTO',
    dryRunMinMs: HOUR,
    configHash: HASH,
    backtestConfigHash: (runId) => {
      const hash = backtests.get(runId);
      if (hash === undefined) throw new YunminError('BACKTEST_RUN_UNKNOWN', `no backtest run ${runId}`);
      return hash;
    },
    dryRun: {
      sessions: () => dryRunStore.engineSessions({ mode: 'DRY_RUN' }),
      critIncidents: (from, to) =>
        dryRunStore
          .listIncidents()
          .filter(
            (incident) => incident.severity === 'CRIT' && incident.detectedAt >= from && incident.detectedAt <= to,
          ),
    },
  });
  const killSwitch = new KillSwitch({
    clock,
    store,
    incidents,
    logger,
    exchange: FLAT,
    ids: { newClientOrderId: () => 'ks-1' },
    onTripped: () => undefined,
    verifyS: 30,
    symbols: () => ['BTCUSDT'],
    gate,
  });
  /** A DRY_RUN engine on the test clock: starts now, heartbeats every minute for `ms`, stops. */
  const runDryRun = (ms: number, configHash = HASH) => {
    const recorder = new EngineSessionRecorder({ clock, store: dryRunStore, mode: 'DRY_RUN', configHash });
    const session = recorder.start();
    clock.advance(ms);
    recorder.stop();
    return session;
  };
  return { clock, store, dryRunStore, logger, incidents, backtests, gate, killSwitch, runDryRun };
}

async function refusal(promise: Promise<unknown>): Promise<YunminError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof YunminError)) throw new Error(`expected a YunminError, got ${String(error)}`);
  return error;
}

function completeGate(t: ReturnType<typeof setup>): void {
  t.runDryRun(HOUR);
  t.gate.add({ item: 'root-cause', text: 'stale book after a reconnect', by: 'ana' });
  t.gate.add({ item: 'backtest', runId: RUN, by: 'ana' });
  t.gate.add({ item: 'dry-run', by: 'ana' });
  t.gate.add({ item: 'approver', name: 'Mina', role: 'CTO' });
  t.gate.add({ item: 'briefing', by: 'bo' });
}

describe('EngineSessionRecorder', () => {
  it('start, an hour on the clock, stop → one session, heartbeat every minute, stopped at the end', () => {
    const t = setup();
    const recorder = new EngineSessionRecorder({
      clock: t.clock,
      store: t.dryRunStore,
      mode: 'DRY_RUN',
      configHash: HASH,
    });
    const session = recorder.start();
    t.clock.advance(90_000);
    expect(t.dryRunStore.engineSessions()[0]?.lastHeartbeatAt).toBe(session.startedAt + 60_000);
    t.clock.advance(HOUR - 90_000);
    expect(t.dryRunStore.engineSessions()[0]?.lastHeartbeatAt).toBe(session.startedAt + HOUR);
    recorder.stop();
    t.clock.advance(120_000);
    expect(t.dryRunStore.engineSessions()).toEqual([
      { ...session, lastHeartbeatAt: session.startedAt + HOUR, stoppedAt: session.startedAt + HOUR },
    ]);
  });

  it('killed between heartbeats → the session ends at its last heartbeat (never credited more than proven)', () => {
    const t = setup();
    const recorder = new EngineSessionRecorder({
      clock: t.clock,
      store: t.dryRunStore,
      mode: 'DRY_RUN',
      configHash: HASH,
    });
    const session = recorder.start();
    t.clock.advance(150_000);
    expect(t.dryRunStore.engineSessions()[0]).toMatchObject({ lastHeartbeatAt: session.startedAt + 120_000 });
    expect(t.dryRunStore.engineSessions()[0]?.stoppedAt).toBeUndefined();
  });
});

describe('ApprovalGate items', () => {
  it('ARMED → status ARMED; add refused with APPROVAL_NOT_TRIPPED', () => {
    const t = setup();
    expect(t.gate.status()).toEqual({ state: 'ARMED', required: true });
    expect(() => t.gate.add({ item: 'briefing', by: 'bo' })).toThrow(
      expect.objectContaining({ code: 'APPROVAL_NOT_TRIPPED' }),
    );
  });

  it('each item recorded → on the KILL_SWITCH incident with who/when, mirrored as an incident action', async () => {
    const t = setup();
    await t.killSwitch.trip('drill', 'operator:ana');
    t.clock.advance(1_000);
    completeGate(t);
    const status = t.gate.status();
    if (status.state !== 'TRIPPED') throw new Error('expected TRIPPED');
    expect(status.evaluation.complete).toBe(true);
    const incident = t.incidents.current('KILL_SWITCH');
    expect(status.incidentId).toBe(incident?.id);
    expect(t.store.gateEntries(incident?.id ?? '').map((entry) => [entry.item, entry.by])).toEqual([
      ['root-cause', 'operator:ana'],
      ['backtest', 'operator:ana'],
      ['dry-run', 'operator:ana'],
      ['approver', 'operator:Mina'],
      ['briefing', 'operator:bo'],
    ]);
    expect(incident?.actions.filter((action) => action.action.startsWith('approval ')).map((a) => a.action)).toEqual(
      GATE_ITEMS.map((item) => `approval ${item}`),
    );
    expect(incident?.actions.find((action) => action.action === 'approval root-cause')?.detail).toBe(
      'by operator:ana: stale book after a reconnect',
    );
  });

  it.each([
    [{ item: 'root-cause', text: '  ', by: 'ana' } as const, 'APPROVAL_INVALID', /^text: expected the root cause/],
    [{ item: 'briefing', by: '' } as const, 'APPROVAL_INVALID', /^by: expected a name/],
    [{ item: 'backtest', runId: 'bt-ffffffffffff', by: 'ana' } as const, 'BACKTEST_RUN_UNKNOWN', /no backtest run/],
    [{ item: 'approver', name: 'Mina', role: 'CEO' } as const, 'APPROVAL_WRONG_ROLE', /^role: expected CTO/],
    [{ item: 'dry-run' } as const, 'APPROVAL_DRY_RUN_NOT_QUALIFIED', /no DRY_RUN session since the kill switch/],
  ])('add %o → %s, nothing recorded', async (addition, code, message) => {
    const t = setup();
    await t.killSwitch.trip('drill', 'operator:ana');
    expect(() => t.gate.add(addition)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
    expect(t.store.gateEntries(t.incidents.current('KILL_SWITCH')?.id ?? '')).toEqual([]);
  });

  it('backtest of another config → APPROVAL_BACKTEST_CONFIG_MISMATCH naming both hashes', async () => {
    const t = setup();
    t.backtests.set('bt-aaaaaaaaaaaa', OTHER);
    await t.killSwitch.trip('drill', 'operator:ana');
    expect(() => t.gate.add({ item: 'backtest', runId: 'bt-aaaaaaaaaaaa', by: 'ana' })).toThrow(
      expect.objectContaining({
        code: 'APPROVAL_BACKTEST_CONFIG_MISMATCH',
        message: expect.stringContaining('tested config dddddddddddd, but the config about to go live is cccccccccccc'),
      }),
    );
  });

  it('dry-run: short session, other config, CRIT incident, session before the trip → none qualifies, each explained', async () => {
    const t = setup();
    t.runDryRun(HOUR); // before the trip: does not count
    await t.killSwitch.trip('drill', 'operator:ana');
    t.runDryRun(HOUR - 60_000);
    t.runDryRun(HOUR, OTHER);
    t.runDryRun(0);
    const dryIncidents = new IncidentManager({ clock: t.clock, store: t.dryRunStore, logger: t.logger });
    const recorder = new EngineSessionRecorder({
      clock: t.clock,
      store: t.dryRunStore,
      mode: 'DRY_RUN',
      configHash: HASH,
    });
    recorder.start();
    t.clock.advance(10_000);
    dryIncidents.open({
      type: 'WS_STALE',
      severity: 'CRIT',
      summary: 'WebSocket stale: 75s',
      firstEvidenceAt: t.clock.now(),
      firstEvidence: 'silence',
    });
    t.clock.advance(HOUR);
    recorder.stop();
    const error = (() => {
      try {
        t.gate.add({ item: 'dry-run', by: 'ana' });
      } catch (caught) {
        return caught as YunminError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.code).toBe('APPROVAL_DRY_RUN_NOT_QUALIFIED');
    expect(error.message).toMatch(/had 1 CRIT incident\(s\): INC-\S+ \(WebSocket stale: 75s\)/);
    expect(error.message).toMatch(/ran 0 s of the required 3600 s/);
    expect(error.message).toMatch(/ran config dddddddddddd/);
    expect(error.message).toMatch(/ran 3540 s of the required 3600 s/);
    expect(error.message).not.toMatch(/started before/);
  });
});

describe('KillSwitch.release with the gate', () => {
  it('nothing recorded → APPROVAL_GATE_INCOMPLETE listing all five; still TRIPPED', async () => {
    const t = setup();
    await t.killSwitch.trip('drill', 'operator:ana');
    const error = await refusal(t.killSwitch.release('operator:bo', false));
    expect(error.code).toBe('APPROVAL_GATE_INCOMPLETE');
    for (const item of GATE_ITEMS) expect(error.message).toContain(`${item}: not recorded`);
    expect(t.store.getKillSwitch().state).toBe('TRIPPED');
  });

  it('complete → ARMED, not forced, "resumption gate" ok on the incident, approved config hash kept', async () => {
    const t = setup();
    await t.killSwitch.trip('drill', 'operator:ana');
    completeGate(t);
    const incidentId = t.incidents.current('KILL_SWITCH')?.id ?? '';
    const released = await t.killSwitch.release('operator:bo', false);
    expect(released).toMatchObject({ record: { state: 'ARMED', forced: false }, gate: { forced: false, missing: [] } });
    expect(t.store.getIncident(incidentId)?.actions.find((a) => a.action === 'resumption gate')).toMatchObject({
      result: 'ok',
      detail: `complete; released by operator:bo for config ${HASH.slice(0, 12)}`,
    });
    expect(t.store.getValue(APPROVED_CONFIG_KEY)).toBe(HASH);
  });

  it('backtest record changed after it was recorded → release refused naming only the backtest', async () => {
    const t = setup();
    await t.killSwitch.trip('drill', 'operator:ana');
    completeGate(t);
    t.backtests.set(RUN, OTHER);
    const error = await refusal(t.killSwitch.release('operator:bo', false));
    expect(error.code).toBe('APPROVAL_GATE_INCOMPLETE');
    expect(error.message).toMatch(/— backtest: run bt-0123456789ab tested config dddddddddddd[^;]*\. Record/);
  });

  it('--force with items missing → ARMED, forced, CRIT logged, "forced by NAME, missing: …" on the incident', async () => {
    const t = setup();
    await t.killSwitch.trip('drill', 'operator:ana');
    t.gate.add({ item: 'root-cause', text: 'bad fill model', by: 'ana' });
    const incidentId = t.incidents.current('KILL_SWITCH')?.id ?? '';
    const released = await t.killSwitch.release('operator:bo', true);
    expect(released.record).toMatchObject({ state: 'ARMED', forced: true });
    expect(released.forced).toBe(false); // the exchange was flat: only the gate was overridden
    expect(released.gate?.missing).toHaveLength(4);
    const action = t.store.getIncident(incidentId)?.actions.find((a) => a.action === 'resumption gate');
    expect(action).toMatchObject({ result: 'failed' });
    expect(action?.detail).toBe(
      'forced by operator:bo, missing: backtest: not recorded; dry-run: not recorded; approver: not recorded; briefing: not recorded',
    );
    expect(t.logger.lines().join('\n')).toMatch(
      /CRIT \| KILL_SWITCH released with the resumption gate incomplete \(FORCED by operator:bo\)/,
    );
    expect(t.store.getValue(APPROVED_CONFIG_KEY)).toBe('');
  });

  it('approval.required false → release passes with nothing recorded; the incident says "not required"', async () => {
    const t = setup({ required: false });
    await t.killSwitch.trip('drill', 'operator:ana');
    const incidentId = t.incidents.current('KILL_SWITCH')?.id ?? '';
    await t.killSwitch.release('operator:bo', false);
    expect(t.store.getIncident(incidentId)?.actions.find((a) => a.action === 'resumption gate')?.detail).toMatch(
      /^not required/,
    );
  });
});

describe('approval control commands', () => {
  it('approval.add {item: root-cause} → recorded; approval.status → that item ✓, four ✗', async () => {
    const t = setup();
    await t.killSwitch.trip('drill', 'operator:ana');
    const commands = approvalCommands(t.gate);
    await commands.get('approval.add')?.({ item: 'root-cause', text: 'x', by: 'ana' });
    const status = (await commands.get('approval.status')?.({})) as { items: { item: string; ok: boolean }[] };
    expect(status.items.map((item) => [item.item, item.ok])).toEqual([
      ['root-cause', true],
      ['backtest', false],
      ['dry-run', false],
      ['approver', false],
      ['briefing', false],
    ]);
  });

  it('unknown item → CONTROL_INVALID_ARGUMENTS naming item; a DRY_RUN engine (no gate) → APPROVAL_NOT_APPLICABLE', async () => {
    const t = setup();
    await expect(approvalCommands(t.gate).get('approval.add')?.({ item: 'coffee' })).rejects.toMatchObject({
      code: 'CONTROL_INVALID_ARGUMENTS',
      message: expect.stringMatching(/^item: expected one of root-cause, backtest/),
    });
    await expect(approvalCommands(undefined).get('approval.status')?.({})).rejects.toMatchObject({
      code: 'APPROVAL_NOT_APPLICABLE',
    });
  });
});
