import type { Clock, TimerHandle } from './clock.ts';

/**
 * The live Clock. The only place in the code base allowed to read ambient time or create timers
 * (enforced by the lint configuration).
 */
export class SystemClock implements Clock {
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();
  readonly #repeating = new Set<number>();
  readonly #keepAlive: boolean;
  #nextId = 1;

  /**
   * By default timers do not keep the process alive (a library or a test must be able to exit).
   * A long-running program (the engine) passes `keepAlive: true`: its pending work, such as a wait
   * for a rate-limit window during start-up, must not let Node exit with an unsettled await.
   */
  constructor(options: { keepAlive?: boolean } = {}) {
    this.#keepAlive = options.keepAlive === true;
  }

  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#nextId++;
    const timer = setTimeout(
      () => {
        this.#timers.delete(id);
        callback();
      },
      Math.max(0, delayMs),
    );
    if (!this.#keepAlive) timer.unref?.();
    this.#timers.set(id, timer);
    return { id };
  }

  setInterval(callback: () => void, intervalMs: number): TimerHandle {
    const id = this.#nextId++;
    const timer = setInterval(callback, intervalMs);
    if (!this.#keepAlive) timer.unref?.();
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
