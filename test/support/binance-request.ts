import { createHmac } from 'node:crypto';

export interface SignedRequestTarget {
  readonly urls: { readonly rest: string };
  readonly apiKey: string;
  readonly apiSecret: string;
}

export type ParamPlacement = 'query' | 'body' | 'both';

export interface BinanceReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/**
 * Sends a SIGNED request the way Binance's docs describe (§2.2): HMAC-SHA256 over the query string
 * concatenated with the urlencoded body, signature last. `placement: 'both'` splits the params.
 */
export async function signedRequest(
  target: SignedRequestTarget,
  method: string,
  path: string,
  params: Record<string, string | number | boolean> = {},
  placement: ParamPlacement = 'query',
  timestamp = Date.now(),
): Promise<BinanceReply> {
  const entries = Object.entries({ ...params, timestamp }).map(([k, v]) => [k, String(v)] as [string, string]);
  const split = placement === 'both' ? Math.ceil(entries.length / 2) : placement === 'query' ? entries.length : 0;
  const query = new URLSearchParams(entries.slice(0, split)).toString();
  const body = new URLSearchParams(entries.slice(split)).toString();
  const signature = createHmac('sha256', target.apiSecret)
    .update(query + body)
    .digest('hex');
  const signedQuery =
    body === '' || placement === 'query' ? `${query}${query ? '&' : ''}signature=${signature}` : query;
  const signedBody = body === '' || placement === 'query' ? body : `${body}&signature=${signature}`;
  const url = `${target.urls.rest}${path}${signedQuery ? `?${signedQuery}` : ''}`;
  const response = await fetch(url, {
    method,
    headers: { 'X-MBX-APIKEY': target.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
    ...(signedBody !== '' && { body: signedBody }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

export async function publicRequest(
  target: { readonly urls: { readonly rest: string } },
  path: string,
): Promise<BinanceReply> {
  const response = await fetch(`${target.urls.rest}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

export async function controlRequest(
  target: { readonly urls: { readonly control: string } },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${target.urls.control}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.json() };
}
