import { type CheckResult, errorText } from './doctor-check.ts';

export interface WsProbeResult {
  /** ms from starting the connection to the open handshake. */
  readonly connectMs: number;
  /** ms from open to the first message. */
  readonly firstMessageMs: number;
}

/** Opens a WebSocket to `url` and waits for its first message; rejects on error or timeout. */
export type WsProbe = (url: string) => Promise<WsProbeResult>;

export interface WsThresholds {
  /** latency.ws_p95_warn_ms (500): a connect or first message slower than this warns. */
  readonly warnMs: number;
}

/** The market stream the doctor listens to: bookTicker on `/public` (split paths since 2026-03-06). */
export function marketStreamUrl(wsBaseUrl: string, symbol: string): string {
  return `${wsBaseUrl.replace(/\/$/, '')}/public/ws/${symbol.toLowerCase()}@bookTicker`;
}

/** Playbook §1 step 3 and §3 "If WebSocket latency high": can we connect, and does data flow? */
export async function checkWebSocket(url: string, probe: WsProbe, thresholds: WsThresholds): Promise<CheckResult> {
  const name = 'ws connect + first message';
  let result: WsProbeResult;
  try {
    result = await probe(url);
  } catch (error) {
    return { name, status: 'fail', detail: `${url}: ${errorText(error)}` };
  }
  const detail = `${url}: connected in ${result.connectMs} ms, first message after ${result.firstMessageMs} ms`;
  if (result.connectMs > thresholds.warnMs || result.firstMessageMs > thresholds.warnMs * 4)
    return { name, status: 'warn', detail: `${detail} (slow: check the route, \`ping\` the stream host)` };
  return { name, status: 'pass', detail };
}
