import { isIP } from 'node:net';
import type { Clock } from '../../lib/clock.ts';
import { type CheckResult, errorText } from './doctor-check.ts';

/** Resolves a host name to its addresses (node:dns lookup with `all`, as the HTTP client resolves). */
export type HostResolver = (host: string) => Promise<readonly string[]>;

/** The host of every REST endpoint and the WS endpoint, once each. */
export function endpointHosts(urls: readonly string[]): string[] {
  return [...new Set(urls.map((url) => new URL(url).hostname.replace(/^\[|\]$/g, '')))];
}

/**
 * Playbook §1 step 3 (`nslookup stream.binance.com`): every configured host must resolve. An IP
 * literal or localhost needs no DNS and passes as it is; a lookup slower than a second is a warn
 * (the resolver adds that to every new connection).
 */
export async function checkDns(host: string, resolve: HostResolver, clock: Clock): Promise<CheckResult> {
  const name = `dns ${host}`;
  if (isIP(host) !== 0) return { name, status: 'pass', detail: 'IP address, no lookup needed' };
  const startedAt = clock.now();
  try {
    const addresses = await resolve(host);
    const ms = clock.now() - startedAt;
    if (addresses.length === 0) return { name, status: 'fail', detail: 'resolved to no address' };
    return {
      name,
      status: ms > 1000 ? 'warn' : 'pass',
      detail: `${addresses.slice(0, 3).join(', ')}${addresses.length > 3 ? ', …' : ''} (${ms} ms${ms > 1000 ? ', slow resolver' : ''})`,
    };
  } catch (error) {
    return { name, status: 'fail', detail: `does not resolve: ${errorText(error)}; check DNS and the network` };
  }
}
