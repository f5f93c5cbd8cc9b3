import { describe, expect, it } from 'vitest';
import { RotationHandoff } from './rotation-handoff.ts';

type Frame = { stream: string; key: number };
const frame = (key: number, stream = 'a'): Frame => ({ stream, key });
const newHandoff = (streams: string[], memory?: number) => new RotationHandoff<Frame>(streams, memory);
const keys = (frames: readonly { key: string | number }[]) => frames.map((each) => each.key);

/** Feeds both sockets' frames in the given interleaving and returns every key delivered. */
function run(handoff: RotationHandoff<Frame>, steps: readonly ['old' | 'new', number][]) {
  const delivered: number[] = [];
  for (const [source, key] of steps) {
    const out = source === 'old' ? handoff.fromOld(frame(key)) : handoff.fromNew(frame(key));
    delivered.push(...(keys(out) as number[]));
  }
  return delivered;
}

describe('RotationHandoff', () => {
  it('incoming socket lags the outgoing one → its repeats dropped, each key delivered once, in order', () => {
    const handoff = newHandoff(['a']);
    const delivered = run(handoff, [
      ['old', 1],
      ['old', 2],
      ['new', 2],
      ['old', 3],
      ['new', 3],
      ['new', 4],
      ['old', 4],
      ['new', 5],
    ]);
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
    expect(handoff.complete).toBe(true);
  });

  it('incoming socket leads → its frames wait until the outgoing one catches up, then follow', () => {
    const handoff = newHandoff(['a']);
    const delivered = run(handoff, [
      ['old', 1],
      ['new', 2],
      ['new', 3],
      ['new', 4],
      ['old', 2],
      ['old', 3],
      ['new', 5],
    ]);
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
  });

  it('incoming socket lags by several frames → repeats dropped until it reaches the newest delivered key', () => {
    const handoff = newHandoff(['a']);
    const delivered = run(handoff, [
      ['old', 964],
      ['old', 965],
      ['old', 966],
      ['new', 964],
      ['new', 965],
      ['old', 967],
      ['new', 966],
      ['new', 967],
      ['new', 968],
      ['old', 968],
    ]);
    expect(delivered).toEqual([964, 965, 966, 967, 968]);
    expect(handoff.complete).toBe(true);
  });

  it('finish() while the incoming socket still lags → it keeps dropping repeats until caught up', () => {
    const handoff = newHandoff(['a']);
    run(handoff, [
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['new', 1],
    ]);
    expect(handoff.finish()).toEqual([]);
    expect(handoff.complete).toBe(false);
    expect(
      run(handoff, [
        ['new', 2],
        ['new', 3],
        ['new', 4],
      ]),
    ).toEqual([4]);
    expect(handoff.complete).toBe(true);
  });

  it('a stream with no common frame in the overlap → finish() delivers the incoming frames not yet delivered', () => {
    const handoff = newHandoff(['a', 'b']);
    expect(keys(handoff.fromOld(frame(1)))).toEqual([1]);
    expect(keys(handoff.fromNew(frame(2)))).toEqual([]);
    expect(handoff.complete).toBe(false);
    expect(keys(handoff.finish())).toEqual([2]);
    expect(keys(handoff.fromNew(frame(3)))).toEqual([3]);
    expect(keys(handoff.fromOld(frame(3)))).toEqual([]);
  });

  it('streams switch independently → one switched stream does not switch another', () => {
    const handoff = newHandoff(['a', 'b']);
    handoff.fromOld(frame(1, 'a'));
    handoff.fromNew(frame(1, 'a'));
    expect(keys(handoff.fromOld(frame(7, 'b')))).toEqual([7]);
    expect(keys(handoff.fromOld(frame(2, 'a')))).toEqual([]);
    expect(handoff.complete).toBe(false);
  });

  it('string keys (user events keyed by raw text) → deduplicated the same way', () => {
    const handoff = new RotationHandoff<{ stream: string; key: string }>(['userData']);
    expect(handoff.fromOld({ stream: 'userData', key: '{"e":"A"}' })).toHaveLength(1);
    expect(handoff.fromNew({ stream: 'userData', key: '{"e":"A"}' })).toHaveLength(0);
    expect(handoff.fromNew({ stream: 'userData', key: '{"e":"B"}' })).toHaveLength(1);
  });

  it('memory bound → the oldest delivered keys are forgotten', () => {
    const handoff = newHandoff(['a'], 2);
    run(handoff, [
      ['old', 1],
      ['old', 2],
      ['old', 3],
    ]);
    // Key 1 is forgotten: a lagging incoming socket's 1 cannot be matched and waits as pending.
    expect(keys(handoff.fromNew(frame(1)))).toEqual([]);
    expect(keys(handoff.fromNew(frame(3)))).toEqual([]);
    expect(handoff.complete).toBe(true);
  });
});
