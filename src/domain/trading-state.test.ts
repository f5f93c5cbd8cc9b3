import { describe, expect, it } from 'vitest';
import { changeTradingState, mayPlaceOrder, type TradingState } from './trading-state.ts';

const STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];
const RANK = { ACTIVE: 0, REDUCING: 1, HALTED: 2 } as const;

describe('trading state', () => {
  it('every pair, automation → escalation (or staying) allowed, de-escalation refused', () => {
    for (const from of STATES) {
      for (const to of STATES) {
        const result = changeTradingState(from, to, { kind: 'automation', detector: 'test' });
        expect(result.ok, `${from} → ${to}`).toBe(RANK[to] >= RANK[from]);
      }
    }
  });

  it('every pair, a named operator → allowed; an unnamed one de-escalating → refused', () => {
    for (const from of STATES) {
      for (const to of STATES) {
        expect(changeTradingState(from, to, { kind: 'operator', name: 'alice' }).ok).toBe(true);
        const unnamed = changeTradingState(from, to, { kind: 'operator', name: ' ' });
        expect(unnamed.ok, `${from} → ${to}`).toBe(RANK[to] >= RANK[from]);
      }
    }
  });

  it('reduce-only exits → pass in every state; new exposure → only when ACTIVE', () => {
    for (const state of STATES) {
      expect(mayPlaceOrder(state, true)).toBe(true);
      expect(mayPlaceOrder(state, false)).toBe(state === 'ACTIVE');
    }
  });
});
