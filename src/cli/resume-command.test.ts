import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/sqlite-store/sqlite-store.ts';
import { resumeCommands, resumeInStore } from '../app/resume-commands.ts';
import { flashCrashBench } from '../engine/detectors/flash-crash-test-bench.ts';
import { parseFixed } from '../lib/fixed.ts';
import { TestClock } from '../lib/test-clock.ts';
import { registerResumeCommand } from './resume-command.ts';

const f = parseFixed;

/** The bench's gate and fake control, wired as the lead wires IncidentResponse. */
function commands(bench: ReturnType<typeof flashCrashBench>) {
  return resumeCommands(bench.gate, {
    tradingState: () => bench.control.state,
    operatorSetTradingState: (_state, name) => bench.control.operatorResume(name),
    killSwitch: () =>
      bench.control.killSwitch === 'TRIPPED'
        ? { state: 'TRIPPED', reason: 'Daily DD: 2.1%', at: 0, by: 'daily-drawdown' }
        : { state: 'ARMED' },
  });
}

async function crashed() {
  const bench = flashCrashBench();
  await bench.run(4, 250, () => bench.everywhere(f('100000')));
  const crash = bench.path('100000', '88000', 40);
  await bench.run(40, 250, (step) => bench.everywhere(crash(step)));
  return bench;
}

describe('resume commands', () => {
  it('resume.approve {by} → the gate status with its unmet conditions', async () => {
    const bench = await crashed();
    const approve = commands(bench).get('resume.approve');
    const status = (await approve?.({ by: 'alice' })) as { ready: boolean; unmet: string[]; approvedBy: string };
    expect(status.ready).toBe(false);
    expect(status.approvedBy).toBe('alice');
    expect(status.unmet.some((line) => line.startsWith('wait:'))).toBe(true);
  });

  it('resume without a name → RESUME_OPERATOR_REQUIRED', async () => {
    const bench = flashCrashBench();
    await expect(commands(bench).get('resume')?.({})).rejects.toMatchObject({ code: 'RESUME_OPERATOR_REQUIRED' });
    await expect(commands(bench).get('resume.approve')?.({ by: 42 })).rejects.toMatchObject({
      code: 'RESUME_OPERATOR_REQUIRED',
    });
  });

  it('resume {by} while a flash-crash gate is pending → RESUME_GATE_PENDING; with force → ACTIVE and the gate overridden on the record', async () => {
    const bench = await crashed();
    const resume = commands(bench).get('resume');
    await expect(resume?.({ by: 'bob' })).rejects.toMatchObject({ code: 'RESUME_GATE_PENDING' });
    expect(bench.control.state).toBe('HALTED');
    const result = await resume?.({ by: 'bob', force: true });
    expect(result).toEqual({ previous: 'HALTED', state: 'ACTIVE', by: 'bob', forced: true });
    expect(bench.store.ofType('FLASH_CRASH')[0]?.status).toBe('RESOLVED');
  });

  it('resume {by} with the kill switch TRIPPED → RESUME_KILL_SWITCH_TRIPPED, state unchanged', async () => {
    const bench = flashCrashBench();
    bench.control.state = 'HALTED';
    bench.control.killSwitch = 'TRIPPED';
    await expect(commands(bench).get('resume')?.({ by: 'carol', force: true })).rejects.toMatchObject({
      code: 'RESUME_KILL_SWITCH_TRIPPED',
    });
    expect(bench.control.state).toBe('HALTED');
  });

  it('resume {by} with no gate pending (e.g. REDUCING after REST errors) → ACTIVE with the operator name', async () => {
    const bench = flashCrashBench();
    bench.control.state = 'REDUCING';
    expect(await commands(bench).get('resume')?.({ by: 'dave' })).toEqual({
      previous: 'REDUCING',
      state: 'ACTIVE',
      by: 'dave',
      forced: false,
    });
    expect(bench.control.calls.at(-1)).toEqual({ kind: 'operatorResume', by: 'dave' });
  });

  it('engine not running: HALTED in the store → ACTIVE by operator:NAME, with a TradingStateChanged event', () => {
    const clock = new TestClock();
    const store = SqliteStore.open({ path: ':memory:', clock });
    store.setTradingState({ state: 'HALTED', changedAt: 1, changedBy: 'automation:reconciliation', reason: 'x' });
    const result = resumeInStore(store, ' erin ', clock.now());
    expect(result).toEqual({ previous: 'HALTED', state: 'ACTIVE', by: 'erin', forced: false });
    expect(store.getTradingState()).toMatchObject({ state: 'ACTIVE', changedBy: 'operator:erin' });
    expect(store.events().at(-1)).toMatchObject({
      type: 'TradingStateChanged',
      payload: { from: 'HALTED', to: 'ACTIVE', by: 'operator:erin' },
    });
  });

  it('engine not running, kill switch TRIPPED or no name → refused, store unchanged', () => {
    const clock = new TestClock();
    const store = SqliteStore.open({ path: ':memory:', clock });
    store.setTradingState({ state: 'HALTED', changedAt: 1, changedBy: 'automation:x', reason: 'x' });
    expect(() => resumeInStore(store, '  ', clock.now())).toThrow(/operator name/);
    store.setKillSwitch({ state: 'TRIPPED', reason: 'Daily DD: 2.1%', at: 1, by: 'daily-drawdown' });
    expect(() => resumeInStore(store, 'frank', clock.now())).toThrow(/release it first/);
    expect(store.getTradingState()?.state).toBe('HALTED');
  });

  it('yunmin resume with neither or both of --approve/--by → a usage error', async () => {
    for (const args of [['resume'], ['resume', '--approve', 'a', '--by', 'b']]) {
      const program = new Command().exitOverride();
      registerResumeCommand(program);
      await expect(program.parseAsync(args, { from: 'user' })).rejects.toMatchObject({ code: 'RESUME_USAGE' });
    }
  });
});
