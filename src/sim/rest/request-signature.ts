import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 request signing (reference §2.2). `totalParams` is the raw query string concatenated
 * with the raw body, with NO '&' between them (Binance docs, example 3). The `signature` pair itself
 * is not signed; Binance requires it last, we remove it wherever it is.
 */

export interface SignedPayload {
  /** The exact text the client must have signed. */
  readonly totalParams: string;
  /** The hex signature sent, undefined when absent or empty. */
  readonly signature: string | undefined;
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

function splitOffSignature(raw: string): { rest: string; signature: string | undefined } {
  if (raw === '') return { rest: '', signature: undefined };
  let signature: string | undefined;
  const kept: string[] = [];
  for (const pair of raw.split('&')) {
    const separator = pair.indexOf('=');
    const key = separator === -1 ? pair : pair.slice(0, separator);
    if (key === 'signature') {
      const value = separator === -1 ? '' : pair.slice(separator + 1);
      // The query wins over the body, like every other parameter; the first pair wins within a source.
      if (signature === undefined && value !== '') signature = safeDecode(value);
      continue;
    }
    kept.push(pair);
  }
  return { rest: kept.join('&'), signature };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export function extractSignedPayload(rawQuery: string, rawBody: string): SignedPayload {
  const query = splitOffSignature(rawQuery);
  const body = splitOffSignature(rawBody);
  return { totalParams: query.rest + body.rest, signature: query.signature ?? body.signature };
}

export function signTotalParams(secret: string, totalParams: string): string {
  return createHmac('sha256', secret).update(totalParams, 'utf8').digest('hex');
}

/** "The signature is not case-sensitive" (§2.2); compared in constant time. */
export function isSignatureValid(secret: string, payload: SignedPayload): boolean {
  if (payload.signature === undefined || !HEX_SHA256.test(payload.signature)) return false;
  const expected = Buffer.from(signTotalParams(secret, payload.totalParams), 'utf8');
  const received = Buffer.from(payload.signature.toLowerCase(), 'utf8');
  return expected.length === received.length && timingSafeEqual(expected, received);
}
