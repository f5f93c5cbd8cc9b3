import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../lib/random.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { FakeFaultTargets } from './fake-fault-targets.ts';
import { FaultInjector } from './fault-injector.ts';
import { parseScenario, ScenarioError, ScenarioRunner } from './scenario.ts';

const SCENARIO_DIRECTORY = join(import.meta.dirname, '../../../scenarios');

let clock: TestClock;
let targets: FakeFaultTargets;
let injector: FaultInjector;
let runner: ScenarioRunner;

beforeEach(() => {
  clock = new TestClock();
  targets = new FakeFaultTargets();
  injector = new FaultInjector({ clock, random: createRandom(1), targets });
  runner = new ScenarioRunner({ clock, injector });
});

const types = () => injector.log().map((entry) => entry.type);

describe('ScenarioRunner', () => {
  it('steps → injected at their offsets on the clock, ties in file order', () => {
    const start = clock.now();
    const handle = runner.load(`
name: two-step
steps:
  - at: 10s
    fault: { type: ws-refuse, durationMs: 30s }
  - at: 2s
    fault: { type: rest-error, status: 503 }
  - at: 10s
    fault: { type: ws-close }
`);
    expect(handle.name).toBe('two-step');
    expect(types()).toEqual([]);
    clock.advance(1_999);
    expect(types()).toEqual([]);
    clock.advance(1);
    expect(types()).toEqual(['rest-error']);
    clock.advance(8_000);
    expect(types()).toEqual(['rest-error', 'ws-refuse', 'ws-close']);
    expect(injector.log().map((entry) => entry.startedAt - start)).toEqual([2_000, 10_000, 10_000]);
    expect(handle.finished).toBe(true);
    expect(runner.running()).toEqual([]);
  });

  it('a step at 0 → injected before load returns', () => {
    runner.load('name: now\nsteps:\n  - at: 0\n    fault: { type: clock-skew, offsetMs: 5s }\n');
    expect(injector.clockSkewMs()).toBe(5_000);
  });

  it('repeat → the steps run again every period, `times` runs in all', () => {
    const start = clock.now();
    runner.load(`
name: storm
steps:
  - at: 5s
    fault: { type: rest-error, status: 429, count: 1 }
repeat: { every: 40s, times: 3 }
`);
    clock.advance(200_000);
    expect(injector.log().map((entry) => entry.startedAt - start)).toEqual([5_000, 45_000, 85_000]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('repeat without times → runs until cancelled', () => {
    const handle = runner.load(
      'name: forever\nsteps:\n  - at: 1s\n    fault: { type: ws-close }\nrepeat: { every: 10s }\n',
    );
    clock.advance(100_000);
    expect(types()).toHaveLength(10);
    handle.cancel();
    clock.advance(100_000);
    expect(types()).toHaveLength(10);
  });

  it('cancel → no further steps, and the faults it started are cleared', () => {
    const handle = runner.load(`
name: cancelled
steps:
  - at: 0s
    fault: { type: ws-freeze, durationMs: 5m }
  - at: 1m
    fault: { type: maintenance, durationMs: 1m }
`);
    expect(injector.isStreamFrozen('userData')).toBe(true);
    handle.cancel();
    expect(injector.isStreamFrozen('userData')).toBe(false);
    clock.advance(120_000);
    expect(types()).toEqual(['ws-freeze']);
    expect(handle.finished).toBe(true);
  });

  it('cancelAll → every running scenario stops', () => {
    runner.load('name: a\nsteps:\n  - at: 1m\n    fault: { type: ws-close }\n');
    runner.load('name: b\nsteps:\n  - at: 1m\n    fault: { type: ws-close }\n');
    expect(runner.cancelAll()).toBe(2);
    clock.advance(60_000);
    expect(types()).toEqual([]);
  });

  it('a step the exchange rejects → recorded on the handle with its index; later steps still run', () => {
    targets.fillError = new Error('Invalid symbol.');
    const handle = runner.load(`
name: partial
steps:
  - at: 2s
    fault: { type: ws-close }
  - at: 1s
    label: manual trade
    fault: { type: external-fill, symbol: NOPEUSDT, side: BUY, qty: "1" }
`);
    clock.advance(2_000);
    expect(handle.errors).toEqual(['step 1 (external-fill, manual trade): Invalid symbol.']);
    expect(types()).toEqual(['ws-close']);
  });

  it('invalid step → ScenarioError naming the step index and field', () => {
    const yaml = `
name: broken
steps:
  - at: 1s
    fault: { type: ws-close }
  - at: 2s
    fault: { type: rest-error, status: 503, variant: html }
`;
    expect(() => runner.load(yaml)).toThrow(ScenarioError);
    expect(() => runner.load(yaml)).toThrow(
      'invalid scenario: steps[1].fault.variant: expected one of unknown, unavailable, internal, throttled for status 503, got "html"',
    );
  });
});

describe('parseScenario', () => {
  it('bad YAML → says so, with the parser position', () => {
    const result = parseScenario('name: x\nsteps: [\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^invalid scenario YAML: .*line/s);
  });

  it('missing steps and a bad at → both named', () => {
    const noSteps = parseScenario('name: empty\n');
    expect(noSteps.ok ? '' : noSteps.message).toContain('steps:');
    const badAt = parseScenario('name: x\nsteps:\n  - at: later\n    fault: { type: ws-close }\n');
    expect(badAt.ok ? '' : badAt.message).toContain('steps[0].at: expected a duration');
  });

  it('unknown top-level field → named', () => {
    const result = parseScenario('name: x\nstep: []\nsteps:\n  - at: 0\n    fault: { type: ws-close }\n');
    expect(result.ok ? '' : result.message).toBe('invalid scenario: step: unknown field for this type');
  });

  it('repeat shorter than the last step → names repeat.every', () => {
    const result = parseScenario(
      'name: x\nsteps:\n  - at: 1m\n    fault: { type: ws-close }\nrepeat: { every: 30s }\n',
    );
    expect(result.ok ? '' : result.message).toContain('repeat.every: expected more than');
  });
});

describe('shipped scenarios/', () => {
  const files = readdirSync(SCENARIO_DIRECTORY).filter((file) => file.endsWith('.yaml'));

  it('one file at least per playbook section 1-8, plus maintenance', () => {
    for (const section of ['00', '01', '02', '03', '04', '05', '06', '07', '08']) {
      expect(files.some((file) => file.startsWith(section))).toBe(true);
    }
  });

  it.each(files)('%s → validates, cites the playbook, and runs to completion on the clock', (file) => {
    const text = readFileSync(join(SCENARIO_DIRECTORY, file), 'utf8');
    expect(text).toMatch(/^# .*(§\d|playbook)/im);
    expect(text).toMatch(/A correct engine/);
    const parsed = parseScenario(text);
    if (!parsed.ok) throw new Error(`${file}: ${parsed.message}`);
    const handle = runner.start(parsed.value);
    clock.advance(3_600_000);
    expect(handle.errors).toEqual([]);
    expect(handle.finished).toBe(true);
    expect(injector.log().length).toBeGreaterThanOrEqual(parsed.value.steps.length);
  });
});
