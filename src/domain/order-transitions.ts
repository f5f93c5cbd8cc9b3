/**
 * The local order lifecycle as a table (STYLE habit 4): every (state, event) pair not listed is
 * rejected. Unknown outcomes are first-class (DESIGN principle 4): a send whose reply was lost leaves
 * the order UNKNOWN until a query by client order id says what happened.
 */
export type LocalOrderState =
  /** Persisted with its client order id, not yet sent. */
  | 'PENDING_SUBMIT'
  /** Sent; no reply yet. */
  | 'SUBMITTED'
  /** Sent; the reply was lost (timeout, 503 "Unknown error", 504). Never resent blind. */
  | 'UNKNOWN'
  | 'OPEN'
  | 'PARTIALLY_FILLED'
  /** A cancel was sent; fills may still race it. */
  | 'PENDING_CANCEL'
  | 'FILLED'
  | 'CANCELED'
  | 'EXPIRED'
  /** The venue said no. */
  | 'REJECTED'
  /** A query proved the venue never received it. */
  | 'NOT_PLACED';

export type OrderEvent =
  | 'send'
  | 'accepted'
  | 'rejected'
  | 'outcomeUnknown'
  | 'partialFill'
  | 'fill'
  | 'cancelRequested'
  | 'canceled'
  | 'cancelRejected'
  | 'expired'
  | 'notFound';

export const TERMINAL_ORDER_STATES: ReadonlySet<LocalOrderState> = new Set([
  'FILLED',
  'CANCELED',
  'EXPIRED',
  'REJECTED',
  'NOT_PLACED',
]);

type TransitionRow = Partial<Record<OrderEvent, LocalOrderState>>;

export const ORDER_TRANSITIONS: Readonly<Record<LocalOrderState, TransitionRow>> = {
  PENDING_SUBMIT: {
    send: 'SUBMITTED',
    // A crash between persist and send: recovery queries the id and finds nothing.
    notFound: 'NOT_PLACED',
    // ...or finds it (the send left before the crash).
    accepted: 'OPEN',
    partialFill: 'PARTIALLY_FILLED',
    fill: 'FILLED',
    canceled: 'CANCELED',
    expired: 'EXPIRED',
  },
  SUBMITTED: {
    accepted: 'OPEN',
    rejected: 'REJECTED',
    outcomeUnknown: 'UNKNOWN',
    // The user stream can report a fill before the REST reply arrives (§6 item 4: order not guaranteed).
    partialFill: 'PARTIALLY_FILLED',
    fill: 'FILLED',
    canceled: 'CANCELED',
    expired: 'EXPIRED',
  },
  UNKNOWN: {
    accepted: 'OPEN',
    partialFill: 'PARTIALLY_FILLED',
    fill: 'FILLED',
    canceled: 'CANCELED',
    expired: 'EXPIRED',
    rejected: 'REJECTED',
    notFound: 'NOT_PLACED',
  },
  OPEN: {
    partialFill: 'PARTIALLY_FILLED',
    fill: 'FILLED',
    cancelRequested: 'PENDING_CANCEL',
    canceled: 'CANCELED',
    expired: 'EXPIRED',
    // A late duplicate of the acceptance (REST reply after the WS NEW event) is harmless.
    accepted: 'OPEN',
  },
  PARTIALLY_FILLED: {
    partialFill: 'PARTIALLY_FILLED',
    fill: 'FILLED',
    cancelRequested: 'PENDING_CANCEL',
    canceled: 'CANCELED',
    expired: 'EXPIRED',
    accepted: 'PARTIALLY_FILLED',
  },
  PENDING_CANCEL: {
    canceled: 'CANCELED',
    // Fill raced the cancel: the venue filled it before the cancel arrived.
    partialFill: 'PENDING_CANCEL',
    fill: 'FILLED',
    expired: 'EXPIRED',
    // -2011 on cancel: already gone; a query decides between FILLED and CANCELED.
    cancelRejected: 'UNKNOWN',
    outcomeUnknown: 'UNKNOWN',
  },
  FILLED: {},
  CANCELED: {},
  EXPIRED: {},
  REJECTED: {},
  NOT_PLACED: {},
};

export type OrderTransition =
  | { readonly ok: true; readonly state: LocalOrderState }
  | { readonly ok: false; readonly reason: string };

/** The one pure transition function. A rejection is data (late or duplicate venue events), never a throw. */
export function transitionOrder(state: LocalOrderState, event: OrderEvent): OrderTransition {
  const next = ORDER_TRANSITIONS[state][event];
  if (next === undefined) return { ok: false, reason: `order event ${event} is not valid in state ${state}` };
  return { ok: true, state: next };
}
