import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import type { AlertChannel, AlertMessage } from '../../ports/alert-sink.ts';
import { ALERT_CHANNEL_CONFIG_SCHEMA } from './alert-channel-config.ts';
import { createAlertChannel, type Environment } from './create-alert-channel.ts';
import type { RetryPolicy } from './deliver-with-retries.ts';
import { type HttpReceiver, type Reply, settleOnClock, startHttpReceiver } from './local-receivers.test-support.ts';

const MESSAGE: AlertMessage = {
  dedupKey: 'INC-20260101-0001',
  severity: 'CRIT',
  title: '[URGENT] WS_STALE: WebSocket stale: 61s',
  text: 'Detected: no market message for 61s (threshold 60s)\nDone: kill switch tripped, 2 orders cancelled\nNext: yunmin incidents show INC-20260101-0001',
  mentions: ['@trading-lead'],
  event: 'trigger',
  fields: { incident: 'INC-20260101-0001', mode: 'LIVE', positions: 'BTCUSDT 0.010' },
};

const SLACK_PATH = '/services/T0001/B0002/SeCrEtPaTh123';
const TELEGRAM_TOKEN = '123456789:AAFsecretTelegramToken';
const ROUTING_KEY = 'R0UT1NGKEYsecret0000000000000000';
const HMAC_SECRET = 'whsec-shared-secret';
const SECRETS = ['SeCrEtPaTh123', TELEGRAM_TOKEN, encodeURIComponent(TELEGRAM_TOKEN), ROUTING_KEY, HMAC_SECRET];

let clock: TestClock;
const receivers: HttpReceiver[] = [];

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function receiver(reply: (index: number) => Reply): Promise<HttpReceiver> {
  const started = await startHttpReceiver(clock, (_request, index) => reply(index));
  receivers.push(started);
  return started;
}

function channel(
  rawConfig: Record<string, unknown>,
  env: Environment,
  retry: RetryPolicy = { attempts: 3, initialDelayMs: 1000 },
  fetchFunction?: typeof fetch,
): AlertChannel {
  const config = ALERT_CHANNEL_CONFIG_SCHEMA.parse(rawConfig);
  return createAlertChannel(config, {
    clock,
    retry,
    env,
    ...(fetchFunction === undefined ? {} : { fetch: fetchFunction }),
  });
}

function slackChannel(url: string, retry?: RetryPolicy): AlertChannel {
  return channel(
    { name: 'slack-trading-live', kind: 'slack', webhook_url_env: 'YUNMIN_SLACK_WEBHOOK_URL' },
    { YUNMIN_SLACK_WEBHOOK_URL: `${url}${SLACK_PATH}` },
    retry,
  );
}

function pagerDutyChannel(url: string, retry?: RetryPolicy, timeoutMs = 10_000): AlertChannel {
  return channel(
    {
      name: 'pagerduty-trading-lead',
      kind: 'pagerduty',
      base_url: url,
      routing_key_env: 'YUNMIN_PAGERDUTY_ROUTING_KEY',
      source: 'yunmin-prod',
      timeout_ms: timeoutMs,
    },
    { YUNMIN_PAGERDUTY_ROUTING_KEY: ROUTING_KEY },
    retry,
  );
}

