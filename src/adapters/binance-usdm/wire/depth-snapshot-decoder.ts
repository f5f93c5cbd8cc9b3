import type { PriceLevel } from '../../../domain/market-event.ts';
import { integerField, isWireObject, levelsField, MalformedField } from './wire-fields.ts';

/** GET /fapi/v1/depth, decoded: what DepthBook.loadSnapshot takes. */
export interface DepthSnapshot {
  readonly lastUpdateId: number;
  /** `E` (message output time); Binance sends it, but it is not needed to sync. */
  readonly eventTime: number | undefined;
  readonly bids: readonly PriceLevel[];
  readonly asks: readonly PriceLevel[];
}

export type DepthSnapshotResult =
  | { readonly ok: true; readonly snapshot: DepthSnapshot }
  | { readonly ok: false; readonly reason: string };

/**
 * Decodes a parsed `GET /fapi/v1/depth` body (reference §2.3): `{"lastUpdateId","E","T","bids":[[p,q]],
 * "asks":[[p,q]]}` with decimal strings. Never throws; the reason names the field.
 */
export function decodeDepthSnapshot(body: unknown): DepthSnapshotResult {
  if (!isWireObject(body)) return { ok: false, reason: 'depth snapshot is not a JSON object' };
  try {
    return {
      ok: true,
      snapshot: {
        lastUpdateId: integerField(body.lastUpdateId, 'lastUpdateId'),
        eventTime: body.E === undefined ? undefined : integerField(body.E, 'E'),
        bids: levelsField(body.bids, 'bids'),
        asks: levelsField(body.asks, 'asks'),
      },
    };
  } catch (error) {
    if (error instanceof MalformedField) {
      return { ok: false, reason: `depth snapshot: field ${error.field} ${error.problem}` };
    }
    return { ok: false, reason: `depth snapshot: ${String(error)}` };
  }
}
