import type { AlertChannel, AlertMessage, DeliveryResult } from '../../ports/alert-sink.ts';
import { type AlertChannelDeps, deliverWithRetries } from './deliver-with-retries.ts';
import { DeliveryFailure } from './delivery-failure.ts';
import { postJson } from './post-json.ts';
import { createRedactor, type Redactor } from './secret-redaction.ts';

export interface TelegramChannelOptions {
  readonly name: string;
  /** `https://api.telegram.org` in production; a local receiver in tests. */
  readonly baseUrl: string;
  /** The bot token; a secret, and part of the request path (`/bot{token}/sendMessage`). */
  readonly token: string;
  readonly chatId: string;
  readonly timeoutMs: number;
}

/** Bot API limit for `sendMessage.text` (characters after entity parsing; we send plain text). */
const TELEGRAM_TEXT_LIMIT = 4096;

/** Plain text (no parse_mode), so nothing in an incident needs escaping; mentions prefix it. */
export function telegramPayload(
  chatId: string,
  message: AlertMessage,
): { chat_id: string; text: string; disable_web_page_preview: boolean } {
  const prefix = message.mentions.length === 0 ? '' : `${message.mentions.join(' ')}\n`;
  const text = `${prefix}${message.title}\n\n${message.text}`;
  return {
    chat_id: chatId,
    text: text.length > TELEGRAM_TEXT_LIMIT ? `${text.slice(0, TELEGRAM_TEXT_LIMIT - 1)}…` : text,
    disable_web_page_preview: true,
  };
}

/** Telegram Bot API `sendMessage`; answers `{ ok: true, result }` or `{ ok: false, error_code, description }`. */
export class TelegramChannel implements AlertChannel {
  readonly name: string;
  readonly kind = 'telegram' as const;
  readonly #options: TelegramChannelOptions;
  readonly #deps: AlertChannelDeps;
  readonly #redact: Redactor;

  constructor(options: TelegramChannelOptions, deps: AlertChannelDeps) {
    this.name = options.name;
    this.#options = options;
    this.#deps = deps;
    this.#redact = createRedactor([options.token]);
  }

  send(message: AlertMessage): Promise<DeliveryResult> {
    const fetchFunction = this.#deps.fetch ?? fetch;
    const url = `${this.#options.baseUrl}/bot${this.#options.token}/sendMessage`;
    return deliverWithRetries({
      channel: this.name,
      clock: this.#deps.clock,
      retry: this.#deps.retry,
      timeoutMs: this.#options.timeoutMs,
      redact: this.#redact,
      attempt: async (signal) => {
        const body = JSON.stringify(telegramPayload(this.#options.chatId, message));
        const response = await postJson(fetchFunction, { url, body, signal }).catch((error: unknown) => {
          throw withTelegramRetryAfter(error);
        });
        // A 200 whose body is not `ok: true` is not a delivery (a proxy page, a changed API).
        if (!isOkBody(response.text)) {
          throw new DeliveryFailure('ALERT_CHANNEL_REJECTED', 'Telegram answered without "ok": true', {
            retryable: true,
          });
        }
      },
    });
  }
}

function isOkBody(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && (body as { ok?: unknown }).ok === true;
  } catch {
    return false;
  }
}

/** A 429 carries `parameters.retry_after` (seconds) in the body rather than a header. */
function withTelegramRetryAfter(error: unknown): unknown {
  if (!(error instanceof DeliveryFailure) || error.retryAfterMs !== undefined) return error;
  const match = /"retry_after"\s*:\s*(\d+)/.exec(error.message);
  if (match?.[1] === undefined) return error;
  return new DeliveryFailure(error.code, error.message, {
    retryable: error.retryable,
    retryAfterMs: Number(match[1]) * 1000,
    cause: error.cause,
  });
}
