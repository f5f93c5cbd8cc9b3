import { formatFixedTrimmed } from '../../lib/fixed.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import type { KillSwitch, KillSwitchRelease, KillSwitchStatus } from './kill-switch.ts';
import { describeVerification, type KillSwitchVerification } from './kill-switch-verification.ts';

/**
 * An operator command run inside the engine. The same shape as `ControlCommand` in
 * src/server/health-server.ts, restated here because the engine layer may not import the server.
 */
export type KillSwitchControlCommand = (args: Readonly<Record<string, unknown>>) => Promise<unknown>;

/** JSON of a verification (decimals as strings), as the CLI prints it with --json. */
export interface VerificationJson {
  readonly at: number;
  readonly attempt: number;
  readonly path?: string;
  readonly flat: boolean;
  readonly openOrders: number;
  readonly positions: readonly { readonly symbol: string; readonly amount: string }[];
  readonly error?: string;
  readonly summary: string;
}

export interface KillSwitchStatusJson {
  readonly record: KillSwitchStatus['record'];
  readonly lastVerification: VerificationJson | null;
  readonly retrying: boolean;
  readonly stuck: boolean;
  readonly incidentId: string | null;
}

export interface KillSwitchReleaseJson {
  readonly record: KillSwitchRelease['record'];
  readonly forced: boolean;
  readonly verification: VerificationJson;
  /** The resumption gate at release (null when none applies): forced, and what was missing. */
  readonly gate: { readonly forced: boolean; readonly missing: readonly string[] } | null;
}

export function verificationJson(verification: KillSwitchVerification): VerificationJson {
  return {
    at: verification.at,
    attempt: verification.attempt,
    ...(verification.path !== undefined && { path: verification.path }),
    flat: verification.flat,
    openOrders: verification.openOrders,
    positions: verification.positions.map((p) => ({ symbol: p.symbol, amount: formatFixedTrimmed(p.amount) })),
    ...(verification.error !== undefined && { error: verification.error }),
    summary: describeVerification(verification),
  };
}

export function killSwitchStatusJson(status: KillSwitchStatus): KillSwitchStatusJson {
  return {
    record: status.record,
    lastVerification: status.lastVerification === undefined ? null : verificationJson(status.lastVerification),
    retrying: status.retrying,
    stuck: status.stuck,
    incidentId: status.incidentId ?? null,
  };
}

export function killSwitchReleaseJson(release: KillSwitchRelease): KillSwitchReleaseJson {
  return {
    record: release.record,
    forced: release.forced,
    verification: verificationJson(release.verification),
    gate: release.gate ?? null,
  };
}

/** "ana" → "operator:ana" (the convention of TradingStateRecord.changedBy); "automation:x" stays. */
export function operatorName(name: string): string {
  return name.includes(':') ? name : `operator:${name}`;
}

function requiredText(args: Readonly<Record<string, unknown>>, key: string, what: string): string {
  const value = args[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new YunminError('CONTROL_INVALID_ARGUMENTS', `${key}: expected ${what}, got ${JSON.stringify(value)}`);
  }
  if (value.length > 200) throw new YunminError('CONTROL_INVALID_ARGUMENTS', `${key}: at most 200 characters`);
  return value.trim();
}

function optionalFlag(args: Readonly<Record<string, unknown>>, key: string): boolean {
  const value = args[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') {
    throw new YunminError('CONTROL_INVALID_ARGUMENTS', `${key}: expected true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The kill switch's control commands for the running engine (`POST /control/command/:name`, used by
 * `yunmin kill-switch …` when an engine runs): `kill-switch.status`, `kill-switch.trigger {reason, by}`,
 * `kill-switch.release {by, force?}`. Results are plain JSON.
 */
export function killSwitchCommands(killSwitch: KillSwitch): Map<string, KillSwitchControlCommand> {
  return new Map<string, KillSwitchControlCommand>([
    ['kill-switch.status', async () => killSwitchStatusJson(killSwitch.status())],
    [
      'kill-switch.trigger',
      async (args) => {
        const reason = requiredText(args, 'reason', 'why the kill switch is triggered');
        const by = operatorName(requiredText(args, 'by', "the operator's name"));
        return killSwitchStatusJson(await killSwitch.trip(reason, by));
      },
    ],
    [
      'kill-switch.release',
      async (args) => {
        const by = operatorName(requiredText(args, 'by', "the operator's name"));
        return killSwitchReleaseJson(await killSwitch.release(by, optionalFlag(args, 'force')));
      },
    ],
  ]);
}
