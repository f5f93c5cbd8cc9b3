import { describe, expect, it } from 'vitest';
import { parseFixed } from '../../lib/fixed.ts';
import { flashCrashBench, WAIT_MS } from './flash-crash-test-bench.ts';

const f = parseFixed;
const STEP = 250;

/** A real BTCUSDT crash to 88000, detected; returns the bench with trading HALTED. */
async function crashed() {
  const bench = flashCrashBench();
  await bench.run(4, STEP, () => bench.everywhere(f('100000')));
  const crash = bench.path('100000', '88000', 40);
  await bench.run(40, STEP, (step) => bench.everywhere(crash(step)));
  const incident = bench.store.ofType('FLASH_CRASH')[0];
  if (incident === undefined) throw new Error('the crash was not detected');
  expect(bench.control.state).toBe('HALTED');
  return { bench, incident };
}

const kinds = (unmet: readonly string[]) => unmet.map((line) => line.slice(0, line.indexOf(':')));

describe('resume gate (§7 step 3)', () => {
  it('right after the crash → not ready: price still moving, wait, approval (exchange up after the first ping)', async () => {
    const { bench } = await crashed();
    const status = bench.gate.check();
    expect(status.pending).toBe(true);
    expect(status.ready).toBe(false);
    expect(kinds(status.unmet)).toEqual(['price', 'wait', 'approval']);
    expect(status.unmet[0]).toMatch(/^price: BTCUSDT moved 1[0-2](\.\d+)?% in the last window \(must be < 1%\)$/);
    expect(bench.state.pings).toBe(1);
  });

  it('approval given early waits for the conditions: resumes at exactly resume_wait_s after detection, in the approver’s name, incident resolved', async () => {
    const { bench, incident } = await crashed();
    const status = await bench.gate.approve('alice');
    expect(status).toMatchObject({ pending: true, ready: false, approvedBy: 'alice', resumed: false });
    expect(kinds(status.unmet)).toEqual(['price', 'wait']);

    const until = incident.detectedAt + WAIT_MS - STEP;
    while (bench.clock.now() < until) await bench.run(1, STEP, () => bench.everywhere(f('88000')));
    expect(bench.control.state).toBe('HALTED');
    expect(kinds(bench.gate.check().unmet)).toEqual(['wait']);
    await bench.run(1, STEP, () => bench.everywhere(f('88000')));
    expect(bench.clock.now()).toBe(incident.detectedAt + WAIT_MS);
    expect(bench.control.state).toBe('ACTIVE');
    expect(bench.control.calls.at(-1)).toEqual({ kind: 'operatorResume', by: 'alice' });
    const resolved = bench.store.getIncident(incident.id);
    expect(resolved?.status).toBe('RESOLVED');
    expect(resolved?.actions.map((a) => `${a.action}:${a.result}`)).toContain('resume by alice:ok');
    expect(bench.gate.check().pending).toBe(false);
  });

  it('every market condition met but nobody approved → never resumes (automation does not de-escalate)', async () => {
    const { bench } = await crashed();
    await bench.run(600, 1_000, () => bench.everywhere(f('88000')));
    expect(bench.control.state).toBe('HALTED');
    expect(bench.control.count('operatorResume')).toBe(0);
    expect(kinds(bench.gate.check().unmet)).toEqual(['approval']);
  });

  it('approval once ready → resumes at once and says so', async () => {
    const { bench } = await crashed();
    await bench.run(360, 1_000, () => bench.everywhere(f('88000')));
    const status = await bench.gate.approve('  bob ');
    expect(status).toEqual({ pending: false, ready: true, unmet: [], approvedBy: 'bob', resumed: true });
    expect(bench.control.state).toBe('ACTIVE');
  });

  it.each([
    { condition: 'spread', quote: { mark: f('88000'), mid: f('88000'), halfSpread: f('100'), trade: f('88000') } },
    { condition: 'depth', quote: { mark: f('88000'), mid: f('88000'), qty: 0n, trade: f('88000') } },
    { condition: 'exchange', quote: { mark: f('88000'), mid: f('88000'), trade: f('88000') }, pingFails: true },
  ])(
    'approved and waited, but $condition not normal → refused with only that unmet; once normal → resumed',
    async ({ condition, quote, pingFails }) => {
      const { bench } = await crashed();
      await bench.gate.approve('carol');
      bench.state.pingOk = pingFails !== true;
      await bench.run(360, 1_000, () => quote);
      expect(bench.control.state).toBe('HALTED');
      expect(kinds(bench.gate.check().unmet)).toEqual([condition]);
      bench.state.pingOk = true;
      await bench.run(6, 1_000, () => bench.everywhere(f('88000')));
      expect(bench.control.state).toBe('ACTIVE');
      expect(bench.control.calls.at(-1)).toEqual({ kind: 'operatorResume', by: 'carol' });
    },
  );

  it('price still swinging 1.1 % within the window → refused; below 1 % → resumed', async () => {
    const { bench } = await crashed();
    await bench.gate.approve('dave');
    await bench.run(360, 1_000, (step) => bench.everywhere(f(step % 2 === 0 ? '88000' : '88968')));
    expect(kinds(bench.gate.check().unmet)).toEqual(['price']);
    await bench.run(55, 1_000, (step) => bench.everywhere(f(step % 2 === 0 ? '88000' : '88800')));
    expect(bench.control.state).toBe('HALTED'); // the 1.1 % swings are still in the window
    await bench.run(6, 1_000, (step) => bench.everywhere(f(step % 2 === 0 ? '88000' : '88800')));
    expect(bench.control.state).toBe('ACTIVE');
  });

  it('de-escalation refused (kill switch TRIPPED) → failure recorded, approval dropped, no retry loop', async () => {
    const { bench, incident } = await crashed();
    bench.control.killSwitch = 'TRIPPED';
    await bench.run(360, 1_000, () => bench.everywhere(f('88000')));
    const status = await bench.gate.approve('erin');
    expect(status.resumed).toBe(false);
    expect(kinds(status.unmet)).toEqual(['approval']);
    await bench.run(60, 1_000, () => bench.everywhere(f('88000')));
    const actions = bench.store.getIncident(incident.id)?.actions ?? [];
    expect(actions.filter((a) => a.action === 'resume by erin' && a.result === 'failed')).toHaveLength(1);
    expect(bench.control.state).toBe('HALTED');
  });

  it('a second crash after the approval → that approval does not cover it', async () => {
    const { bench } = await crashed();
    await bench.gate.approve('frank');
    const eth = bench.path('3000', '2600', 40);
    for (let step = 1; step <= 40; step += 1) {
      bench.clock.advance(STEP);
      bench.quote('BTCUSDT', bench.everywhere(f('88000')));
      bench.quote('ETHUSDT', bench.everywhere(eth(step)));
      await bench.tick(0);
    }
    expect(bench.store.ofType('FLASH_CRASH')).toHaveLength(2);
    expect(kinds(bench.gate.check().unmet)).toContain('approval');
    expect(bench.gate.check().approvedBy).toBeUndefined();
  });

  it('approval without a name → refused; with nothing pending → says so, changes nothing', async () => {
    const { bench } = await crashed();
    await expect(bench.gate.approve('  ')).rejects.toMatchObject({ code: 'RESUME_APPROVER_REQUIRED' });
    const idle = flashCrashBench();
    expect(await idle.gate.approve('gina')).toMatchObject({ pending: false, ready: false, resumed: false });
    expect(idle.control.calls).toEqual([]);
  });

  it('override (resume --by NAME --force) → incidents resolved with the name and the unmet conditions recorded', async () => {
    const { bench, incident } = await crashed();
    bench.gate.override('hank');
    const resolved = bench.store.getIncident(incident.id);
    expect(resolved?.status).toBe('RESOLVED');
    expect(resolved?.actions.at(-1)?.action).toBe('resume gate overridden by hank');
    expect(resolved?.actions.at(-1)?.detail).toContain('approval');
    expect(bench.gate.check().pending).toBe(false);
  });
});
