import type { KillSwitchRecord } from '../domain/kill-switch-record.ts';
import { changeTradingState, type TradingState } from '../domain/trading-state.ts';
import type { ResumeGate } from '../engine/detectors/resume-gate.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import type { Store } from '../ports/store.ts';
import type { ControlCommand } from '../server/health-server.ts';

/** What the running engine gives the resume commands (the lead wires IncidentResponse and the store). */
export interface ResumeCommandDeps {
  tradingState(): TradingState;
  /** The operator path back (IncidentResponse.operatorSetTradingState): the name is recorded. */
  operatorSetTradingState(state: TradingState, name: string, reason: string): TradingState;
  /** The persisted kill switch (store.getKillSwitch()): resume is refused while it is TRIPPED. */
  killSwitch(): KillSwitchRecord;
}

export interface ResumeResult {
  readonly previous: TradingState;
  readonly state: TradingState;
  readonly by: string;
  readonly forced: boolean;
}

export function operatorName(args: Readonly<Record<string, unknown>>): string {
  const by = args.by;
  if (typeof by !== 'string' || by.trim() === '')
    throw new YunminError('RESUME_OPERATOR_REQUIRED', 'resume needs the operator name: {"by": "NAME"}');
  return by.trim();
}

export function refuseWhileTripped(killSwitch: KillSwitchRecord): void {
  if (killSwitch.state === 'TRIPPED')
    throw new YunminError(
      'RESUME_KILL_SWITCH_TRIPPED',
      `the kill switch is TRIPPED (${killSwitch.reason}, by ${killSwitch.by}): release it first with \`yunmin kill-switch release --by NAME\``,
    );
}

/**
 * The control commands a running engine registers (`POST /control/command/:name`):
 * - `resume.approve {by}`: the §7 flash-crash gate approval; answers the gate's status (unmet conditions);
 * - `resume {by, force?}`: the operator de-escalation HALTED/REDUCING → ACTIVE with the name recorded,
 *   refused while the kill switch is TRIPPED, and while a flash-crash halt waits for its gate unless
 *   `force` (then the gate is overridden, loudly, on the incident record).
 */
export function resumeCommands(gate: ResumeGate, deps: ResumeCommandDeps): Map<string, ControlCommand> {
  return new Map<string, ControlCommand>([
    ['resume.approve', async (args) => gate.approve(operatorName(args))],
    [
      'resume',
      async (args): Promise<ResumeResult> => {
        const by = operatorName(args);
        const forced = args.force === true;
        refuseWhileTripped(deps.killSwitch());
        const status = gate.check();
        if (status.pending && !forced)
          throw new YunminError(
            'RESUME_GATE_PENDING',
            `a flash-crash halt waits for its resume gate (${status.unmet.join('; ')}): use \`yunmin resume --approve NAME\`, or --force to override`,
          );
        const previous = deps.tradingState();
        const state = deps.operatorSetTradingState('ACTIVE', by, forced ? 'yunmin resume --force' : 'yunmin resume');
        if (status.pending) gate.override(by);
        return { previous, state, by, forced };
      },
    ],
  ]);
}

/**
 * Without a running engine: the trading state is written to the store directly, under the same
 * domain rule (changeTradingState: an operator, named, may de-escalate) and recorded in the event log.
 */
export function resumeInStore(store: Store, by: string, now: number): ResumeResult {
  const name = by.trim();
  refuseWhileTripped(store.getKillSwitch());
  const previous = store.getTradingState()?.state ?? 'ACTIVE';
  const change = changeTradingState(previous, 'ACTIVE', { kind: 'operator', name });
  if (!change.ok) throw new YunminError('RESUME_REFUSED', change.reason);
  if (change.changed) {
    const changedBy = `operator:${name}`;
    const reason = 'yunmin resume (engine not running)';
    store.transaction(() => {
      store.setTradingState({ state: 'ACTIVE', changedAt: now, changedBy, reason });
      store.appendEvent({
        type: 'TradingStateChanged',
        at: now,
        payload: { from: previous, to: 'ACTIVE', by: changedBy, reason },
      });
    });
  }
  return { previous, state: 'ACTIVE', by: name, forced: false };
}
