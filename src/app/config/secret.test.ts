import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from './secret.ts';

describe('Secret', () => {
  const secret = new Secret('abcdef0123456789');

  it('printed any way → "[redacted]"', () => {
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(inspect({ secret }, { showHidden: true, depth: null })).not.toContain('abcdef');
    expect(`${secret}`).toBe('[redacted]');
    expect(String(secret)).toBe('[redacted]');
    expect(`x${secret}`).toBe('x[redacted]');
    expect(Object.keys(secret)).toEqual([]);
  });

  it('reveal() → the value', () => {
    expect(secret.reveal()).toBe('abcdef0123456789');
  });
});
