import type { Clock, TimerHandle } from './clock.ts';

/**
 * The live Clock. The only place in the code base allowed to read ambient time or create timers
 * (enforced by the lint configuration).
 */
export class SystemClock implements Clock {
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();
  readonly #repeating = new Set<number>();
  #nextId = 1;

  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#nextId++;
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      callback();
    }, delayMs);
    timer.unref?.();
    this.#timers.set(id, timer);
    return { id };
  }

  setInterval(callback: () => void, intervalMs: number): TimerHandle {
    const id = this.#nextId++;
    const timer = setInterval(callback, intervalMs);
    timer.unref?.();
    this.#timers.set(id, timer);
    this.#repeating.add(id);
    return { id };
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle === undefined) return;
    const timer = this.#timers.get(handle.id);
    if (timer === undefined) return;
    if (this.#repeating.delete(handle.id)) clearInterval(timer);
    else clearTimeout(timer);
    this.#timers.delete(handle.id);
  }
}
