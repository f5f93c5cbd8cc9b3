import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ALERT_CHANNELS_CONFIG_SCHEMA, secretEnvironmentVariables } from './alert-channel-config.ts';
import { createRedactor } from './secret-redaction.ts';

const EXAMPLE = `
channels:
  - name: slack-trading-live
    kind: slack
    webhook_url_env: YUNMIN_SLACK_WEBHOOK_URL
  - name: telegram-oncall
    kind: telegram
    token_env: YUNMIN_TELEGRAM_TOKEN
    chat_id: -1001234567890
  - name: email-cto
    kind: email
    host: smtp.example.com
    user_env: YUNMIN_SMTP_USER
    password_env: YUNMIN_SMTP_PASSWORD
    from: yunmin@example.com
    to: [cto@example.com]
  - name: ops-router
    kind: webhook
    url: https://ops.example.com/hooks/yunmin/
    hmac_secret_env: YUNMIN_WEBHOOK_HMAC
    timeout_ms: 3000
  - name: pagerduty-trading-lead
    kind: pagerduty
    routing_key_env: YUNMIN_PAGERDUTY_ROUTING_KEY
`;

function parseChannels(yamlText: string) {
  return ALERT_CHANNELS_CONFIG_SCHEMA.safeParse((parseYaml(yamlText) as { channels: unknown }).channels);
}

describe('alerts.channels config', () => {
  it('the documented example → camelCase channels with defaults filled in', () => {
    const parsed = parseChannels(EXAMPLE);

    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual([
      { kind: 'slack', name: 'slack-trading-live', timeoutMs: 10_000, webhookUrlEnv: 'YUNMIN_SLACK_WEBHOOK_URL' },
      {
        kind: 'telegram',
        name: 'telegram-oncall',
        timeoutMs: 10_000,
        baseUrl: 'https://api.telegram.org',
        tokenEnv: 'YUNMIN_TELEGRAM_TOKEN',
        chatId: '-1001234567890',
      },
      {
        kind: 'email',
        name: 'email-cto',
        timeoutMs: 10_000,
        host: 'smtp.example.com',
        port: 587,
        secure: false,
        userEnv: 'YUNMIN_SMTP_USER',
        passwordEnv: 'YUNMIN_SMTP_PASSWORD',
        from: 'yunmin@example.com',
        to: ['cto@example.com'],
      },
      {
        kind: 'webhook',
        name: 'ops-router',
        timeoutMs: 3000,
        url: 'https://ops.example.com/hooks/yunmin',
        hmacSecretEnv: 'YUNMIN_WEBHOOK_HMAC',
      },
      {
        kind: 'pagerduty',
        name: 'pagerduty-trading-lead',
        timeoutMs: 10_000,
        baseUrl: 'https://events.pagerduty.com',
        routingKeyEnv: 'YUNMIN_PAGERDUTY_ROUTING_KEY',
        source: 'yunmin',
      },
    ]);
    expect(parsed.data?.flatMap(secretEnvironmentVariables)).toEqual([
      'YUNMIN_SLACK_WEBHOOK_URL',
      'YUNMIN_TELEGRAM_TOKEN',
      'YUNMIN_SMTP_USER',
      'YUNMIN_SMTP_PASSWORD',
      'YUNMIN_WEBHOOK_HMAC',
      'YUNMIN_PAGERDUTY_ROUTING_KEY',
    ]);
  });

  it('missing or empty section → no channels', () => {
    expect(ALERT_CHANNELS_CONFIG_SCHEMA.parse(undefined)).toEqual([]);
    expect(ALERT_CHANNELS_CONFIG_SCHEMA.parse(null)).toEqual([]);
  });

  it('a token pasted where the variable name goes → rejected, and the token is not echoed', () => {
    const token = '123456789:AAFsecretTelegramToken';
    const parsed = parseChannels(`channels:\n  - {name: tg, kind: telegram, token_env: "${token}", chat_id: 1}\n`);

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual([0, 'token_env']);
    expect(JSON.stringify(parsed.error?.issues)).not.toContain(token);
  });

  it('duplicate names, unknown kind, unknown key, user without password → each rejected at its path', () => {
    const duplicate = parseChannels(
      'channels:\n  - {name: a, kind: webhook, url: "http://x"}\n  - {name: a, kind: webhook, url: "http://y"}\n',
    );
    expect(duplicate.error?.issues[0]?.path).toEqual([1, 'name']);
    expect(parseChannels('channels:\n  - {name: a, kind: sms}\n').success).toBe(false);
    const typo = parseChannels('channels:\n  - {name: a, kind: webhook, url: "http://x", hmac_secret: abc}\n');
    expect(typo.success).toBe(false);
    const halfAuth = parseChannels(
      'channels:\n  - {name: m, kind: email, host: h, user_env: U, from: a@b.c, to: [c@d.e]}\n',
    );
    expect(halfAuth.error?.issues[0]?.path).toEqual([0, 'password_env']);
    expect(parseChannels('channels:\n  - {name: m, kind: email, host: h, from: a@b.c, to: []}\n').success).toBe(false);
  });
});

describe('secret redaction', () => {
  it('secret, its URL-encoded form and a secret URL path → all [redacted]; other text intact', () => {
    const redact = createRedactor(['tok:en/1', 'https://hooks.slack.com/services/T1/B2/xyz', undefined, '']);

    expect(redact('a tok:en/1 b tok%3Aen%2F1 c')).toBe('a [redacted] b [redacted] c');
    expect(redact('POST https://hooks.slack.com/services/T1/B2/xyz failed')).toBe('POST [redacted] failed');
    expect(redact('path /services/T1/B2/xyz not found')).toBe('path [redacted] not found');
    expect(redact('nothing secret here')).toBe('nothing secret here');
  });
});
