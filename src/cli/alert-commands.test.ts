import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../app/config/load-config.ts';
import { openLocalStore } from '../app/exchange-session.ts';
import type { Incident } from '../domain/incident.ts';
import type { AlertChannel } from '../ports/alert-sink.ts';
import { type AlertCommandDeps, registerAlertCommands } from './alert-commands.ts';

// In-process, no engine running: the commands act on the engine's SQLite store directly.

let dir: string;
let configPath: string;

const INCIDENT: Incident = {
  id: 'INC-CLI-1',
  type: 'DAILY_DRAWDOWN',
  severity: 'CRIT',
  summary: 'Daily DD: 2.1%',
  firstEvidenceAt: Date.UTC(2026, 0, 27, 14, 44, 58),
  firstEvidence: 'equity 293.70',
  detectedAt: Date.UTC(2026, 0, 27, 14, 45, 0),
  actions: [],
  status: 'OPEN',
  acknowledgements: [],
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'yunmin-alert-cli-'));
  configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, `state_dir: ${join(dir, 'state')}\nlogs_dir: ${join(dir, 'logs')}\n`);
  vi.stubEnv('YUNMIN_CONTROL_TOKEN', '');
  const store = openLocalStore(loadConfig(configPath, process.env));
  store.saveIncident(INCIDENT);
  store.close();
});

afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

function stored(id: string): Incident | undefined {
  const store = openLocalStore(loadConfig(configPath, process.env));
  try {
    return store.getIncident(id);
  } finally {
    store.close();
  }
}

async function yunmin(
  deps: AlertCommandDeps,
  ...args: string[]
): Promise<{ out: string; error?: { code?: string; message: string } }> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  registerAlertCommands(program, deps);
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

describe('alert commands with the engine down', () => {
  it('ack ID --by NAME → the acknowledgement is in the store', async () => {
    const { out, error } = await yunmin({}, 'ack', INCIDENT.id, '--by', 'ana');
    expect(error).toBeUndefined();
    expect(out).toContain('acknowledged by ana');
    expect(stored(INCIDENT.id)?.acknowledgements.map((a) => a.by)).toEqual(['ana']);
  });

  it('ack of an unknown id → CLI_NOT_FOUND', async () => {
    const { error } = await yunmin({}, 'ack', 'INC-NOPE', '--by', 'ana');
    expect(error?.code).toBe('CLI_NOT_FOUND');
  });

  it('postmortem ID --out FILE → the Markdown written, the draft recorded on the incident', async () => {
    const out = join(dir, 'pm.md');
    const result = await yunmin({}, 'postmortem', INCIDENT.id, '--out', out, '--pnl', '-13.50 USDT');
    expect(result.error).toBeUndefined();
    const markdown = readFileSync(out, 'utf8');
    expect(markdown).toContain('# Post-incident review: INC-CLI-1');
    expect(markdown).toContain('Impact: PnL -13.50 USDT');
    expect(markdown).toContain('ana (+');
    expect(stored(INCIDENT.id)?.actions.map((a) => a.action)).toContain('postmortem generated');
  });

  it('postmortem ID → Markdown on stdout', async () => {
    const { out } = await yunmin({}, 'postmortem', INCIDENT.id);
    expect(out).toContain('## Review checklist');
  });

  it('alerts test with no channels configured → says so clearly', async () => {
    const { error } = await yunmin({}, 'alerts', 'test');
    expect(error?.code).toBe('CLI_NO_ALERT_CHANNELS');
    expect(error?.message).toContain('no alert channels are configured');
  });

  it('alerts test → a table with one row per channel; a failure fails the command', async () => {
    const channel = (name: string, ok: boolean): AlertChannel => ({
      name,
      kind: 'webhook',
      send: async () => ({ channel: name, ok, attempts: ok ? 1 : 3, ...(!ok && { error: 'HTTP 500' }), at: 0 }),
    });
    const deps: AlertCommandDeps = { buildChannels: () => [channel('hook-a', true), channel('hook-b', false)] };
    const all = await yunmin(deps, 'alerts', 'test');
    expect(all.out).toMatch(/hook-a\s+webhook\s+delivered\s+1/);
    expect(all.out).toMatch(/hook-b\s+webhook\s+FAILED\s+3\s+HTTP 500/);
    expect(all.error?.code).toBe('CLI_ALERT_TEST_FAILED');
    const one = await yunmin(deps, 'alerts', 'test', '--channel', 'hook-a');
    expect(one.error).toBeUndefined();
    expect(one.out).not.toContain('hook-b');
    const missing = await yunmin(deps, 'alerts', 'test', '--channel', 'nope');
    expect(missing.error?.code).toBe('CLI_NOT_FOUND');
  });
});
