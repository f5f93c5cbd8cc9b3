import { GATE_ITEM_TITLES, GATE_ITEMS, type GateItem } from '../../domain/approval-gate.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import type { ApprovalGate, GateAddition, GateStatus } from './approval-gate.ts';

/**
 * An operator command run inside the engine. The same shape as `ControlCommand` in
 * src/server/health-server.ts, restated because the engine layer may not import the server.
 */
export type ApprovalControlCommand = (args: Readonly<Record<string, unknown>>) => Promise<unknown>;

export interface GateItemJson {
  readonly item: GateItem;
  readonly title: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly by: string | null;
  readonly at: number | null;
}

/** `yunmin approval status --json`, from the engine or from the store. */
export interface GateStatusJson {
  readonly killSwitch: 'ARMED' | 'TRIPPED';
  readonly required: boolean;
  readonly approverRole: string;
  readonly dryRunMinS: number;
  /** configHash() of the config about to go live. */
  readonly configHash: string;
  readonly incidentId: string | null;
  readonly trippedAt: number | null;
  readonly reason: string | null;
  readonly complete: boolean;
  readonly items: readonly GateItemJson[];
  readonly missing: readonly string[];
}

export function gateStatusJson(gate: ApprovalGate, status: GateStatus): GateStatusJson {
  const common = {
    required: gate.required,
    approverRole: gate.approverRole,
    dryRunMinS: gate.dryRunMinMs / 1000,
    configHash: gate.configHash,
  };
  if (status.state === 'ARMED') {
    return {
      killSwitch: 'ARMED',
      ...common,
      incidentId: null,
      trippedAt: null,
      reason: null,
      complete: true,
      items: [],
      missing: [],
    };
  }
  return {
    killSwitch: 'TRIPPED',
    ...common,
    incidentId: status.incidentId ?? null,
    trippedAt: status.trippedAt,
    reason: status.reason,
    complete: status.evaluation.complete,
    items: status.evaluation.items.map((item) => ({
      item: item.item,
      title: GATE_ITEM_TITLES[item.item],
      ok: item.ok,
      detail: item.detail,
      by: item.entry?.by ?? null,
      at: item.entry?.at ?? null,
    })),
    missing: status.evaluation.missing,
  };
}

function stringArg(args: Readonly<Record<string, unknown>>, key: string): string {
  const value = args[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new YunminError(
      'CONTROL_INVALID_ARGUMENTS',
      `${key}: expected a non-empty string, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function optionalStringArg(args: Readonly<Record<string, unknown>>, key: string): string | undefined {
  return args[key] === undefined || args[key] === null ? undefined : stringArg(args, key);
}

/** The control-command arguments of `approval.add` as a GateAddition (the CLI sends the same keys). */
export function gateAdditionFromArgs(args: Readonly<Record<string, unknown>>): GateAddition {
  const item = args.item;
  switch (item) {
    case 'root-cause':
      return { item, text: stringArg(args, 'text'), by: stringArg(args, 'by') };
    case 'backtest':
      return { item, runId: stringArg(args, 'runId'), by: stringArg(args, 'by') };
    case 'dry-run': {
      const sessionId = optionalStringArg(args, 'sessionId');
      const by = optionalStringArg(args, 'by');
      return { item, ...(sessionId !== undefined && { sessionId }), ...(by !== undefined && { by }) };
    }
    case 'approver':
      return { item, name: stringArg(args, 'name'), role: stringArg(args, 'role') };
    case 'briefing':
      return { item, by: stringArg(args, 'by') };
    default:
      throw new YunminError(
        'CONTROL_INVALID_ARGUMENTS',
        `item: expected one of ${GATE_ITEMS.join(', ')}, got ${JSON.stringify(item)}`,
      );
  }
}

/**
 * The resumption gate's control commands (`POST /control/command/:name`, used by `yunmin approval`
 * while the LIVE engine runs): `approval.status`, `approval.add {item, …}`. An engine without a gate
 * (DRY_RUN: its store is not the LIVE one) answers APPROVAL_NOT_APPLICABLE.
 */
export function approvalCommands(gate: ApprovalGate | undefined): Map<string, ApprovalControlCommand> {
  const need = (): ApprovalGate => {
    if (gate !== undefined) return gate;
    throw new YunminError(
      'APPROVAL_NOT_APPLICABLE',
      'this engine runs DRY_RUN: the resumption gate belongs to the LIVE store (stop it, or use a LIVE config)',
    );
  };
  return new Map<string, ApprovalControlCommand>([
    ['approval.status', async () => gateStatusJson(need(), need().status())],
    ['approval.add', async (args) => gateStatusJson(need(), need().add(gateAdditionFromArgs(args)))],
  ]);
}
