import { describe, expect, it } from 'vitest';
import type { StreamConnectionState } from '../../../ports/exchange-streams.ts';
import {
  CONNECTION_EVENTS,
  CONNECTION_STATES,
  type ConnectionEvent,
  transitionConnection,
} from './connection-transitions.ts';

/** The allowed pairs, written out independently of the table: any change to the table must show here. */
const EXPECTED: ReadonlyMap<string, StreamConnectionState> = new Map([
  ['idle/connect', 'connecting'],
  ['idle/close', 'closed'],
  ['connecting/opened', 'open'],
  ['connecting/socketClosed', 'reconnecting'],
  ['connecting/forceReconnect', 'reconnecting'],
  ['connecting/close', 'closing'],
  ['open/socketClosed', 'reconnecting'],
  ['open/pongTimeout', 'reconnecting'],
  ['open/silenceTimeout', 'reconnecting'],
  ['open/forceReconnect', 'reconnecting'],
  ['open/rotate', 'open'],
  ['open/close', 'closing'],
  ['reconnecting/connect', 'connecting'],
  ['reconnecting/forceReconnect', 'connecting'],
  ['reconnecting/close', 'closed'],
  ['closing/closed', 'closed'],
  ['closing/socketClosed', 'closed'],
]);

describe('transitionConnection over every (state, event) pair', () => {
  const pairs: [StreamConnectionState, ConnectionEvent][] = CONNECTION_STATES.flatMap((state) =>
    CONNECTION_EVENTS.map((event): [StreamConnectionState, ConnectionEvent] => [state, event]),
  );

  it('covers all 6 states × 9 events', () => {
    expect(pairs).toHaveLength(54);
  });

  it.each(pairs)('%s + %s → the listed next state, or rejected when unlisted', (state, event) => {
    const expected = EXPECTED.get(`${state}/${event}`);
    const result = transitionConnection(state, event);
    if (expected === undefined) {
      expect(result).toEqual({ ok: false, reason: `event ${event} is not allowed in state ${state}` });
    } else {
      expect(result).toEqual({ ok: true, state: expected });
    }
  });

  it('closed is terminal → every event rejected', () => {
    for (const event of CONNECTION_EVENTS) expect(transitionConnection('closed', event).ok).toBe(false);
  });
});
