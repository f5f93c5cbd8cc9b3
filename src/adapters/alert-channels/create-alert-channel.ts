import type { AlertChannel, AlertChannelKind, AlertMessage, DeliveryResult } from '../../ports/alert-sink.ts';
import { type AlertChannelConfig, secretEnvironmentVariables } from './alert-channel-config.ts';
import type { AlertChannelDeps } from './deliver-with-retries.ts';
import { EmailChannel } from './email-channel.ts';
import { PagerDutyChannel } from './pagerduty-channel.ts';
import { SlackChannel } from './slack-channel.ts';
import { TelegramChannel } from './telegram-channel.ts';
import { WebhookChannel } from './webhook-channel.ts';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface AlertChannelFactoryDeps extends AlertChannelDeps {
  /** Where secrets come from (`process.env` in the composition root; a plain object in tests). */
  readonly env: Environment;
}

/**
 * Builds the channel a config entry describes, reading its secrets from the environment. A missing
 * secret does not throw: the channel exists and every send reports `ok: false` naming the variable,
 * so `yunmin alerts test` shows it and the other channels still deliver (issue 6 point 1).
 */
export function createAlertChannel(config: AlertChannelConfig, deps: AlertChannelFactoryDeps): AlertChannel {
  const missing = secretEnvironmentVariables(config).filter((name) => (deps.env[name] ?? '') === '');
  if (missing.length > 0) return new UnconfiguredChannel(config.name, config.kind, missing, deps);
  const secret = (name: string): string => deps.env[name] ?? '';
  const { name, timeoutMs } = config;
  switch (config.kind) {
    case 'slack':
      return new SlackChannel({ name, timeoutMs, webhookUrl: secret(config.webhookUrlEnv) }, deps);
    case 'telegram':
      return new TelegramChannel(
        { name, timeoutMs, baseUrl: config.baseUrl, token: secret(config.tokenEnv), chatId: config.chatId },
        deps,
      );
    case 'email': {
      const { userEnv, passwordEnv } = config;
      const auth =
        userEnv === undefined || passwordEnv === undefined
          ? undefined
          : { user: secret(userEnv), password: secret(passwordEnv) };
      const { host, port, secure, from, to } = config;
      return new EmailChannel({ name, timeoutMs, host, port, secure, auth, from, to }, deps);
    }
    case 'webhook': {
      const hmacSecret = config.hmacSecretEnv === undefined ? undefined : secret(config.hmacSecretEnv);
      return new WebhookChannel({ name, timeoutMs, url: config.url, hmacSecret }, deps);
    }
    case 'pagerduty':
      return new PagerDutyChannel(
        { name, timeoutMs, baseUrl: config.baseUrl, routingKey: secret(config.routingKeyEnv), source: config.source },
        deps,
      );
    default: {
      const unknownKind: never = config;
      return unknownKind;
    }
  }
}

/** Every configured channel, in config order. */
export function createAlertChannels(
  configs: readonly AlertChannelConfig[],
  deps: AlertChannelFactoryDeps,
): AlertChannel[] {
  return configs.map((config) => createAlertChannel(config, deps));
}

/** A channel whose secret is not in the environment: it never sends, and says which variable to set. */
class UnconfiguredChannel implements AlertChannel {
  readonly name: string;
  readonly kind: AlertChannelKind;
  readonly #error: string;
  readonly #deps: AlertChannelDeps;

  constructor(name: string, kind: AlertChannelKind, missing: readonly string[], deps: AlertChannelDeps) {
    this.name = name;
    this.kind = kind;
    this.#error = `not configured: environment variable ${missing.join(', ')} is not set`;
    this.#deps = deps;
  }

  send(_message: AlertMessage): Promise<DeliveryResult> {
    return Promise.resolve({
      channel: this.name,
      ok: false,
      attempts: 0,
      error: this.#error,
      at: this.#deps.clock.now(),
    });
  }
}
