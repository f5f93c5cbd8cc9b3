import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite-store/sqlite-store.ts';
import { configHash } from '../../src/app/config/config-hash.ts';
import { loadConfig } from '../../src/app/config/load-config.ts';
import { type RunningEngine, startEngineApp, storePath } from '../../src/app/engine-app.ts';
import { registerApprovalCommand } from '../../src/cli/approval-command.ts';
import { registerKillSwitchCommands } from '../../src/cli/kill-switch-commands.ts';
import { APPROVED_CONFIG_KEY } from '../../src/engine/approval/approval-gate.ts';
import { SystemClock } from '../../src/lib/system-clock.ts';
import { type RunningSimulator, startSimulator } from '../../src/sim/simulator.ts';
import { writeEngineConfig } from './engine-process.ts';

// The resumption gate with the engine up: a DRY_RUN engine records its session; a LIVE engine takes
// `yunmin approval …` through its control API and refuses release; --reset-state and a changed config
// are not ways around the gate. Real simulator over loopback, real SQLite files, real HTTP.

const TOKEN = 'gate-token-123456';
let sim: RunningSimulator;
let dir: string;
let running: RunningEngine | undefined;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 44 });
  dir = mkdtempSync(join(tmpdir(), 'yunmin-gate-e2e-'));
  vi.stubEnv('BINANCE_API_KEY', sim.apiKey);
  vi.stubEnv('BINANCE_API_SECRET', sim.apiSecret);
  vi.stubEnv('YUNMIN_CONTROL_TOKEN', TOKEN);
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

function configFile(name: string, mode: 'LIVE' | 'DRY_RUN'): string {
  const path = writeEngineConfig(dir, name, sim, '  strategy:\n    name: churn', 'killswitch:\n  verify_s: 2\n');
  writeFileSync(path, readFileSync(path, 'utf8').replace(/^mode: LIVE$/m, `mode: ${mode}`));
  return path;
}

async function yunmin(
  configPath: string,
  ...args: string[]
): Promise<{ out: string; error?: { code?: string; message: string } }> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  registerKillSwitchCommands(program);
  registerApprovalCommand(program);
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

describe('the resumption gate with the engine up', () => {
  it('DRY_RUN engine → records its session (mode, config hash, start); stop → stopped with a final heartbeat', async () => {
    const path = configFile('dry', 'DRY_RUN');
    const config = loadConfig(path, process.env);
    running = await startEngineApp({ config, healthPort: 0 });
    const [session] = running.store.engineSessions();
    expect(session).toMatchObject({ mode: 'DRY_RUN', configHash: configHash(config) });
    expect(session?.stoppedAt).toBeUndefined();
    await running.stop();
    running = undefined;
    const store = SqliteStore.open({ path: storePath(config), clock: new SystemClock() });
    try {
      expect(store.engineSessions()[0]).toMatchObject({ id: session?.id, stoppedAt: expect.any(Number) });
    } finally {
      store.close();
    }
  });

  it('LIVE engine tripped → approval add goes through its control API; release refused listing the rest', async () => {
    const path = configFile('live', 'LIVE');
    running = await startEngineApp({ config: loadConfig(path, process.env), healthPort: 0 });
    await running.killSwitch.trip('drill: gate e2e', 'operator:ana');
    const added = await yunmin(path, 'approval', 'add', 'briefing', '--by', 'bo', '--json');
    expect(added.error).toBeUndefined();
    expect(JSON.parse(added.out)).toMatchObject({ killSwitch: 'TRIPPED', complete: false });
    // Recorded by the engine in its own store.
    const incident = running.incidents.current('KILL_SWITCH');
    expect(running.store.gateEntries(incident?.id ?? '').map((entry) => entry.item)).toEqual(['briefing']);
    const refused = await yunmin(path, 'kill-switch', 'release', '--by', 'bo');
    expect(refused.error?.code).toBe('APPROVAL_GATE_INCOMPLETE');
    expect(refused.error?.message).toMatch(
      /root-cause: not recorded; backtest: not recorded; dry-run: [^;]+; approver: not recorded\./,
    );
    expect(refused.error?.message).not.toContain('briefing:');
  });

  it('engine stopped while TRIPPED → --reset-state refused (ENGINE_RESET_REFUSED); with the override → starts, CRIT logged', async () => {
    const path = join(dir, 'live.yaml'); // the previous test left this store TRIPPED
    const config = loadConfig(path, process.env);
    await expect(startEngineApp({ config, healthPort: 0, resetState: true })).rejects.toMatchObject({
      code: 'ENGINE_RESET_REFUSED',
      message: expect.stringContaining('resumption gate is incomplete (root-cause: not recorded'),
    });
    running = await startEngineApp({ config, healthPort: 0, resetState: true, overrideApprovalGate: true });
    expect(running.store.getKillSwitch().state).toBe('ARMED');
    expect(readFileSync(join(dir, 'logs', 'trading.log'), 'utf8')).toMatch(
      /\| CRIT \| --reset-state --force clears a TRIPPED kill switch with the resumption gate incomplete: root-cause/,
    );
  });

  it('released for one config, LIVE started on another → APPROVAL_CONFIG_CHANGED; on the approved one → starts and clears it', async () => {
    const path = configFile('approved', 'LIVE');
    const config = loadConfig(path, process.env);
    const store = SqliteStore.open({ path: storePath(config), clock: new SystemClock() });
    store.setValue(APPROVED_CONFIG_KEY, 'f'.repeat(64));
    store.close();
    await expect(startEngineApp({ config, healthPort: 0 })).rejects.toMatchObject({ code: 'APPROVAL_CONFIG_CHANGED' });
    const again = SqliteStore.open({ path: storePath(config), clock: new SystemClock() });
    again.setValue(APPROVED_CONFIG_KEY, configHash(config));
    again.close();
    running = await startEngineApp({ config, healthPort: 0 });
    expect(running.store.getValue(APPROVED_CONFIG_KEY)).toBe('');
  });
});
