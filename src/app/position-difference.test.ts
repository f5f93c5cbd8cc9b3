import { describe, expect, it } from 'vitest';
import { parseFixed } from '../lib/fixed.ts';
import { positionDifference, positionDifferences } from './position-difference.ts';

const BANDS = { adoptBelowPct: 0.1, haltAbovePct: 1 };
const band = (local: string, exchange: string) =>
  positionDifference('BTCUSDT', parseFixed(local), parseFixed(exchange), BANDS).band;

describe('positionDifference (playbook §6 bands)', () => {
  it('equal → match; < 0.1 % → adopt; 0.1–1 % → adopt-warn; > 1 % → halt', () => {
    expect(band('1.000', '1.000')).toBe('match');
    expect(band('1.0000', '1.0005')).toBe('adopt');
    expect(band('1.000', '1.005')).toBe('adopt-warn');
    expect(band('1.000', '1.010')).toBe('adopt-warn');
    expect(band('1.000', '1.020')).toBe('halt');
  });

  it('a sign flip or one side flat → halt whatever the size', () => {
    expect(positionDifference('X', parseFixed('0.01'), parseFixed('-0.01'), BANDS)).toMatchObject({
      band: 'halt',
      why: 'sign flip',
    });
    expect(positionDifference('X', 0n, parseFixed('0.001'), BANDS)).toMatchObject({
      band: 'halt',
      why: 'one side flat',
      diffPct: parseFixed('100'),
    });
  });

  it('positionDifferences → every symbol of either side, sorted, flat-on-both left out', () => {
    const rows = positionDifferences(
      new Map([
        ['ETHUSDT', parseFixed('1')],
        ['XRPUSDT', 0n],
      ]),
      new Map([['BTCUSDT', parseFixed('0.5')]]),
      BANDS,
    );
    expect(rows.map((row) => [row.symbol, row.band])).toEqual([
      ['BTCUSDT', 'halt'],
      ['ETHUSDT', 'halt'],
    ]);
  });
});
