import { describe, expect, it } from 'vitest';
import { durationSchema, formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    [1500, 1500],
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['-2s', -2_000],
  ] as const)('%s → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['30', 'soon', '5 minutes', '1d', '', '1e3s'])('"%s" → undefined', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });

  it('non-finite number → undefined', () => {
    expect(parseDuration(Number.NaN)).toBeUndefined();
  });
});

describe('durationSchema', () => {
  it('negative duration without signed → error saying so', () => {
    const result = durationSchema().safeParse('-5s');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('0 or more');
  });

  it('zero with positive → error', () => {
    expect(durationSchema({ positive: true }).safeParse(0).success).toBe(false);
  });

  it('boolean → error naming the accepted forms', () => {
    expect(durationSchema().safeParse(true).error?.issues[0]?.message).toContain('"30s"');
  });
});

describe('formatDuration', () => {
  it.each([
    [90_000, '90s'],
    [120_000, '2m'],
    [7_200_000, '2h'],
    [1_500, '1500ms'],
    [0, '0ms'],
  ] as const)('%d → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
