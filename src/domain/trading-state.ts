/**
 * The trading state (DESIGN principle 5): automation only escalates ACTIVE → REDUCING → HALTED;
 * only an operator, named, moves it back. Reduce-only exits pass in every state.
 */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

const RANK: Readonly<Record<TradingState, number>> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

export type TradingStateChange =
  | { readonly ok: true; readonly state: TradingState; readonly changed: boolean }
  | { readonly ok: false; readonly reason: string };

export type TradingStateActor =
  | { readonly kind: 'automation'; readonly detector: string }
  | { readonly kind: 'operator'; readonly name: string };

export function changeTradingState(
  current: TradingState,
  requested: TradingState,
  actor: TradingStateActor,
): TradingStateChange {
  if (RANK[requested] >= RANK[current]) return { ok: true, state: requested, changed: requested !== current };
  if (actor.kind === 'automation') {
    return {
      ok: false,
      reason: `automation (${actor.detector}) may only escalate; ${current} → ${requested} needs an operator`,
    };
  }
  if (actor.name.trim() === '') return { ok: false, reason: 'an operator de-escalation must carry the operator name' };
  return { ok: true, state: requested, changed: true };
}

/** Whether an order may leave in this state: reduce-only exits always may (a halt must not block its own exits). */
export function mayPlaceOrder(state: TradingState, reduceOnly: boolean): boolean {
  return reduceOnly || state === 'ACTIVE';
}
