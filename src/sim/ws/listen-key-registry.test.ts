import { describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { ListenKeyRegistry } from './listen-key-registry.ts';

const HOUR = 3_600_000;

function setup() {
  const clock = new TestClock();
  const registry = new ListenKeyRegistry({ clock });
  const ended: [string, string][] = [];
  registry.onExpired((key, reason) => ended.push([key, reason]));
  return { clock, registry, ended };
}

describe('ListenKeyRegistry', () => {
  it('create → a 64-character alphanumeric key that is active', () => {
    const { registry } = setup();
    const key = registry.create();
    expect(key).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(registry.isActive(key)).toBe(true);
  });

  it('create while a key is active → the same key, extended by another 60 min', () => {
    const { clock, registry, ended } = setup();
    const key = registry.create();
    clock.advance(50 * 60_000);
    expect(registry.create()).toBe(key);
    clock.advance(50 * 60_000); // 100 min after the first POST, 50 after the second
    expect(registry.isActive(key)).toBe(true);
    expect(ended).toEqual([]);
  });

  it('no keepalive for 60 min → expired once, listeners told, keepAlive then false', () => {
    const { clock, registry, ended } = setup();
    const key = registry.create();
    clock.advance(HOUR - 1);
    expect(registry.isActive(key)).toBe(true);
    clock.advance(1);
    expect(registry.isActive(key)).toBe(false);
    expect(ended).toEqual([[key, 'expired']]);
    expect(registry.keepAlive(key)).toBe(false);
    clock.advance(10 * HOUR);
    expect(ended).toHaveLength(1);
  });

  it('keepAlive on an active key → true and the 60 min restart', () => {
    const { clock, registry, ended } = setup();
    const key = registry.create();
    clock.advance(59 * 60_000);
    expect(registry.keepAlive(key)).toBe(true);
    clock.advance(59 * 60_000);
    expect(ended).toEqual([]);
    clock.advance(60_000);
    expect(ended).toEqual([[key, 'expired']]);
  });

  it('keepAlive on a key never issued → false', () => {
    const { registry } = setup();
    expect(registry.keepAlive('nope')).toBe(false);
  });

  it('close → inactive, listeners told "closed" once, no later expiry, next create is a new key', () => {
    const { clock, registry, ended } = setup();
    const key = registry.create();
    registry.close(key);
    registry.close(key);
    expect(registry.isActive(key)).toBe(false);
    expect(ended).toEqual([[key, 'closed']]);
    clock.advance(2 * HOUR);
    expect(ended).toHaveLength(1);
    const next = registry.create();
    expect(next).not.toBe(key);
  });

  it('unsubscribed listener → not called', () => {
    const clock = new TestClock();
    const registry = new ListenKeyRegistry({ clock, validityMs: 1_000 });
    const calls: string[] = [];
    const unsubscribe = registry.onExpired((key) => calls.push(key));
    unsubscribe();
    registry.create();
    clock.advance(1_000);
    expect(calls).toEqual([]);
  });

  it('dispose → no timers left on the clock', () => {
    const { clock, registry } = setup();
    registry.create();
    registry.dispose();
    expect(clock.pendingTimers).toBe(0);
  });
});
