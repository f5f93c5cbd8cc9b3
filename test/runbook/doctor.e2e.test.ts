import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/app/doctor/run-doctor.ts';
import { type RunningSimulator, startSimulator } from '../../src/sim/simulator.ts';
import { writeEngineConfig } from '../engine/engine-process.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'yunmin.js');

// Issue 7 point 5: `yunmin doctor` against a running simulator over loopback, as a real process.
describe('yunmin doctor against the simulator', () => {
  let sim: RunningSimulator;
  let dir: string;
  let configPath: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 4 });
    dir = mkdtempSync(join(tmpdir(), 'yunmin-doctor-'));
    configPath = writeEngineConfig(dir, 'doctor', sim, '  strategy:\n    name: churn');
    env = { ...process.env, BINANCE_API_KEY: sim.apiKey, BINANCE_API_SECRET: sim.apiSecret };
  });
  afterAll(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const doctor = async (environment: NodeJS.ProcessEnv) => {
    try {
      const { stdout } = await run(
        process.execPath,
        [bin, 'doctor', '--json', '--pings', '3', '--config', configPath],
        {
          env: environment,
        },
      );
      return { code: 0, report: JSON.parse(stdout) as DoctorReport };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      if (failed.stdout === '') throw new Error(`doctor crashed: ${failed.stderr}`);
      return { code: failed.code, report: JSON.parse(failed.stdout) as DoctorReport };
    }
  };
  const check = (report: DoctorReport, name: string) => report.checks.find((c) => c.name === name);

  it('a healthy simulator, no state yet → every check present, none fails, exit 0; the missing state file is a warn', async () => {
    const { code, report } = await doctor(env);
    expect(report.checks.map((c) => c.name)).toEqual([
      'dns 127.0.0.1',
      'rest ping',
      'server time offset',
      'rate-limit headroom',
      'ws connect + first message',
      'api key permissions',
      'disk state_dir',
      'disk logs_dir',
      'state file',
    ]);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(code).toBe(0);
    expect(check(report, 'rest ping')?.detail).toMatch(/^3 pings: p50 \d+ ms/);
    expect(check(report, 'ws connect + first message')?.status).toBe('pass');
    expect(check(report, 'api key permissions')?.status).toBe('pass');
    expect(check(report, 'rate-limit headroom')?.detail).toMatch(/used weight \d+\/2400/);
    expect(check(report, 'state file')?.status).toBe('warn');
  });

  it('a wrong API secret → api key permissions fail, exit 1, and the secret is not printed', async () => {
    const { code, report } = await doctor({ ...env, BINANCE_API_SECRET: 'wrong-secret-value-123' });
    expect(code).toBe(1);
    expect(check(report, 'api key permissions')?.status).toBe('fail');
    expect(JSON.stringify(report)).not.toContain('wrong-secret-value-123');
  });

  it('a corrupt state file → state file fail, exit 1', async () => {
    mkdirSync(join(dir, 'state'), { recursive: true });
    writeFileSync(join(dir, 'state', 'yunmin.sqlite'), Buffer.alloc(4096, 0x41));
    try {
      const { code, report } = await doctor(env);
      expect(code).toBe(1);
      expect(check(report, 'state file')).toMatchObject({ status: 'fail' });
      expect(report.status).toBe('fail');
    } finally {
      rmSync(join(dir, 'state', 'yunmin.sqlite'));
    }
  });

  it('the exchange is unreachable → rest ping and ws fail, readable text output, exit 1', async () => {
    const down = writeEngineConfig(
      dir,
      'down',
      { ...sim, urls: { rest: 'http://127.0.0.1:1', ws: 'ws://127.0.0.1:1', control: '' } },
      '',
    );
    const failed = await run(process.execPath, [bin, 'doctor', '--pings', '1', '--ws-timeout', '2', '--config', down], {
      env,
    }).catch((error: { code: number; stdout: string }) => error);
    expect('code' in failed && failed.code).toBe(1);
    expect(failed.stdout).toMatch(/FAIL\s+rest ping/);
    expect(failed.stdout).toMatch(/FAIL\s+ws connect \+ first message/);
    expect(failed.stdout).toContain('overall: FAIL');
  });
});
