import { describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import type { AlertChannel, AlertMessage } from '../../ports/alert-sink.ts';
import { runAlertTest } from './alert-test-run.ts';

describe('runAlertTest', () => {
  it('three channels, one failing and one throwing → one result per channel, in order', async () => {
    const clock = new TestClock();
    const seen: AlertMessage[] = [];
    const channels: AlertChannel[] = [
      {
        name: 'slack',
        kind: 'slack',
        send: async (message) => {
          seen.push(message);
          return { channel: 'slack', ok: true, attempts: 1, at: 1 };
        },
      },
      {
        name: 'pd',
        kind: 'pagerduty',
        send: async () => ({ channel: 'pd', ok: false, attempts: 3, error: 'HTTP 400', at: 2 }),
      },
      {
        name: 'mail',
        kind: 'email',
        send: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
    ];
    const results = await runAlertTest(channels, clock);
    expect(results.map((r) => [r.channel, r.kind, r.ok, r.error])).toEqual([
      ['slack', 'slack', true, undefined],
      ['pd', 'pagerduty', false, 'HTTP 400'],
      ['mail', 'email', false, 'ECONNREFUSED'],
    ]);
    expect(seen[0]?.title).toBe('[TEST] yunmin alert channel check');
    expect(seen[0]?.severity).toBe('INFO');
  });

  it('no channels → no results', async () => {
    expect(await runAlertTest([], new TestClock())).toEqual([]);
  });
});
