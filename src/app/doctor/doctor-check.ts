/** One line of `yunmin doctor`: pass, warn (look at it) or fail (exit code 1). */
export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  /** e.g. "dns fapi.binance.com", "rest ping", "disk state_dir". */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was measured, and for warn/fail what to do (the playbook step it replaces). */
  readonly detail: string;
}

const RANK: Readonly<Record<CheckStatus, number>> = { pass: 0, warn: 1, fail: 2 };

export function worstStatus(results: readonly CheckResult[]): CheckStatus {
  return results.reduce<CheckStatus>(
    (worst, result) => (RANK[result.status] > RANK[worst] ? result.status : worst),
    'pass',
  );
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Runs a check; a check that throws is a fail naming the error (a doctor must never crash). */
export async function guarded(name: string, check: () => Promise<CheckResult | readonly CheckResult[]>) {
  try {
    const result = await check();
    return Array.isArray(result) ? (result as readonly CheckResult[]) : [result as CheckResult];
  } catch (error) {
    return [{ name, status: 'fail', detail: errorText(error) } satisfies CheckResult];
  }
}
