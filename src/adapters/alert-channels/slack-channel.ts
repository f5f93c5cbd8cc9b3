import type { AlertChannel, AlertMessage, DeliveryResult } from '../../ports/alert-sink.ts';
import { type AlertChannelDeps, deliverWithRetries } from './deliver-with-retries.ts';
import { postJson } from './post-json.ts';
import { createRedactor, type Redactor } from './secret-redaction.ts';

export interface SlackChannelOptions {
  readonly name: string;
  /** The incoming-webhook URL; a secret (anyone holding it can post to the channel). */
  readonly webhookUrl: string;
  readonly timeoutMs: number;
}

/** Slack mrkdwn treats these three as control characters; the rest is literal (Slack "Formatting text"). */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The `{ text }` body of an incoming webhook: mentions and the bold title first, then the details. */
export function slackPayload(message: AlertMessage): { text: string } {
  const mentions = message.mentions.length === 0 ? '' : `${message.mentions.map(escapeSlack).join(' ')} `;
  return { text: `${mentions}*${escapeSlack(message.title)}*\n${escapeSlack(message.text)}` };
}

/** Slack incoming webhook: POST JSON, answered `200 ok` (playbook §9 level 1: #trading-live). */
export class SlackChannel implements AlertChannel {
  readonly name: string;
  readonly kind = 'slack' as const;
  readonly #options: SlackChannelOptions;
  readonly #deps: AlertChannelDeps;
  readonly #redact: Redactor;

  constructor(options: SlackChannelOptions, deps: AlertChannelDeps) {
    this.name = options.name;
    this.#options = options;
    this.#deps = deps;
    this.#redact = createRedactor([options.webhookUrl]);
  }

  send(message: AlertMessage): Promise<DeliveryResult> {
    const fetchFunction = this.#deps.fetch ?? fetch;
    return deliverWithRetries({
      channel: this.name,
      clock: this.#deps.clock,
      retry: this.#deps.retry,
      timeoutMs: this.#options.timeoutMs,
      redact: this.#redact,
      attempt: async (signal) => {
        const body = JSON.stringify(slackPayload(message));
        await postJson(fetchFunction, { url: this.#options.webhookUrl, body, signal });
      },
    });
  }
}
