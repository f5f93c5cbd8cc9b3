import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeEngineConfig } from '../../test/engine/engine-process.ts';
import { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import { writeBacktestRunRecord } from '../app/backtest/backtest-run-record.ts';
import { configHash } from '../app/config/config-hash.ts';
import type { EngineConfig } from '../app/config/engine-config.ts';
import { loadConfig } from '../app/config/load-config.ts';
import { storePath } from '../app/engine-app.ts';
import { GATE_ITEMS, type GateItem } from '../domain/approval-gate.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { type RunningSimulator, startSimulator } from '../sim/simulator.ts';
import { registerAlertCommands } from './alert-commands.ts';
import { registerApprovalCommand } from './approval-command.ts';
import { registerIncidentCommands } from './incident-commands.ts';
import { registerKillSwitchCommands } from './kill-switch-commands.ts';

// Integration: the CLI in-process against the simulator over loopback, with the engine down, on real
// SQLite files in a temp state_dir (the LIVE store, and the DRY_RUN store the gate reads beside it).

const HOUR = 3_600_000;
let sim: RunningSimulator;
let dir: string;
let configPath: string;
let config: EngineConfig;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 33 });
  dir = mkdtempSync(join(tmpdir(), 'yunmin-gate-cli-'));
  configPath = writeEngineConfig(dir, 'gate', sim, '  strategy:\n    name: churn', 'killswitch:\n  verify_s: 2\n');
  vi.stubEnv('BINANCE_API_KEY', sim.apiKey);
  vi.stubEnv('BINANCE_API_SECRET', sim.apiSecret);
  vi.stubEnv('YUNMIN_CONTROL_TOKEN', '');
  config = loadConfig(configPath, process.env);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function yunmin(...args: string[]): Promise<{ out: string; error?: { code?: string; message: string } }> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  registerKillSwitchCommands(program);
  registerApprovalCommand(program);
  registerIncidentCommands(program);
  registerAlertCommands(program);
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync([...args, '--config', configPath], { from: 'user' });
    return { out: chunks.join('') };
  } catch (error) {
    return { out: chunks.join(''), error: error as { code?: string; message: string } };
  } finally {
    spy.mockRestore();
  }
}

function withStore<T>(mode: 'LIVE' | 'DRY_RUN', work: (store: SqliteStore) => T): T {
  const store = SqliteStore.open({ path: storePath({ ...config, mode }), clock: new SystemClock() });
  try {
    return work(store);
  } finally {
    store.close();
  }
}

function trippedAt(): number {
  const record = withStore('LIVE', (store) => store.getKillSwitch());
  if (record.state !== 'TRIPPED') throw new Error('expected TRIPPED');
  return record.at;
}

/** A DRY_RUN engine's session as it would have recorded itself, written into the dry-run state file. */
function dryRunSession(id: string, startedAt: number, ms: number, crit = false): void {
  withStore('DRY_RUN', (store) => {
    store.startEngineSession({
      id,
      mode: 'DRY_RUN',
      configHash: configHash(config),
      startedAt,
      lastHeartbeatAt: startedAt + ms,
    });
    if (crit) {
      store.saveIncident({
        id: `INC-${id}`,
        type: 'DAILY_DRAWDOWN',
        severity: 'CRIT',
        summary: 'Daily DD: 2.1%',
        firstEvidenceAt: startedAt + 60_000,
        firstEvidence: 'equity below baseline',
        detectedAt: startedAt + 60_000,
        actions: [],
        status: 'RESOLVED',
        acknowledgements: [],
      });
    }
  });
}

function backtest(runId: string, hash: string): void {
  writeBacktestRunRecord(config.stateDir, {
    runId,
    configHash: hash,
    dataHash: 'e'.repeat(64),
    codeVersion: 'test',
    inputHash: 'f'.repeat(64),
    dataFile: 'data.csv',
    from: 0,
    to: 1,
    events: 1,
    summary: {},
    reportFiles: [],
  });
}

/** The items a refused release names. */
async function refusedItems(): Promise<GateItem[]> {
  const refused = await yunmin('kill-switch', 'release', '--by', 'bo');
  expect(refused.error?.code).toBe('APPROVAL_GATE_INCOMPLETE');
  return GATE_ITEMS.filter((item) => refused.error?.message.includes(`${item}: `));
}