function expectNoSecrets(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('alert channels over real HTTP', () => {
  it('Slack incoming webhook → POST JSON {text} with the mention, bold title and escaped body to the secret path', async () => {
    clock = new TestClock();
    const slack = await receiver(() => ({ status: 200, body: 'ok' }));
    const message = { ...MESSAGE, text: 'spread <5 bps & rising>' };

    const result = await slackChannel(slack.url).send(message);

    expect(result).toEqual({ channel: 'slack-trading-live', ok: true, attempts: 1, at: clock.now() });
    expect(slack.requests).toHaveLength(1);
    const [request] = slack.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(SLACK_PATH);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      text: '@trading-lead *[URGENT] WS_STALE: WebSocket stale: 61s*\nspread &lt;5 bps &amp; rising&gt;',
    });
  });

  it('Telegram → POST {baseUrl}/bot{token}/sendMessage with chat_id and mentions prefixing plain text', async () => {
    clock = new TestClock();
    const telegram = await receiver(() => ({ status: 200, body: '{"ok":true,"result":{"message_id":7}}' }));
    const sender = channel(
      {
        name: 'telegram-oncall',
        kind: 'telegram',
        base_url: telegram.url,
        token_env: 'YUNMIN_TELEGRAM_TOKEN',
        chat_id: -1001234567890,
      },
      { YUNMIN_TELEGRAM_TOKEN: TELEGRAM_TOKEN },
    );

    const result = await sender.send(MESSAGE);

    expect(result.ok).toBe(true);
    const [request] = telegram.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/bot${TELEGRAM_TOKEN}/sendMessage`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      chat_id: '-1001234567890',
      text: `@trading-lead\n${MESSAGE.title}\n\n${MESSAGE.text}`,
      disable_web_page_preview: true,
    });
  });

  it('Telegram 200 without ok:true → not delivered', async () => {
    clock = new TestClock();
    const telegram = await receiver(() => ({ status: 200, body: '<html>captive portal</html>' }));
    const sender = channel(
      { name: 'telegram', kind: 'telegram', base_url: telegram.url, token_env: 'TG', chat_id: '@ops' },
      { TG: TELEGRAM_TOKEN },
      { attempts: 1, initialDelayMs: 10 },
    );

    const result = await sender.send(MESSAGE);

    expect(result.ok).toBe(false);
    expect(result.error).toContain('"ok": true');
  });

  it('webhook with an HMAC secret → the whole message as JSON, signed sha256=HMAC(body)', async () => {
    clock = new TestClock();
    const hook = await receiver(() => ({ status: 204 }));
    const sender = channel(
      { name: 'ops-router', kind: 'webhook', url: `${hook.url}/hooks/yunmin`, hmac_secret_env: 'YUNMIN_WEBHOOK_HMAC' },
      { YUNMIN_WEBHOOK_HMAC: HMAC_SECRET },
    );

    const result = await sender.send(MESSAGE);

    expect(result.ok).toBe(true);
    const [request] = hook.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/hooks/yunmin');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      dedupKey: 'INC-20260101-0001',
      severity: 'CRIT',
      title: '[URGENT] WS_STALE: WebSocket stale: 61s',
      text: MESSAGE.text,
      mentions: ['@trading-lead'],
      event: 'trigger',
      fields: { incident: 'INC-20260101-0001', mode: 'LIVE', positions: 'BTCUSDT 0.010' },
    });
    const expected = `sha256=${createHmac('sha256', HMAC_SECRET)
      .update(request?.body ?? '')
      .digest('hex')}`;
    expect(request?.headers['x-yunmin-signature']).toBe(expected);
    expectNoSecrets(request?.body);
  });

  it('webhook without a secret → no signature header', async () => {
    clock = new TestClock();
    const hook = await receiver(() => ({ status: 200 }));
    const result = await channel({ name: 'hook', kind: 'webhook', url: hook.url }, {}).send(MESSAGE);

    expect(result.ok).toBe(true);
    expect(hook.requests[0]?.headers['x-yunmin-signature']).toBeUndefined();
  });

  it('PagerDuty trigger → POST /v2/enqueue with routing_key, dedup_key and a critical payload', async () => {
    clock = new TestClock();
    const pagerDuty = await receiver(() => ({
      status: 202,
      body: '{"status":"success","message":"Event processed","dedup_key":"INC-20260101-0001"}',
    }));

    const result = await pagerDutyChannel(pagerDuty.url).send(MESSAGE);

    expect(result.ok).toBe(true);
    const [request] = pagerDuty.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v2/enqueue');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'INC-20260101-0001',
      client: 'yunmin',
      payload: {
        summary: '[URGENT] WS_STALE: WebSocket stale: 61s',
        severity: 'critical',
        source: 'yunmin-prod',
        custom_details: {
          text: MESSAGE.text,
          mentions: ['@trading-lead'],
          incident: 'INC-20260101-0001',
          mode: 'LIVE',
          positions: 'BTCUSDT 0.010',
        },
      },
    });
  });

  it('PagerDuty resolve and acknowledge → event_action with the same dedup_key and no payload', async () => {
    clock = new TestClock();
    const pagerDuty = await receiver(() => ({ status: 202, body: '{"status":"success"}' }));
    const sender = pagerDutyChannel(pagerDuty.url);

    await sender.send({ ...MESSAGE, event: 'acknowledge' });
    await sender.send({ ...MESSAGE, severity: 'WARN', event: 'resolve' });

    expect(pagerDuty.requests.map((request) => JSON.parse(request.body))).toEqual([
      { routing_key: ROUTING_KEY, event_action: 'acknowledge', dedup_key: 'INC-20260101-0001' },
      { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'INC-20260101-0001' },
    ]);
  });

  it('WARN and INFO → PagerDuty severities warning and info', async () => {
    clock = new TestClock();
    const pagerDuty = await receiver(() => ({ status: 202 }));
    const sender = pagerDutyChannel(pagerDuty.url);

    await sender.send({ ...MESSAGE, severity: 'WARN' });
    await sender.send({ ...MESSAGE, severity: 'INFO' });

    expect(pagerDuty.requests.map((request) => JSON.parse(request.body).payload.severity)).toEqual(['warning', 'info']);
  });
});

describe('retries, timeouts and isolation', () => {
  it('500, 503, then 202 → ok after 3 attempts, backoff 1 s then 2 s on the clock', async () => {
    clock = new TestClock();
    const statuses = [500, 503, 202];
    const pagerDuty = await receiver((index) => ({ status: statuses[index] ?? 500, body: '{"status":"error"}' }));

    const result = await settleOnClock(clock, pagerDutyChannel(pagerDuty.url).send(MESSAGE), 250);

    expect(result.ok).toBe(true);
    expect(result.attempts).toBe(3);
    expect(result.error).toBeUndefined();
    const [first, second, third] = pagerDuty.requests.map((request) => request.at);
    expect(pagerDuty.requests).toHaveLength(3);
    const firstGap = (second ?? 0) - (first ?? 0);
    const secondGap = (third ?? 0) - (second ?? 0);
    expect(firstGap).toBeGreaterThanOrEqual(1000);
    expect(firstGap).toBeLessThan(2000);
    expect(secondGap).toBeGreaterThanOrEqual(2000);
    expect(secondGap).toBeLessThan(4000);
  });

  it('always 500 → ok:false after the configured attempts with the last status', async () => {
    clock = new TestClock();
    const pagerDuty = await receiver(() => ({ status: 500, body: '{"status":"unavailable"}' }));

    const result = await settleOnClock(clock, pagerDutyChannel(pagerDuty.url).send(MESSAGE), 250);

    expect(result).toMatchObject({ channel: 'pagerduty-trading-lead', ok: false, attempts: 3 });
    expect(result.error).toContain('HTTP 500');
    expect(pagerDuty.requests).toHaveLength(3);
  });

  it('400 invalid event → given up at once (a retry cannot fix it), routing key redacted from the echoed body', async () => {
    clock = new TestClock();
    const pagerDuty = await receiver(() => ({
      status: 400,
      body: `{"status":"invalid event","message":"Event object is invalid","errors":["routing_key ${ROUTING_KEY} is unknown"]}`,
    }));

    const result = await pagerDutyChannel(pagerDuty.url).send(MESSAGE);

    expect(result.ok).toBe(false);
    expect(result.attempts).toBe(1);
    expect(result.error).toContain('HTTP 400');
    expect(result.error).toContain('[redacted]');
    expectNoSecrets(result);
  });

  it('429 with Retry-After: 5 → waits 5 s on the clock, not the 1 s backoff', async () => {
    clock = new TestClock();
    const slack = await receiver((index) =>
      index === 0
        ? { status: 429, body: 'rate_limited', headers: { 'retry-after': '5' } }
        : { status: 200, body: 'ok' },
    );

    const result = await settleOnClock(clock, slackChannel(slack.url).send(MESSAGE), 250);

    expect(result).toMatchObject({ ok: true, attempts: 2 });
    const gap = (slack.requests[1]?.at ?? 0) - (slack.requests[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(5000);
  });

  it('a receiver that never answers → ok:false "timed out" after each attempt times out, no throw', async () => {
    clock = new TestClock();
    const pagerDuty = await receiver(() => 'hang');
    const started = clock.now();

    const result = await settleOnClock(
      clock,
      pagerDutyChannel(pagerDuty.url, { attempts: 2, initialDelayMs: 1000 }, 2000).send(MESSAGE),
      250,
    );

    expect(result).toMatchObject({ ok: false, attempts: 2, error: 'timed out after 2000 ms' });
    expect(pagerDuty.requests).toHaveLength(2);
    // timeout 2 s + backoff 1 s + timeout 2 s
    expect(result.at - started).toBeGreaterThanOrEqual(5000);
  });

  it('one channel hanging → the others still deliver while it waits', async () => {
    clock = new TestClock();
    const hung = await receiver(() => 'hang');
    const slack = await receiver(() => ({ status: 200, body: 'ok' }));
    const hangingSend = pagerDutyChannel(hung.url, { attempts: 1, initialDelayMs: 10 }, 5000).send(MESSAGE);
    let hangingDone = false;
    void hangingSend.then(() => {
      hangingDone = true;
    });

    const slackResult = await slackChannel(slack.url).send(MESSAGE);

    expect(slackResult.ok).toBe(true);
    expect(hangingDone).toBe(false);
    clock.advance(5000);
    expect(await hangingSend).toMatchObject({ ok: false, error: 'timed out after 5000 ms' });
  });
});

describe('secrets never in results or errors', () => {
  it('Slack 404 echoing its webhook URL → error says HTTP 404, the secret path is redacted', async () => {
    clock = new TestClock();
    const slack = await receiver(() => ({ status: 404, body: `no_service: ${slack.url}${SLACK_PATH}` }));

    const result = await slackChannel(slack.url).send(MESSAGE);

    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toContain('HTTP 404');
    expectNoSecrets(result);
  });

  it('fetch throwing an error that quotes the Telegram URL (token in the path) → token redacted, send resolves', async () => {
    clock = new TestClock();
    const leakyFetch: typeof fetch = (input) => {
      const url = String(input);
      return Promise.reject(new TypeError(`fetch failed for ${url}`, { cause: new Error(`ENOTFOUND ${url}`) }));
    };
    const sender = channel(
      { name: 'telegram', kind: 'telegram', base_url: 'https://api.telegram.org', token_env: 'TG', chat_id: 1 },
      { TG: TELEGRAM_TOKEN },
      { attempts: 1, initialDelayMs: 10 },
      leakyFetch,
    );

    const result = await sender.send(MESSAGE);

    expect(result.ok).toBe(false);
    expect(result.error).toContain('fetch failed for https://api.telegram.org/bot[redacted]/sendMessage');
    expectNoSecrets(result);
  });

  it('connection refused → ok:false with the reason, no secret path', async () => {
    clock = new TestClock();
    const closed = await receiver(() => ({ status: 200 }));
    const url = closed.url;
    await closed.close();
    receivers.splice(0);

    const result = await slackChannel(url, { attempts: 1, initialDelayMs: 10 }).send(MESSAGE);

    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/ECONNREFUSED|request failed/);
    expectNoSecrets(result);
  });

  it('secret environment variable unset → ok:false naming the variable, nothing sent', async () => {
    clock = new TestClock();
    const pagerDuty = await receiver(() => ({ status: 202 }));
    const sender = channel(
      { name: 'pd', kind: 'pagerduty', base_url: pagerDuty.url, routing_key_env: 'YUNMIN_PAGERDUTY_ROUTING_KEY' },
      {},
    );

    const result = await sender.send(MESSAGE);

    expect(result).toEqual({
      channel: 'pd',
      ok: false,
      attempts: 0,
      error: 'not configured: environment variable YUNMIN_PAGERDUTY_ROUTING_KEY is not set',
      at: clock.now(),
    });
    expect(pagerDuty.requests).toHaveLength(0);
  });
});
