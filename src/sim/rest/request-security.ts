import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { apiErrors } from '../api-error.ts';
import type { RequestParams } from './request-params.ts';
import { extractSignedPayload, isSignatureValid } from './request-signature.ts';

/** Binance's endpoint security types (reference §2.2). */
export type SecurityType = 'NONE' | 'MARKET_DATA' | 'USER_STREAM' | 'TRADE' | 'USER_DATA';

export interface ApiCredentials {
  readonly apiKey: string;
  readonly apiSecret: string;
}

export interface SecurityCheck {
  readonly security: SecurityType;
  readonly headers: IncomingHttpHeaders;
  readonly params: RequestParams;
  readonly rawQuery: string;
  readonly rawBody: string;
  readonly credentials: ApiCredentials;
  /** clock.now() + the clock-skew fault: the time the server believes it is. */
  readonly serverTime: number;
}

const DEFAULT_RECV_WINDOW_MS = 5000;
const MAX_RECV_WINDOW_MS = 60_000;
// Real keys are 64 alphanumerics; anything outside this shape is a "format" error, not a wrong key.
const API_KEY_SHAPE = /^[A-Za-z0-9]{1,256}$/;

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function checkApiKey(headers: IncomingHttpHeaders, credentials: ApiCredentials): void {
  const header = headers['x-mbx-apikey'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key !== undefined && sameText(key, credentials.apiKey)) return;
  if (key === undefined || !API_KEY_SHAPE.test(key)) throw apiErrors.badApiKeyFormat();
  throw apiErrors.rejectedApiKey();
}

/**
 * The recvWindow rule, exactly as §2.2: accept when `timestamp < serverTime + 1000` and
 * `serverTime - timestamp <= recvWindow`.
 */
export function checkTimestamp(timestamp: number, recvWindow: number, serverTime: number): void {
  if (timestamp >= serverTime + 1000) throw apiErrors.timestampAhead();
  if (serverTime - timestamp > recvWindow) throw apiErrors.timestampOutside();
}

/**
 * Throws the Binance error for a request that fails its endpoint's security type. Order of checks:
 * key (-2014/-2015), then mandatory `signature`/`timestamp` (-1102), then the signature (-1022),
 * then the time window (-1021): a wrong secret is reported before a stale clock.
 */
export function checkSecurity(check: SecurityCheck): void {
  switch (check.security) {
    case 'NONE':
      return;
    case 'MARKET_DATA':
    case 'USER_STREAM':
      checkApiKey(check.headers, check.credentials);
      return;
    case 'TRADE':
    case 'USER_DATA': {
      checkApiKey(check.headers, check.credentials);
      const payload = extractSignedPayload(check.rawQuery, check.rawBody);
      if (payload.signature === undefined) throw apiErrors.mandatoryParam('signature');
      const timestamp = check.params.requiredInteger('timestamp');
      const recvWindow = check.params.optionalInteger('recvWindow') ?? DEFAULT_RECV_WINDOW_MS;
      if (recvWindow > MAX_RECV_WINDOW_MS) {
        throw apiErrors.invalidParameter('recvWindow', `must be at most ${MAX_RECV_WINDOW_MS}`);
      }
      if (!isSignatureValid(check.credentials.apiSecret, payload)) throw apiErrors.invalidSignature();
      checkTimestamp(timestamp, recvWindow, check.serverTime);
      return;
    }
    default: {
      const unreachable: never = check.security;
      throw new Error(`unknown security type ${String(unreachable)}`);
    }
  }
}
