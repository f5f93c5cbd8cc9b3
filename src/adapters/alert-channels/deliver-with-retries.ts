import type { Clock } from '../../lib/clock.ts';
import type { DeliveryResult } from '../../ports/alert-sink.ts';
import { DeliveryFailure } from './delivery-failure.ts';
import type { Redactor } from './secret-redaction.ts';

export interface RetryPolicy {
  /** Total attempts including the first (≥ 1). */
  readonly attempts: number;
  /** Delay before the 2nd attempt; doubles each time after. */
  readonly initialDelayMs: number;
}

/** What every channel is built with. `fetch` defaults to the global one (tests may pass their own). */
export interface AlertChannelDeps {
  readonly clock: Clock;
  readonly fetch?: typeof fetch;
  readonly retry: RetryPolicy;
}

/** A provider's Retry-After can ask for a long wait; an alert older than this is worth less than a retry now. */
const MAX_RETRY_AFTER_MS = 60_000;

export interface DeliveryPlan {
  readonly channel: string;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly redact: Redactor;
  /** One attempt; throws on failure (a `DeliveryFailure` says whether retrying can help). */
  readonly attempt: (signal: AbortSignal) => Promise<void>;
}

/**
 * Runs `attempt` until it succeeds or the attempts run out, with exponential backoff and a timeout
 * per attempt, both on the Clock (tests advance time). Never throws: every failure, even a bug in
 * the attempt, becomes `ok: false` with a redacted error, so one broken channel cannot take down
 * the escalation engine or delay the other channels (issue 6 point 1).
 */
export async function deliverWithRetries(plan: DeliveryPlan): Promise<DeliveryResult> {
  const { channel, clock, retry, redact } = plan;
  const maxAttempts = Math.max(1, Math.floor(retry.attempts));
  let lastError = 'not attempted';
  let attempts = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    attempts = attempt;
    try {
      await runWithTimeout(plan);
      return { channel, ok: true, attempts, at: clock.now() };
    } catch (error) {
      lastError = redact(describeError(error));
      const retryable = !(error instanceof DeliveryFailure) || error.retryable;
      if (!retryable || attempt === maxAttempts) break;
      const backoffMs = retry.initialDelayMs * 2 ** (attempt - 1);
      const hintMs = error instanceof DeliveryFailure ? (error.retryAfterMs ?? 0) : 0;
      await sleep(clock, Math.max(backoffMs, Math.min(hintMs, MAX_RETRY_AFTER_MS)));
    }
  }
  return { channel, ok: false, attempts, error: lastError, at: clock.now() };
}

async function runWithTimeout(plan: DeliveryPlan): Promise<void> {
  const controller = new AbortController();
  let rejectTimeout: (reason: unknown) => void = () => {};
  const timedOut = new Promise<never>((_, reject) => {
    rejectTimeout = reject;
  });
  const timer = plan.clock.setTimeout(() => {
    const failure = new DeliveryFailure('ALERT_CHANNEL_TIMEOUT', `timed out after ${plan.timeoutMs} ms`, {
      retryable: true,
    });
    controller.abort(failure);
    rejectTimeout(failure);
  }, plan.timeoutMs);
  try {
    // The race matters for attempts that ignore the signal (SMTP): the timeout wins regardless.
    await Promise.race([plan.attempt(controller.signal), timedOut]);
  } finally {
    plan.clock.clearTimer(timer);
  }
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, ms);
  });
}

/** The message plus its cause chain ("fetch failed: connect ECONNREFUSED 127.0.0.1:9"). */
function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    const message = current instanceof Error ? current.message : String(current);
    if (message !== '' && !parts.includes(message)) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ') || 'unknown error';
}
