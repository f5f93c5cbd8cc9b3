import { z } from 'zod';
import type { AlertChannelKind } from '../../ports/alert-sink.ts';

/**
 * The `alerts.channels` config section (issue 6 point 1): a list of named channels, one kind each.
 * File keys are snake_case like the rest of the config; the parsed value is camelCase.
 *
 * Secrets never sit in the file (config.example.yaml: a secret-looking key is an error): a key
 * ending in `_env` holds the NAME of an environment variable (`token_env: YUNMIN_TELEGRAM_TOKEN`),
 * and the value must look like one, so a token pasted there by mistake is rejected, never echoed.
 * Slack incoming-webhook URLs carry their secret in the path, so Slack takes `webhook_url_env`.
 */

export interface AlertChannelCommonConfig {
  /** Unique; the escalation matrix refers to channels by this name (e.g. "slack-trading-live"). */
  readonly name: string;
  /** Per-attempt timeout; retries and backoff come from the channel deps. */
  readonly timeoutMs: number;
}

export interface SlackChannelConfig extends AlertChannelCommonConfig {
  readonly kind: 'slack';
  readonly webhookUrlEnv: string;
}

export interface TelegramChannelConfig extends AlertChannelCommonConfig {
  readonly kind: 'telegram';
  readonly baseUrl: string;
  readonly tokenEnv: string;
  readonly chatId: string;
}

export interface EmailChannelConfig extends AlertChannelCommonConfig {
  readonly kind: 'email';
  readonly host: string;
  readonly port: number;
  /** true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when offered. */
  readonly secure: boolean;
  readonly userEnv: string | undefined;
  readonly passwordEnv: string | undefined;
  readonly from: string;
  readonly to: readonly string[];
}

export interface WebhookChannelConfig extends AlertChannelCommonConfig {
  readonly kind: 'webhook';
  readonly url: string;
  /** When set, the body is signed: `X-Yunmin-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
  readonly hmacSecretEnv: string | undefined;
}

export interface PagerDutyChannelConfig extends AlertChannelCommonConfig {
  readonly kind: 'pagerduty';
  readonly baseUrl: string;
  readonly routingKeyEnv: string;
  /** PagerDuty `payload.source`: the host or service that raised the event. */
  readonly source: string;
}

export type AlertChannelConfig =
  | SlackChannelConfig
  | TelegramChannelConfig
  | EmailChannelConfig
  | WebhookChannelConfig
  | PagerDutyChannelConfig;

export const ALERT_CHANNEL_KINDS = [
  'slack',
  'telegram',
  'email',
  'webhook',
  'pagerduty',
] as const satisfies readonly AlertChannelKind[];

export const DEFAULT_CHANNEL_TIMEOUT_MS = 10_000;
export const DEFAULT_TELEGRAM_BASE_URL = 'https://api.telegram.org';
export const DEFAULT_PAGERDUTY_BASE_URL = 'https://events.pagerduty.com';

function expected(text: string): { error: string } {
  return { error: `expected ${text}` };
}

const ENVIRONMENT_VARIABLE_NAME = /^[A-Z_][A-Z0-9_]*$/;

function environmentVariableName() {
  const message = expected('the NAME of an environment variable such as YUNMIN_TELEGRAM_TOKEN (never the secret)');
  return z.string(message).regex(ENVIRONMENT_VARIABLE_NAME, message);
}

function text(what: string) {
  const message = expected(what);
  return z.string(message).trim().min(1, message);
}

function httpUrl(what: string) {
  const message = expected(what);
  return z
    .string(message)
    .refine((value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol), message)
    .transform((value) => value.replace(/\/+$/, ''));
}

const EMAIL_ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

function emailAddress() {
  const message = expected('an email address such as cto@example.com');
  return z.string(message).trim().regex(EMAIL_ADDRESS, message);
}

const common = {
  name: text('a channel name such as slack-trading-live'),
  timeout_ms: z
    .number(expected('an integer from 100 to 120000'))
    .int(expected('an integer from 100 to 120000'))
    .min(100, expected('an integer from 100 to 120000'))
    .max(120_000, expected('an integer from 100 to 120000'))
    .default(DEFAULT_CHANNEL_TIMEOUT_MS),
};

const slack = z
  .strictObject({ ...common, kind: z.literal('slack'), webhook_url_env: environmentVariableName() })
  .transform(
    (file): SlackChannelConfig => ({
      kind: 'slack',
      name: file.name,
      timeoutMs: file.timeout_ms,
      webhookUrlEnv: file.webhook_url_env,
    }),
  );

