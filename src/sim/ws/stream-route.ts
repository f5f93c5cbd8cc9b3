import type { StreamChannel } from '../faults/fault-gate.ts';

/** One listenKey a `/private` connection asked for, with its `events` allow-list if it gave one. */
export interface UserKeyRequest {
  readonly listenKey: string;
  /** undefined = every event; otherwise only these `e` values are sent (reference §3.4). */
  readonly events: ReadonlySet<string> | undefined;
}

/** What an upgrade URL asks for (reference §3.1). */
export interface StreamRoute {
  /** The path's channel; the legacy `/ws` and `/stream` paths count as `/public`. */
  readonly channel: StreamChannel;
  /** `/ws` or `/stream` with no channel: decommissioned 2026-04-23, they deliver only /public data. */
  readonly legacy: boolean;
  /** `stream` mode wraps every payload as `{"stream":…,"data":…}`. */
  readonly combined: boolean;
  /** Market stream names as given, in order, without duplicates. */
  readonly streams: readonly string[];
  /** listenKeys (only on `/private`). */
  readonly userKeys: readonly UserKeyRequest[];
}

const CHANNELS: ReadonlySet<string> = new Set(['public', 'market', 'private']);

/**
 * Parses `/<channel>/ws[/<s1>/<s2>]`, `/<channel>/stream?streams=<s1>/<s2>` and the legacy forms
 * without a channel. On `/private`, names without '@' are listenKeys: `/private/ws/<key>`,
 * `/private/ws?listenKey=<key>&events=A/B`, `/private/stream?listenKey=<k1>&events=…&listenKey=<k2>`.
 * Returns undefined for any other path (answered with HTTP 404).
 */
export function parseStreamRoute(url: string): StreamRoute | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://simulator.invalid');
  } catch {
    return undefined;
  }
  const segments = parsed.pathname.split('/').filter((segment) => segment !== '');
  let channel: StreamChannel = 'public';
  let legacy = true;
  const first = segments[0];
  if (first !== undefined && CHANNELS.has(first)) {
    channel = first as StreamChannel;
    legacy = false;
    segments.shift();
  }
  const mode = segments.shift();
  let tokens: string[];
  if (mode === 'ws') {
    tokens = segments.map(decodeSegment);
  } else if (mode === 'stream' && segments.length === 0) {
    tokens = parsed.searchParams.getAll('streams').flatMap((value) => value.split('/'));
  } else {
    return undefined;
  }
  tokens = tokens.filter((token) => token !== '');

  const userKeys: UserKeyRequest[] = [];
  const streams: string[] = [];
  for (const token of tokens) {
    if (channel === 'private' && !token.includes('@')) userKeys.push({ listenKey: token, events: undefined });
    else streams.push(token);
  }
  if (channel === 'private') userKeys.push(...queryUserKeys(parsed.searchParams));
  return {
    channel,
    legacy,
    combined: mode === 'stream',
    streams: [...new Set(streams)],
    userKeys: dedupeKeys(userKeys),
  };
}

/** `listenKey=…&events=…` pairs: each `events` applies to the listenKey before it (stream mode allows several). */
function queryUserKeys(params: URLSearchParams): UserKeyRequest[] {
  const requests: { listenKey: string; events: Set<string> | undefined }[] = [];
  let pendingEvents: Set<string> | undefined;
  for (const [name, value] of params) {
    if (name === 'listenKey') {
      if (value === '') continue;
      requests.push({ listenKey: value, events: pendingEvents });
      pendingEvents = undefined;
    } else if (name === 'events') {
      const events = new Set(value.split('/').filter((event) => event !== ''));
      const last = requests.at(-1);
      if (last !== undefined && last.events === undefined) last.events = events;
      else pendingEvents = events;
    }
  }
  return requests;
}

function dedupeKeys(requests: readonly UserKeyRequest[]): UserKeyRequest[] {
  const byKey = new Map<string, UserKeyRequest>();
  for (const request of requests) if (!byKey.has(request.listenKey)) byKey.set(request.listenKey, request);
  return [...byKey.values()];
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
