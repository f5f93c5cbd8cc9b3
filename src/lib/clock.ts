/**
 * The Clock port (DESIGN principle 7: time is injected). Every timer and timestamp in yunmin and
 * in the simulator goes through one of these; only `SystemClock` touches ambient time.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `callback` once after `delayMs`. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** Runs `callback` every `intervalMs` until cleared. */
  setInterval(callback: () => void, intervalMs: number): TimerHandle;
  /** Cancels a timer; unknown or already-fired handles are ignored. */
  clearTimer(handle: TimerHandle | undefined): void;
}