describe('yunmin approval and kill-switch release, engine down, real SQLite files', () => {
  it('trip → release refused listing 5 items; each addition removes exactly its item; release succeeds; postmortem shows the gate', async () => {
    const trip = await yunmin('kill-switch', 'trigger', '--reason', 'drill: drawdown', '--by', 'ana');
    expect(trip.error).toBeUndefined();
    const at = trippedAt();
    expect(await refusedItems()).toEqual([...GATE_ITEMS]);

    const add = async (...args: string[]) => {
      const result = await yunmin('approval', 'add', ...args);
      expect(result.error, args.join(' ')).toBeUndefined();
    };
    await add('root-cause', '--text', 'strategy kept adding in a falling market', '--by', 'ana');
    expect(await refusedItems()).toEqual(['backtest', 'dry-run', 'approver', 'briefing']);

    // A backtest of another config is refused at add time, naming the flag's value problem.
    backtest('bt-aaaaaaaaaaaa', 'a'.repeat(64));
    const mismatch = await yunmin('approval', 'add', 'backtest', '--run', 'bt-aaaaaaaaaaaa', '--by', 'ana');
    expect(mismatch.error?.code).toBe('APPROVAL_BACKTEST_CONFIG_MISMATCH');
    backtest('bt-0123456789ab', configHash(config));
    await add('backtest', '--run', 'bt-0123456789ab', '--by', 'ana');
    expect(await refusedItems()).toEqual(['dry-run', 'approver', 'briefing']);

    // A session with a CRIT incident and one shorter than approval.dry_run_min_s do not qualify.
    dryRunSession('SES-CRIT', at + 1_000, HOUR, true);
    dryRunSession('SES-SHORT', at + 2_000, HOUR - 60_000);
    const none = await yunmin('approval', 'add', 'dry-run');
    expect(none.error?.code).toBe('APPROVAL_DRY_RUN_NOT_QUALIFIED');
    expect(none.error?.message).toContain('session SES-CRIT had 1 CRIT incident(s): INC-SES-CRIT (Daily DD: 2.1%)');
    expect(none.error?.message).toContain('session SES-SHORT ran 3540 s of the required 3600 s');
    // After the CRIT session's window (one engine per state file: sessions never overlap).
    dryRunSession('SES-GOOD', at + HOUR + 10_000, HOUR);
    await add('dry-run', '--by', 'ana');
    expect(await refusedItems()).toEqual(['approver', 'briefing']);

    const wrongRole = await yunmin('approval', 'add', 'approver', '--name', 'Mina', '--role', 'CEO');
    expect(wrongRole.error).toMatchObject({
      code: 'APPROVAL_WRONG_ROLE',
      message: 'role: expected CTO (approval.approver_role), got "CEO"',
    });
    await add('approver', '--name', 'Mina', '--role', 'CTO');
    expect(await refusedItems()).toEqual(['briefing']);
    const missingFlag = await yunmin('approval', 'add', 'briefing');
    expect(missingFlag.error?.message).toMatch(/--by <name>/);
    await add('briefing', '--by', 'bo');

    const status = await yunmin('approval', 'status');
    expect(status.out).toMatch(/gate\s+COMPLETE/);
    expect(status.out).toMatch(/✓ dry-run\s+Fix tested in dry-run: session SES-GOOD: 3600 s on config/);
    const released = await yunmin('kill-switch', 'release', '--by', 'bo', '--json');
    expect(released.error).toBeUndefined();
    expect(JSON.parse(released.out)).toMatchObject({
      record: { state: 'ARMED', releasedBy: 'operator:bo', forced: false },
      gate: { forced: false, missing: [] },
    });

    const incidentId = withStore('LIVE', (store) => store.listIncidents()[0]?.id ?? '');
    const shown = await yunmin('incidents', 'show', incidentId);
    expect(shown.out).toMatch(/OK\s+approval root-cause\s+by operator:ana: strategy kept adding/);
    expect(shown.out).toMatch(/OK\s+resumption gate\s+complete; released by operator:bo/);
    const postmortem = await yunmin('postmortem', incidentId);
    expect(postmortem.out).toContain(
      '- [x] Root cause identified: by operator:ana: strategy kept adding in a falling market',
    );
    expect(postmortem.out).toContain('## Resumption gate (playbook §5 step 5)');
    expect(postmortem.out).toMatch(/\| Fix tested in dry-run \| recorded \| [^|]+ \| by operator:ana: SES-GOOD \|/);
    expect(postmortem.out).toMatch(/\| Approval \| recorded \| [^|]+ \| by operator:Mina: Mina \(CTO\) \|/);
    expect(postmortem.out).toMatch(/Release: at [^,]+, complete; released by operator:bo/);
  });

  it('trip → only the root cause → release --force → ARMED, forced, CRIT; the postmortem shows FORCED and what was missing', async () => {
    expect((await yunmin('kill-switch', 'trigger', '--reason', 'drill: second', '--by', 'ana')).error).toBeUndefined();
    expect(
      (await yunmin('approval', 'add', 'root-cause', '--text', 'unknown yet', '--by', 'ana')).error,
    ).toBeUndefined();
    const forced = await yunmin('kill-switch', 'release', '--by', 'bo', '--force');
    expect(forced.error).toBeUndefined();
    expect(forced.out).toMatch(
      /WARNING\s+released by force with the resumption gate incomplete: backtest: not recorded/,
    );
    const incidentId = withStore('LIVE', (store) => {
      expect(store.getKillSwitch()).toMatchObject({ state: 'ARMED', forced: true });
      return store.listIncidents()[0]?.id ?? '';
    });
    const postmortem = await yunmin('postmortem', incidentId);
    expect(postmortem.out).toMatch(/\| Fix tested in backtest \| missing \| \| \|/);
    expect(postmortem.out).toContain('Release: **FORCED** at ');
    expect(postmortem.out).toContain(
      'forced by operator:bo, missing: backtest: not recorded; dry-run: not recorded; approver: not recorded; briefing: not recorded',
    );
    const status = await yunmin('approval', 'status', '--json');
    expect(JSON.parse(status.out)).toMatchObject({ killSwitch: 'ARMED', complete: true });
  });
});
