import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import { durationSchema } from './duration.ts';
import type { ActiveFault } from './fault-injector.ts';
import {
  describeIssues,
  type FaultSpec,
  type FaultSpecInput,
  faultSpecSchema,
  joinIssues,
  type ParseResult,
  type ValidationIssue,
} from './fault-spec.ts';

/**
 * A drill script: faults placed on a timeline, written in YAML (scenarios/ at the repo root, one per
 * playbook incident) and run on the Clock, so a test can replay a whole incident by advancing time.
 *
 *   name: rest-rate-limit-storm
 *   steps:
 *     - at: 5s
 *       fault: { type: rest-error, status: 429, count: 3 }
 *   repeat: { every: 2m, times: 3 }     # optional
 */

const stepSchema = z.strictObject({
  /** Offset from the start of the run (of each repetition). */
  at: durationSchema(),
  /** Free text shown in errors and logs. */
  label: z.string().optional(),
  fault: faultSpecSchema,
});

export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1, 'expected a non-empty name'),
    description: z.string().optional(),
    steps: z.array(stepSchema).min(1, 'expected at least one step'),
    /** Runs the steps again every `every` (from the previous run's start), `times` runs in all. */
    repeat: z
      .strictObject({
        every: durationSchema({ positive: true }),
        times: z.int().min(1).optional(),
      })
      .optional(),
  })
  .superRefine((scenario, context) => {
    const lastAt = Math.max(...scenario.steps.map((step) => step.at));
    if (scenario.repeat !== undefined && scenario.repeat.every <= lastAt) {
      context.addIssue({
        code: 'custom',
        path: ['repeat', 'every'],
        message: `expected more than the last step's at (${lastAt} ms), so runs do not overlap`,
      });
    }
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioStep = Scenario['steps'][number];

/** A scenario that does not parse or validate; the message names the step index and field. */
export class ScenarioError extends YunminError {
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, issues: readonly ValidationIssue[]) {
    super('SIM_SCENARIO_INVALID', message);
    this.name = 'ScenarioError';
    this.issues = issues;
  }
}

/** Parses and validates scenario YAML (or an already parsed object). */
export function parseScenario(source: string | unknown): ParseResult<Scenario> {
  let document: unknown = source;
  if (typeof source === 'string') {
    try {
      document = parseYaml(source);
    } catch (error) {
      const message = `invalid scenario YAML: ${error instanceof Error ? error.message : String(error)}`;
      return { ok: false, message, issues: [{ path: '', message }] };
    }
  }
  const result = scenarioSchema.safeParse(document);
  if (result.success) return { ok: true, value: result.data };
  const issues = describeIssues(result.error.issues);
  return { ok: false, message: `invalid scenario: ${joinIssues(issues)}`, issues };
}

export interface ScenarioInjector {
  inject(spec: FaultSpecInput): ActiveFault;
  clear(id: string): boolean;
}

export interface ScenarioHandle {
  readonly id: string;
  readonly name: string;
  readonly startedAt: number;
  /** true once the last step ran (and no repetition is left) or the run was cancelled. */
  readonly finished: boolean;
  /** Ids of every fault this run injected, in order. */
  readonly faultIds: readonly string[];
  /** Steps whose fault could not be applied ("step 2 (external-fill): Invalid symbol."). */
  readonly errors: readonly string[];
  /** Stops the run and clears the faults it injected that are still active. */
  cancel(): void;
}

export class ScenarioRunner {
  readonly #clock: Clock;
  readonly #injector: ScenarioInjector;
  #nextId = 1;
  readonly #runs = new Set<ScenarioRun>();

  constructor(deps: { readonly clock: Clock; readonly injector: ScenarioInjector }) {
    this.#clock = deps.clock;
    this.#injector = deps.injector;
  }

  /** Parses, validates and starts a scenario; throws ScenarioError naming the step and field. */
  load(yamlText: string): ScenarioHandle {
    const parsed = parseScenario(yamlText);
    if (!parsed.ok) throw new ScenarioError(parsed.message, parsed.issues);
    return this.start(parsed.value);
  }

  /** Starts a validated scenario; steps at 0 run before this returns. */
  start(scenario: Scenario): ScenarioHandle {
    const run = new ScenarioRun(`s${this.#nextId++}`, scenario, this.#clock, this.#injector, (done) =>
      this.#runs.delete(done),
    );
    this.#runs.add(run);
    run.begin();
    return run;
  }

  running(): readonly ScenarioHandle[] {
    return [...this.#runs];
  }

  /** Cancels every running scenario; returns how many. */
  cancelAll(): number {
    const runs = [...this.#runs];
    for (const run of runs) run.cancel();
    return runs.length;
  }
}

class ScenarioRun implements ScenarioHandle {
  readonly id: string;
  readonly name: string;
  readonly startedAt: number;
  readonly faultIds: string[] = [];
  readonly errors: string[] = [];
  finished = false;

  /** Sorted by `at`; `index` is the step's place in the file, for error messages. */
  readonly #steps: readonly { readonly step: ScenarioStep; readonly index: number }[];
  readonly #repeat: Scenario['repeat'];
  readonly #clock: Clock;
  readonly #injector: ScenarioInjector;
  readonly #onDone: (run: ScenarioRun) => void;
  #cycleStart: number;
  #cycle = 0;
  #next = 0;
  #timer: TimerHandle | undefined;

  constructor(
    id: string,
    scenario: Scenario,
    clock: Clock,
    injector: ScenarioInjector,
    onDone: (run: ScenarioRun) => void,
  ) {
    this.id = id;
    this.name = scenario.name;
    this.startedAt = clock.now();
    // Stable sort: steps at the same time run in file order (e.g. refuse reconnects, then close).
    this.#steps = scenario.steps.map((step, index) => ({ step, index })).sort((a, b) => a.step.at - b.step.at);
    this.#repeat = scenario.repeat;
    this.#clock = clock;
    this.#injector = injector;
    this.#onDone = onDone;
    this.#cycleStart = this.startedAt;
  }

  begin(): void {
    this.#fireDue();
  }

  cancel(): void {
    if (this.finished) return;
    this.#clock.clearTimer(this.#timer);
    this.#finish();
    for (const id of this.faultIds) this.#injector.clear(id);
  }

  /** Runs every step that is due, then sets one timer for the next (keeps file order on ties). */
  #fireDue(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (;;) {
      const next = this.#steps[this.#next];
      if (next === undefined) {
        this.#cycle += 1;
        const repeat = this.#repeat;
        if (repeat === undefined || (repeat.times !== undefined && this.#cycle >= repeat.times)) {
          this.#finish();
          return;
        }
        this.#cycleStart += repeat.every;
        this.#next = 0;
        continue;
      }
      const due = this.#cycleStart + next.step.at;
      if (due > now) {
        this.#timer = this.#clock.setTimeout(() => this.#fireDue(), due - now);
        return;
      }
      this.#next += 1;
      this.#apply(next.step, next.index);
    }
  }

  #apply(step: ScenarioStep, index: number): void {
    try {
      this.faultIds.push(this.#injector.inject(step.fault satisfies FaultSpec).id);
    } catch (error) {
      const label = step.label === undefined ? step.fault.type : `${step.fault.type}, ${step.label}`;
      this.errors.push(`step ${index} (${label}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #finish(): void {
    this.finished = true;
    this.#onDone(this);
  }
}
