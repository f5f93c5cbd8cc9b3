import { describe, expect, it } from 'vitest';
import { FAULT_TYPES, formatPath, movePctToFraction, parseFaultSpec } from './fault-spec.ts';

function errorOf(input: unknown): string {
  const result = parseFaultSpec(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.message;
}

describe('parseFaultSpec', () => {
  it('valid spec with string durations → milliseconds and an upper-case symbol', () => {
    expect(parseFaultSpec({ type: 'stuck-orders', symbol: 'btcusdt', durationMs: '2m' })).toEqual({
      ok: true,
      value: { type: 'stuck-orders', symbol: 'BTCUSDT', durationMs: 120_000 },
    });
  });

  it('unknown type → lists every type', () => {
    expect(errorOf({ type: 'ws-explode' })).toBe(`invalid fault: type: expected one of ${FAULT_TYPES.join(', ')}`);
  });

  it('not an object → says a fault object was expected', () => {
    expect(errorOf('ws-close')).toContain('expected');
  });

  it('bad duration → names the field and the accepted forms', () => {
    expect(errorOf({ type: 'ws-refuse', durationMs: 'soon' })).toMatch(
      /^invalid fault: durationMs: expected a duration.*"soon"/,
    );
  });

  it('missing required field → names it', () => {
    expect(errorOf({ type: 'ws-freeze' })).toContain('durationMs:');
  });

  it('misspelt field → named as unknown', () => {
    expect(errorOf({ type: 'ws-freeze', duration: '5s', durationMs: '5s' })).toBe(
      'invalid fault: duration: unknown field for this type',
    );
  });

  it('unsupported status → names status and the allowed ones', () => {
    expect(errorOf({ type: 'rest-error', status: 502 })).toMatch(
      /^invalid fault: status: .*429.*418.*503.*504.*408.*500/,
    );
  });

  it('variant of another status → names variant and what this status takes', () => {
    expect(errorOf({ type: 'rest-error', status: 503, variant: 'html' })).toContain(
      'variant: expected one of unknown, unavailable, internal, throttled for status 503',
    );
    expect(errorOf({ type: 'rest-error', status: 429, variant: 'unknown' })).toContain(
      'variant: status 429 takes no variant',
    );
  });

  it('executed on a certain failure → rejected; on an unknown outcome → accepted', () => {
    expect(errorOf({ type: 'rest-error', status: 503, variant: 'unavailable', executed: true })).toContain('executed:');
    expect(errorOf({ type: 'rest-error', status: 429, executed: true })).toContain('executed:');
    for (const spec of [{ status: 503, variant: 'unknown' }, { status: 504 }, { status: 408 }, { status: 500 }]) {
      expect(parseFaultSpec({ type: 'rest-error', executed: true, ...spec }).ok).toBe(true);
    }
  });

  it('probability above 1 → names probability', () => {
    expect(errorOf({ type: 'rest-hang', probability: 1.5 })).toContain('probability:');
  });

  it('retryAfterSeconds on a 503 → rejected', () => {
    expect(errorOf({ type: 'rest-error', status: 503, retryAfterSeconds: 5 })).toContain('retryAfterSeconds:');
  });

  it('qty given as a YAML number → asks for a quoted decimal string', () => {
    expect(errorOf({ type: 'external-fill', symbol: 'BTCUSDT', side: 'BUY', qty: 0.01 })).toContain('qty:');
    expect(errorOf({ type: 'external-fill', symbol: 'BTCUSDT', side: 'BUY', qty: '-1' })).toContain(
      'qty: expected a positive decimal',
    );
  });

  it('flash crash reverting before the move ends → names revertAfterMs', () => {
    expect(
      errorOf({ type: 'flash-crash', symbol: 'BTCUSDT', movePct: -12, overMs: '1m', revertAfterMs: '30s' }),
    ).toContain('revertAfterMs: expected at least overMs');
  });

  it('flash crash of -100 % or with 7 decimals → rejected', () => {
    expect(errorOf({ type: 'flash-crash', symbol: 'BTCUSDT', movePct: -100, overMs: 1 })).toContain('movePct:');
    expect(errorOf({ type: 'flash-crash', symbol: 'BTCUSDT', movePct: 1.0000001, overMs: 1 })).toContain('movePct:');
  });

  it('negative clock skew → accepted; negative duration elsewhere → rejected', () => {
    expect(parseFaultSpec({ type: 'clock-skew', offsetMs: '-3s' })).toEqual({
      ok: true,
      value: { type: 'clock-skew', offsetMs: -3_000 },
    });
    expect(errorOf({ type: 'latency', target: 'rest', fixedMs: -5 })).toContain('fixedMs:');
  });
});

describe('movePctToFraction', () => {
  it.each([
    [-12, -12_000_000n],
    [0.5, 500_000n],
    [-12.345678, -12_345_678n],
  ] as const)('%d %% → %d', (pct, fraction) => {
    expect(movePctToFraction(pct)).toBe(fraction);
  });
});

describe('formatPath', () => {
  it('indexes in brackets, keys dotted', () => {
    expect(formatPath(['steps', 2, 'fault', 'status'])).toBe('steps[2].fault.status');
    expect(formatPath([])).toBe('');
  });
});
