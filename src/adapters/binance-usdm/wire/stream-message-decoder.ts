import type { MarketEvent, PriceLevel } from '../../../domain/market-event.ts';
import type { UserEvent } from '../../../domain/user-event.ts';
import {
  decodeAggTrade,
  decodeBookTicker,
  decodeDepthDiff,
  decodeKline,
  decodeMarkPrice,
  decodeTrade,
} from './market-event-decoder.ts';
import { scanMarketFrame } from './market-frame-scanner.ts';
import { decodeAccountUpdate, decodeListenKeyExpired, decodeOrderUpdate } from './user-event-decoder.ts';
import { isWireObject, MalformedField, type WireObject } from './wire-fields.ts';

/** One `depthUpdate` (reference §3.3), exact decimals; the local book applies it (depth-book.ts). */
export interface DepthDiff {
  readonly symbol: string;
  readonly eventTime: number;
  readonly transactionTime: number;
  /** U */
  readonly firstUpdateId: number;
  /** u */
  readonly finalUpdateId: number;
  /** pu: the previous diff's u; a mismatch is a gap. */
  readonly previousFinalUpdateId: number;
  readonly bids: readonly PriceLevel[];
  readonly asks: readonly PriceLevel[];
}

export type DecodedStreamMessage =
  /** bookTicker, trade (from aggTrade or trade), markPrice, kline. */
  | { readonly kind: 'market'; readonly stream: string | undefined; readonly event: MarketEvent }
  | { readonly kind: 'depthDiff'; readonly stream: string | undefined; readonly diff: DepthDiff }
  /** ORDER_TRADE_UPDATE, ACCOUNT_UPDATE, listenKeyExpired. */
  | { readonly kind: 'user'; readonly event: UserEvent }
  /** `{"result":null,"id":1}` acks and `{"error":{code,msg},"id":…}` errors of SUBSCRIBE and friends. */
  | {
      readonly kind: 'control';
      readonly id: number | string | null;
      readonly result: unknown;
      readonly error?: { code: number; msg: string };
    }
  /** Unknown event types, malformed frames: counted by the caller, never fatal (issue 3 point 7). */
  | { readonly kind: 'ignored'; readonly stream: string | undefined; readonly reason: string };

/**
 * Decodes one text frame: raw ws-mode payloads and combined `{"stream","data"}` wrappers alike
 * (reference §3.1). Validates once and maps to domain events with exact decimals; dispatches on `e`
 * with a switch. Never throws: a frame that is not JSON, an unknown event type or a malformed field
 * comes back as 'ignored' with a reason naming the field.
 *
 * Hand-written checks rather than zod: this runs for every market message, and the issue leaves a
 * few µs per message (point 11). The readers in wire-fields.ts are typeof tests plus a one-pass
 * decimal parser; depth, bookTicker and aggTrade frames (nearly all the traffic) first go through a
 * single-pass reader that skips JSON.parse (market-frame-scanner.ts), which hands anything unusual
 * to the general path below.
 */
export function decodeStreamMessage(text: string, receivedAt: number): DecodedStreamMessage {
  return scanMarketFrame(text, receivedAt) ?? decodeWithJsonParse(text, receivedAt);
}

/** The general path: JSON.parse, then the field readers. Exported for the scanner's equivalence test. */
export function decodeWithJsonParse(text: string, receivedAt: number): DecodedStreamMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'ignored', stream: undefined, reason: 'frame is not JSON' };
  }
  if (!isWireObject(parsed)) return { kind: 'ignored', stream: undefined, reason: 'frame is not a JSON object' };

  let stream: string | undefined;
  let payload: WireObject = parsed;
  const wrapped = parsed.data;
  if (typeof parsed.stream === 'string' && wrapped !== undefined) {
    stream = parsed.stream;
    // `!markPrice@arr` and friends deliver arrays; no subscription of ours uses them.
    if (!isWireObject(wrapped)) return { kind: 'ignored', stream, reason: 'data is not a JSON object' };
    payload = wrapped;
  } else if (parsed.e === undefined && 'id' in parsed) {
    return decodeControl(parsed);
  }

  const eventType = payload.e;
  try {
    switch (eventType) {
      case 'bookTicker':
        return { kind: 'market', stream, event: decodeBookTicker(payload, receivedAt) };
      case 'depthUpdate':
        return { kind: 'depthDiff', stream, diff: decodeDepthDiff(payload) };
      case 'aggTrade':
        return { kind: 'market', stream, event: decodeAggTrade(payload, receivedAt) };
      case 'trade':
        return { kind: 'market', stream, event: decodeTrade(payload, receivedAt) };
      case 'markPriceUpdate':
        return { kind: 'market', stream, event: decodeMarkPrice(payload, receivedAt) };
      case 'kline':
        return { kind: 'market', stream, event: decodeKline(payload, receivedAt) };
      case 'ORDER_TRADE_UPDATE':
        return { kind: 'user', event: decodeOrderUpdate(payload, receivedAt) };
      case 'ACCOUNT_UPDATE':
        return { kind: 'user', event: decodeAccountUpdate(payload, receivedAt) };
      case 'listenKeyExpired':
        return { kind: 'user', event: decodeListenKeyExpired(payload, receivedAt) };
      default:
        return {
          kind: 'ignored',
          stream,
          reason: typeof eventType === 'string' ? `unknown event type "${eventType}"` : 'frame has no event type (e)',
        };
    }
  } catch (error) {
    if (error instanceof MalformedField) {
      return { kind: 'ignored', stream, reason: `${String(eventType)}: field ${error.field} ${error.problem}` };
    }
    // Not expected from the readers; still never fatal to the socket.
    return { kind: 'ignored', stream, reason: `${String(eventType)}: ${String(error)}` };
  }
}

/** `{"result":…,"id":…}` or `{"error":{"code","msg"},"id":…}` (reference §3.1; the simulator's control-frames.ts). */
function decodeControl(frame: WireObject): DecodedStreamMessage {
  const rawId = frame.id;
  const id = typeof rawId === 'number' || typeof rawId === 'string' ? rawId : null;
  const error = frame.error;
  if (isWireObject(error)) {
    const code = typeof error.code === 'number' ? error.code : Number.NaN;
    const msg = typeof error.msg === 'string' ? error.msg : '';
    return { kind: 'control', id, result: frame.result, error: { code, msg } };
  }
  return { kind: 'control', id, result: frame.result };
}
