import { DeliveryFailure, isRetryableStatus, retryAfterMsFrom } from './delivery-failure.ts';

export interface JsonPost {
  readonly url: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

export interface JsonResponse {
  readonly status: number;
  readonly text: string;
}

/** Enough of a provider's error body to say what went wrong, not a page of HTML. */
const ERROR_BODY_CHARS = 200;

/**
 * POSTs a JSON body and returns the response when the status is 2xx; otherwise throws a
 * `DeliveryFailure` saying whether a retry can help. The error quotes the status and the start of
 * the body, never the URL (it may hold a secret); the caller redacts anyway.
 */
export async function postJson(fetchFunction: typeof fetch, post: JsonPost): Promise<JsonResponse> {
  let response: Response;
  try {
    response = await fetchFunction(post.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...post.headers },
      body: post.body,
      signal: post.signal,
    });
  } catch (error) {
    // An abort by our own timeout carries the DeliveryFailure as its reason.
    if (post.signal.aborted && post.signal.reason instanceof DeliveryFailure) throw post.signal.reason;
    throw new DeliveryFailure('ALERT_CHANNEL_UNREACHABLE', 'request failed', { retryable: true, cause: error });
  }
  const text = await response.text();
  if (response.status >= 200 && response.status < 300) return { status: response.status, text };
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, ERROR_BODY_CHARS);
  throw new DeliveryFailure(
    'ALERT_CHANNEL_REJECTED',
    `HTTP ${response.status}${snippet === '' ? '' : `: ${snippet}`}`,
    {
      retryable: isRetryableStatus(response.status),
      retryAfterMs: retryAfterMsFrom(response.headers.get('retry-after')),
    },
  );
}
