import { createHmac } from 'node:crypto';
import type { AlertChannel, AlertMessage, DeliveryResult } from '../../ports/alert-sink.ts';
import { type AlertChannelDeps, deliverWithRetries } from './deliver-with-retries.ts';
import { postJson } from './post-json.ts';
import { createRedactor, type Redactor } from './secret-redaction.ts';

export interface WebhookChannelOptions {
  readonly name: string;
  readonly url: string;
  /** When set, every body is signed so the receiver can prove it came from yunmin. */
  readonly hmacSecret: string | undefined;
  readonly timeoutMs: number;
}

export const WEBHOOK_SIGNATURE_HEADER = 'x-yunmin-signature';

/** `sha256=<hex>` of the exact body bytes, the form GitHub and Stripe-style receivers verify. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** The whole message as JSON, field for field, so any receiver can route on it. */
export function webhookPayload(message: AlertMessage): AlertMessage {
  return {
    dedupKey: message.dedupKey,
    severity: message.severity,
    title: message.title,
    text: message.text,
    mentions: [...message.mentions],
    event: message.event,
    fields: { ...message.fields },
  };
}

/** A generic JSON webhook (an on-call bot, a ticketing system, a second team's alert router). */
export class WebhookChannel implements AlertChannel {
  readonly name: string;
  readonly kind = 'webhook' as const;
  readonly #options: WebhookChannelOptions;
  readonly #deps: AlertChannelDeps;
  readonly #redact: Redactor;

  constructor(options: WebhookChannelOptions, deps: AlertChannelDeps) {
    this.name = options.name;
    this.#options = options;
    this.#deps = deps;
    this.#redact = createRedactor([options.hmacSecret]);
  }

  send(message: AlertMessage): Promise<DeliveryResult> {
    const fetchFunction = this.#deps.fetch ?? fetch;
    const { hmacSecret } = this.#options;
    return deliverWithRetries({
      channel: this.name,
      clock: this.#deps.clock,
      retry: this.#deps.retry,
      timeoutMs: this.#options.timeoutMs,
      redact: this.#redact,
      attempt: async (signal) => {
        const body = JSON.stringify(webhookPayload(message));
        const headers: Record<string, string> =
          hmacSecret === undefined ? {} : { [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(hmacSecret, body) };
        await postJson(fetchFunction, { url: this.#options.url, body, headers, signal });
      },
    });
  }
}
