import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { extractSignedPayload, isSignatureValid } from './request-signature.ts';

// Binance's documented example key pair and requests (general-info, "SIGNED endpoint examples").
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const ALL_PARAMS =
  'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const QUERY_PART = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC';
const BODY_PART = 'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';

function clientSignature(payload: string): string {
  return createHmac('sha256', SECRET).update(payload).digest('hex');
}

describe('request signature', () => {
  it("docs example 1 (all in the query) → Binance's published signature verifies", () => {
    const signature = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
    const payload = extractSignedPayload(`${ALL_PARAMS}&signature=${signature}`, '');
    expect(payload.totalParams).toBe(ALL_PARAMS);
    expect(isSignatureValid(SECRET, payload)).toBe(true);
  });

  it("docs example 3 (query and body mixed) → signed text has no '&' between them and verifies", () => {
    const signature = '0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77';
    const payload = extractSignedPayload(QUERY_PART, `${BODY_PART}&signature=${signature}`);
    expect(payload.totalParams).toBe(QUERY_PART + BODY_PART);
    expect(isSignatureValid(SECRET, payload)).toBe(true);
  });

  it('body only → verifies against the body text', () => {
    const payload = extractSignedPayload('', `${ALL_PARAMS}&signature=${clientSignature(ALL_PARAMS)}`);
    expect(isSignatureValid(SECRET, payload)).toBe(true);
  });

  it('upper-case hex signature → accepted (not case-sensitive)', () => {
    const payload = extractSignedPayload(`${ALL_PARAMS}&signature=${clientSignature(ALL_PARAMS).toUpperCase()}`, '');
    expect(isSignatureValid(SECRET, payload)).toBe(true);
  });

  it('one parameter changed after signing → rejected', () => {
    const signature = clientSignature(ALL_PARAMS);
    const tampered = ALL_PARAMS.replace('quantity=1', 'quantity=2');
    expect(isSignatureValid(SECRET, extractSignedPayload(`${tampered}&signature=${signature}`, ''))).toBe(false);
  });

  it("mixed request signed with an '&' joining query and body → rejected", () => {
    const signature = clientSignature(`${QUERY_PART}&${BODY_PART}`);
    expect(isSignatureValid(SECRET, extractSignedPayload(QUERY_PART, `${BODY_PART}&signature=${signature}`))).toBe(
      false,
    );
  });

  it('missing, short or non-hex signature → rejected without throwing', () => {
    expect(isSignatureValid(SECRET, extractSignedPayload(ALL_PARAMS, ''))).toBe(false);
    expect(isSignatureValid(SECRET, extractSignedPayload(`${ALL_PARAMS}&signature=abc`, ''))).toBe(false);
    expect(isSignatureValid(SECRET, extractSignedPayload(`${ALL_PARAMS}&signature=${'z'.repeat(64)}`, ''))).toBe(false);
  });
});
