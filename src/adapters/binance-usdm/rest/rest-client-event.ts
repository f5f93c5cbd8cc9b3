import type { FailoverReason } from './endpoint-failover.ts';
import type { HoldReason } from './request-hold.ts';

export type TimeSyncReason = 'start' | 'periodic' | 'clock-skew';

/**
 * What the REST client reports for the engine to log and alert on (playbook §2, §3). Never carries
 * a query string, a signature or the secret.
 */
export type RestClientEvent =
  /** A 429/418 started or extended the global hold: no request leaves before `until`. */
  | {
      readonly kind: 'hold';
      readonly reason: HoldReason;
      readonly until: number;
      readonly endpoint: string;
      readonly at: number;
    }
  | {
      readonly kind: 'failover';
      readonly from: string;
      readonly to: string;
      readonly reason: FailoverReason;
      readonly at: number;
    }
  | {
      readonly kind: 'timeSynced';
      readonly reason: TimeSyncReason;
      readonly offsetMs: number;
      readonly previousOffsetMs: number;
      readonly at: number;
    }
  | { readonly kind: 'timeSyncFailed'; readonly reason: TimeSyncReason; readonly code: string; readonly at: number }
  /** An order mutation's reply was lost and resolved (or not) by querying its client order id. */
  | {
      readonly kind: 'unknownOutcome';
      readonly endpoint: string;
      readonly clientOrderId: string;
      readonly resolution: 'found' | 'not-found' | 'unresolved';
      readonly queries: number;
      readonly at: number;
    }
  /** A value the adapter does not know (a new order status, §2.5): mapped to UNKNOWN, counted, never fatal. */
  | { readonly kind: 'unexpectedValue'; readonly field: string; readonly value: string; readonly at: number };
