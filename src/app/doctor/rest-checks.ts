import type { Clock } from '../../lib/clock.ts';
import type { ExchangeRest } from '../../ports/exchange-rest.ts';
import { type CheckResult, errorText } from './doctor-check.ts';

export interface PingThresholds {
  readonly pings: number;
  /** Playbook §3 step 2: `time curl …/time` "should be < 500ms". */
  readonly warnMs: number;
  /** latency.rest_p95_warn_ms (2000): the engine's own WARN line. */
  readonly failMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Playbook §1 option B, §2 step 3 (`curl …/ping`) and §3 step 2 (`time curl`): N pings, their latency. */
export async function checkRestPing(
  rest: Pick<ExchangeRest, 'ping'>,
  clock: Clock,
  thresholds: PingThresholds,
): Promise<CheckResult> {
  const name = 'rest ping';
  const times: number[] = [];
  for (let index = 0; index < thresholds.pings; index += 1) {
    const startedAt = clock.now();
    try {
      await rest.ping();
    } catch (error) {
      return {
        name,
        status: 'fail',
        detail: `ping ${index + 1}/${thresholds.pings} failed: ${errorText(error)} (exchange down, network, or a ban: see https://www.binancestatus.com/)`,
      };
    }
    times.push(clock.now() - startedAt);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  const max = sorted[sorted.length - 1] ?? 0;
  const detail = `${times.length} pings: p50 ${p50} ms, p95 ${p95} ms, max ${max} ms`;
  if (p95 > thresholds.failMs)
    return { name, status: 'fail', detail: `${detail} > ${thresholds.failMs} ms (latency.rest_p95_warn_ms)` };
  if (p95 > thresholds.warnMs) return { name, status: 'warn', detail: `${detail} > ${thresholds.warnMs} ms` };
  return { name, status: 'pass', detail };
}

/**
 * Local clock against the exchange's (`/fapi/v1/time`), the round trip's midpoint assumed. Signed
 * requests carry our timestamp; Binance rejects one outside recvWindow (-1021). The client corrects
 * by the offset it measures, but an offset near recvWindow means the host clock is broken (NTP).
 */
export async function checkServerTime(
  rest: Pick<ExchangeRest, 'getServerTime'>,
  clock: Clock,
  recvWindowMs: number,
): Promise<CheckResult> {
  const name = 'server time offset';
  const sentAt = clock.now();
  const serverTime = await rest.getServerTime();
  const receivedAt = clock.now();
  const offset = Math.round((sentAt + receivedAt) / 2 - serverTime);
  const detail = `local clock ${offset >= 0 ? '+' : ''}${offset} ms vs the exchange (round trip ${receivedAt - sentAt} ms, recvWindow ${recvWindowMs} ms)`;
  if (Math.abs(offset) >= recvWindowMs)
    return { name, status: 'fail', detail: `${detail}: signed requests would be rejected (-1021); fix NTP` };
  if (Math.abs(offset) >= recvWindowMs / 2)
    return { name, status: 'warn', detail: `${detail}: over half of recvWindow; check NTP` };
  return { name, status: 'pass', detail };
}

export interface HeadroomThresholds {
  /** Share of the minute's weight limit in use above which the check warns (default 0.5). */
  readonly warnShare: number;
  /** … and fails: the client holds itself below 0.8 of the limit, so above it orders would queue. */
  readonly failShare: number;
}

/**
 * Rate-limit headroom: the weight this IP used in the current minute (`X-MBX-USED-WEIGHT-1M`, counted
 * by the exchange for every process on the IP, the running engine included) against exchangeInfo's
 * REQUEST_WEIGHT limit.
 */
export async function checkRateLimitHeadroom(
  rest: Pick<ExchangeRest, 'getExchangeInfo' | 'status'>,
  thresholds: HeadroomThresholds,
): Promise<CheckResult> {
  const name = 'rate-limit headroom';
  const info = await rest.getExchangeInfo();
  const rule = info.rateLimits.find((limit) => limit.type === 'REQUEST_WEIGHT' && limit.intervalMs === 60_000);
  if (rule === undefined)
    return { name, status: 'warn', detail: 'exchangeInfo lists no 1-minute REQUEST_WEIGHT limit' };
  const used = rest.status().usedWeight1m;
  const share = used / rule.limit;
  const detail = `used weight ${used}/${rule.limit} this minute (${(share * 100).toFixed(1)} %, headroom ${rule.limit - used})`;
  if (share >= thresholds.failShare)
    return { name, status: 'fail', detail: `${detail}: at the client's own cap; a 429 is near` };
  if (share >= thresholds.warnShare) return { name, status: 'warn', detail: `${detail}: something is busy on this IP` };
  return { name, status: 'pass', detail };
}