const telegram = z
  .strictObject({
    ...common,
    kind: z.literal('telegram'),
    base_url: httpUrl('an http(s) base URL').default(DEFAULT_TELEGRAM_BASE_URL),
    token_env: environmentVariableName(),
    // Telegram chat ids are integers (negative for groups) or "@channelusername".
    chat_id: z.union([z.number().int(), text('a chat id')], expected('a chat id such as -1001234567890')),
  })
  .transform(
    (file): TelegramChannelConfig => ({
      kind: 'telegram',
      name: file.name,
      timeoutMs: file.timeout_ms,
      baseUrl: file.base_url,
      tokenEnv: file.token_env,
      chatId: String(file.chat_id),
    }),
  );

const email = z
  .strictObject({
    ...common,
    kind: z.literal('email'),
    host: text('an SMTP host name'),
    port: z.number(expected('a port from 1 to 65535')).int().min(1).max(65_535).default(587),
    secure: z.boolean(expected('true or false')).default(false),
    user_env: environmentVariableName().optional(),
    password_env: environmentVariableName().optional(),
    from: emailAddress(),
    to: z.array(emailAddress(), expected('a non-empty list of email addresses')).min(1),
  })
  .refine((file) => (file.user_env === undefined) === (file.password_env === undefined), {
    error: 'expected both user_env and password_env, or neither',
    path: ['password_env'],
  })
  .transform(
    (file): EmailChannelConfig => ({
      kind: 'email',
      name: file.name,
      timeoutMs: file.timeout_ms,
      host: file.host,
      port: file.port,
      secure: file.secure,
      userEnv: file.user_env,
      passwordEnv: file.password_env,
      from: file.from,
      to: file.to,
    }),
  );

const webhook = z
  .strictObject({
    ...common,
    kind: z.literal('webhook'),
    url: httpUrl('an http(s) URL'),
    hmac_secret_env: environmentVariableName().optional(),
  })
  .transform(
    (file): WebhookChannelConfig => ({
      kind: 'webhook',
      name: file.name,
      timeoutMs: file.timeout_ms,
      url: file.url,
      hmacSecretEnv: file.hmac_secret_env,
    }),
  );

const pagerduty = z
  .strictObject({
    ...common,
    kind: z.literal('pagerduty'),
    base_url: httpUrl('an http(s) base URL').default(DEFAULT_PAGERDUTY_BASE_URL),
    routing_key_env: environmentVariableName(),
    source: text('a source name such as yunmin-prod').default('yunmin'),
  })
  .transform(
    (file): PagerDutyChannelConfig => ({
      kind: 'pagerduty',
      name: file.name,
      timeoutMs: file.timeout_ms,
      baseUrl: file.base_url,
      routingKeyEnv: file.routing_key_env,
      source: file.source,
    }),
  );

/** One entry of `alerts.channels`, chosen by `kind`. */
export const ALERT_CHANNEL_CONFIG_SCHEMA = z.discriminatedUnion('kind', [slack, telegram, email, webhook, pagerduty], {
  error: expected(`a channel with kind one of ${ALERT_CHANNEL_KINDS.join(', ')}`).error,
});

/** The whole `alerts.channels` list (missing or null = no channels); names must be unique. */
export const ALERT_CHANNELS_CONFIG_SCHEMA = z.preprocess(
  (value) => value ?? [],
  z.array(ALERT_CHANNEL_CONFIG_SCHEMA, expected('a list of channels')).superRefine((channels, context) => {
    const seen = new Set<string>();
    channels.forEach((channel, index) => {
      if (seen.has(channel.name)) {
        context.addIssue({
          code: 'custom',
          message: `expected unique channel names, "${channel.name}" repeats`,
          path: [index, 'name'],
        });
      }
      seen.add(channel.name);
    });
  }),
);

/** The environment variables a channel reads its secrets from (for a startup check or `alerts test`). */
export function secretEnvironmentVariables(config: AlertChannelConfig): string[] {
  switch (config.kind) {
    case 'slack':
      return [config.webhookUrlEnv];
    case 'telegram':
      return [config.tokenEnv];
    case 'email':
      return [config.userEnv, config.passwordEnv].filter((name): name is string => name !== undefined);
    case 'webhook':
      return config.hmacSecretEnv === undefined ? [] : [config.hmacSecretEnv];
    case 'pagerduty':
      return [config.routingKeyEnv];
    default: {
      const unknownKind: never = config;
      return unknownKind;
    }
  }
}
