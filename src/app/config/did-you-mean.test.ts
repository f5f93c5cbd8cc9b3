import { describe, expect, it } from 'vitest';
import { editDistance, suggestKey } from './did-you-mean.ts';

describe('editDistance', () => {
  it('insert, delete, substitute → 1 each', () => {
    expect(editDistance('max_daily_dd', 'max_daily_ddd')).toBe(1);
    expect(editDistance('timeout', 'timout')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('suggestKey', () => {
  const known = ['timeout_ms', 'max_order_age_s', 'max_position_pct', 'max_open_orders'];

  it('close typo → the known key', () => {
    expect(suggestKey('max_postion_pct', known)).toBe('max_position_pct');
    expect(suggestKey('timeout', known)).toBe('timeout_ms');
  });

  it('camelCase spelling → the snake_case key', () => {
    expect(suggestKey('maxOpenOrders', known)).toBe('max_open_orders');
  });

  it('nothing close → undefined', () => {
    expect(suggestKey('colour', known)).toBeUndefined();
  });
});
