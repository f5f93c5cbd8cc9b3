import { describe, expect, it } from 'vitest';
import { EndpointFailover } from './endpoint-failover.ts';

const OPTIONS = { errorThreshold: 3, latencyThresholdMs: 2000, latencySamples: 5 };

describe('EndpointFailover', () => {
  it('3 consecutive failures → next endpoint; a success in between resets the count', () => {
    const failover = new EndpointFailover(['http://a', 'http://b/'], OPTIONS);
    failover.recordFailure('http://a');
    failover.recordFailure('http://a');
    failover.recordSuccess('http://a');
    expect(failover.recordFailure('http://a')).toBeUndefined();
    failover.recordFailure('http://a');
    expect(failover.recordFailure('http://a')).toEqual({ from: 'http://a', to: 'http://b', reason: 'errors' });
    expect(failover.active).toBe('http://b');
  });

  it('late failures from the endpoint already left behind → ignored', () => {
    const failover = new EndpointFailover(['http://a', 'http://b'], OPTIONS);
    failover.switchNext('manual');
    for (let index = 0; index < 5; index += 1) expect(failover.recordFailure('http://a')).toBeUndefined();
    expect(failover.active).toBe('http://b');
  });

  it('median of the last 5 round trips above the threshold → switch; one slow outlier → stay', () => {
    const failover = new EndpointFailover(['http://a', 'http://b', 'http://c'], OPTIONS);
    for (const ms of [100, 100, 5000, 100]) expect(failover.recordLatency('http://a', ms)).toBeUndefined();
    expect(failover.recordLatency('http://a', 100)).toBeUndefined();
    expect(failover.recordLatency('http://a', 2500)).toBeUndefined();
    // Last five: 5000, 100, 100, 2500, 2500 → median 2500.
    expect(failover.recordLatency('http://a', 2500)).toEqual({ from: 'http://a', to: 'http://b', reason: 'latency' });
  });

  it('wraps around; a single endpoint never switches', () => {
    const failover = new EndpointFailover(['http://a', 'http://b'], OPTIONS);
    failover.switchNext('manual');
    expect(failover.switchNext('manual')?.to).toBe('http://a');
    const single = new EndpointFailover(['http://a'], OPTIONS);
    expect(single.switchNext('manual')).toBeUndefined();
    expect(() => new EndpointFailover([], OPTIONS)).toThrow(RangeError);
  });
});
