import { describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { MemoryLogger } from './memory-logger.ts';

describe('MemoryLogger', () => {
  it('entries from root and child → one list, lines in trading.log format', () => {
    const clock = new TestClock(Date.UTC(2025, 0, 27, 14, 45, 0));
    const logger = new MemoryLogger(clock);
    logger.child({ component: 'risk' }).crit('Daily DD: 2.1%', { equity: '293.70' });
    logger.info('Positions: 0');
    expect(logger.lines()).toEqual([
      '2025-01-27 14:45:00 | CRIT | Daily DD: 2.1%',
      '2025-01-27 14:45:00 | INFO | Positions: 0',
    ]);
    expect(logger.entries[0]?.fields).toEqual({ component: 'risk', equity: '293.70' });
    expect(logger.messages('CRIT')).toEqual(['Daily DD: 2.1%']);
  });
});
