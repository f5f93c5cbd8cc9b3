import { describe, expect, it } from 'vitest';
import {
  type LocalOrderState,
  ORDER_TRANSITIONS,
  type OrderEvent,
  TERMINAL_ORDER_STATES,
  transitionOrder,
} from './order-transitions.ts';

const STATES = Object.keys(ORDER_TRANSITIONS) as LocalOrderState[];
const EVENTS: readonly OrderEvent[] = [
  'send',
  'accepted',
  'rejected',
  'outcomeUnknown',
  'partialFill',
  'fill',
  'cancelRequested',
  'canceled',
  'cancelRejected',
  'expired',
  'notFound',
];

describe('order transitions', () => {
  it('every (state, event) pair → listed pairs move to the listed state, all others are rejected', () => {
    let listed = 0;
    for (const state of STATES) {
      for (const event of EVENTS) {
        const expected = ORDER_TRANSITIONS[state][event];
        const result = transitionOrder(state, event);
        if (expected === undefined) {
          expect(result.ok, `${state} + ${event}`).toBe(false);
        } else {
          listed += 1;
          expect(result, `${state} + ${event}`).toEqual({ ok: true, state: expected });
        }
      }
    }
    expect(listed).toBe(39);
  });

  it('terminal states → accept no event at all (a late venue event is data, not a state change)', () => {
    for (const state of TERMINAL_ORDER_STATES) {
      for (const event of EVENTS) expect(transitionOrder(state, event).ok).toBe(false);
    }
  });

  it('unknown outcome → resolved by what the query finds, never by a resend', () => {
    expect(transitionOrder('SUBMITTED', 'outcomeUnknown')).toEqual({ ok: true, state: 'UNKNOWN' });
    expect(transitionOrder('UNKNOWN', 'send').ok).toBe(false);
    expect(transitionOrder('UNKNOWN', 'fill')).toEqual({ ok: true, state: 'FILLED' });
    expect(transitionOrder('UNKNOWN', 'notFound')).toEqual({ ok: true, state: 'NOT_PLACED' });
  });

  it('fill racing a cancel → FILLED from PENDING_CANCEL', () => {
    expect(transitionOrder('PENDING_CANCEL', 'fill')).toEqual({ ok: true, state: 'FILLED' });
  });

  it('every non-terminal state → has a way to a terminal state', () => {
    for (const state of STATES) {
      if (TERMINAL_ORDER_STATES.has(state)) continue;
      const reachable = new Set<LocalOrderState>([state]);
      let grew = true;
      while (grew) {
        grew = false;
        for (const from of [...reachable]) {
          for (const next of Object.values(ORDER_TRANSITIONS[from])) {
            if (next !== undefined && !reachable.has(next)) {
              reachable.add(next);
              grew = true;
            }
          }
        }
      }
      expect(
        [...reachable].some((s) => TERMINAL_ORDER_STATES.has(s)),
        state,
      ).toBe(true);
    }
  });
});
