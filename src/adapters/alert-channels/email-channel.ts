import nodemailer, { type Transporter } from 'nodemailer';
import type { AlertChannel, AlertMessage, DeliveryResult } from '../../ports/alert-sink.ts';
import { type AlertChannelDeps, deliverWithRetries } from './deliver-with-retries.ts';
import { DeliveryFailure } from './delivery-failure.ts';
import { createRedactor, type Redactor } from './secret-redaction.ts';

export interface EmailChannelOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  /** SMTP login; the password is a secret. Omitted: no AUTH (a local relay). */
  readonly auth: { readonly user: string; readonly password: string } | undefined;
  readonly from: string;
  readonly to: readonly string[];
  readonly timeoutMs: number;
}

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
}

/** Subject is the title ("[URGENT] WS_STALE: …", playbook §9: email the CTO "[URGENT] {incident}"). */
export function emailContent(message: AlertMessage): EmailContent {
  const forLine = message.mentions.length === 0 ? '' : `For: ${message.mentions.join(' ')}\n\n`;
  return { subject: message.title, text: `${forLine}${message.text}\n` };
}

/** SMTP reply codes and nodemailer error codes that no retry can fix. */
function isPermanent(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  // 5xx is a permanent SMTP failure (RFC 5321 §4.2.1): bad recipient, rejected sender, auth refused.
  if (typeof responseCode === 'number' && responseCode >= 500) return true;
  return code === 'EAUTH' || code === 'EENVELOPE';
}

/** Email over SMTP with nodemailer: one connection per message (alerts are rare; no pool to go stale). */
export class EmailChannel implements AlertChannel {
  readonly name: string;
  readonly kind = 'email' as const;
  readonly #options: EmailChannelOptions;
  readonly #deps: AlertChannelDeps;
  readonly #redact: Redactor;
  readonly #transport: Transporter;

  constructor(options: EmailChannelOptions, deps: AlertChannelDeps) {
    this.name = options.name;
    this.#options = options;
    this.#deps = deps;
    this.#redact = createRedactor([options.auth?.password]);
    this.#transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      ...(options.auth === undefined ? {} : { auth: { user: options.auth.user, pass: options.auth.password } }),
      // nodemailer cannot be aborted; its own socket timeouts make sure a timed-out attempt (our
      // Clock timeout wins the race) does not leave a connection open for nodemailer's 10-minute default.
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    });
  }

  send(message: AlertMessage): Promise<DeliveryResult> {
    const { from, to, timeoutMs } = this.#options;
    return deliverWithRetries({
      channel: this.name,
      clock: this.#deps.clock,
      retry: this.#deps.retry,
      timeoutMs,
      redact: this.#redact,
      attempt: async () => {
        const content = emailContent(message);
        try {
          await this.#transport.sendMail({
            from,
            to: [...to],
            subject: content.subject,
            text: content.text,
            headers: { 'X-Yunmin-Incident': message.dedupKey },
          });
        } catch (error) {
          const text = error instanceof Error ? error.message : String(error);
          throw new DeliveryFailure('ALERT_CHANNEL_REJECTED', `SMTP: ${text}`, { retryable: !isPermanent(error) });
        }
      },
    });
  }
}
