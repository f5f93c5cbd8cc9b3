import type { Random } from '../../../lib/random.ts';

export interface BackoffOptions {
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** Share of each delay drawn at random (0.5: uniform in [delay/2, delay]). */
  readonly backoffJitter: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): min(cap, initial·2^attempt), minus up to
 * `backoffJitter` of it drawn from the seeded Random, so many clients dropped at once do not
 * reconnect in step. There is no attempt limit: the delay stays at the cap (playbook §1).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: Random): number {
  const capped = Math.min(options.backoffMaxMs, options.backoffInitialMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(capped * (1 - options.backoffJitter * random.next()));
}
