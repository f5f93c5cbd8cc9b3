import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/app/config/load-config.ts';
import { type RunningEngine, startEngineApp } from '../../src/app/engine-app.ts';

// Issue 6 point 8 end to end: a running engine, a real HTTP receiver for the Slack webhook and a real
// SMTP server for the CTO's email. A kill switch trip (CRIT) must reach both, with no secret inside.
describe('alerts from a running engine over real protocols', () => {
  let dir: string;
  let running: RunningEngine | undefined;
  let http: Server;
  let smtp: SMTPServer;
  const posts: { path: string; body: Record<string, unknown> }[] = [];
  const mails: string[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yunmin-alerts-'));
    posts.length = 0;
    mails.length = 0;
    http = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += String(chunk);
      });
      request.on('end', () => {
        posts.push({ path: request.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        let data = '';
        stream.on('data', (chunk) => {
          data += String(chunk);
        });
        stream.on('end', () => {
          mails.push(data);
          callback();
        });
      },
    });
    smtp.listen(0, '127.0.0.1');
    await once(smtp.server, 'listening');
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    http.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill switch trip → Slack level 1 mentioning @trading-lead and "[URGENT]" email to the CTO at once; the webhook secret never appears', async () => {
    const httpPort = (http.address() as AddressInfo).port;
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const secretPath = '/services/T000/B000/s3cr3tpath';
    const config = parseConfig(
      `mode: LIVE
state_dir: ${join(dir, 'state')}
logs_dir: ${join(dir, 'logs')}
health: { port: 0 }
alerts:
  channels:
    - { name: slack, kind: slack, webhook_url_env: YM_SLACK }
    - { name: email, kind: email, host: 127.0.0.1, port: ${smtpPort}, secure: false, from: yunmin@example.com, to: [cto@example.com] }
`,
      {},
      'alerts.yaml',
    );
    running = await startEngineApp({
      config,
      healthPort: 0,
      environment: { YM_SLACK: `http://127.0.0.1:${httpPort}${secretPath}` },
    });
    await running.response.tripKillSwitch('alert drill', 'operator:test');
    const deadline = Date.now() + 10_000;
    while ((posts.length === 0 || mails.length === 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));

    expect(posts[0]?.path).toBe(secretPath);
    const slackText = String(posts[0]?.body.text);
    expect(slackText).toContain('@trading-lead');
    expect(slackText).toContain('KILL_SWITCH');
    expect(slackText).toContain('yunmin incidents show INC-');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/Subject: \[URGENT\]/);
    expect(mails[0]).toContain('cto@example.com');
    for (const text of [slackText, ...mails]) expect(text).not.toContain('s3cr3tpath');
    // The escalation is recorded on the incident for `yunmin incidents show` and the postmortem.
    const incident = running.store.listIncidents().find((candidate) => candidate.type === 'KILL_SWITCH');
    expect(incident?.actions.some((action) => action.action.startsWith('alert level 1'))).toBe(true);
    // Deliveries are visible in /health: both channels delivered, none failing.
    const health = (await (await fetch(`${running.healthUrl}/health`)).json()) as {
      alerts: { delivered: number; failing_channels: string[] };
    };
    expect(health.alerts.delivered).toBeGreaterThanOrEqual(2);
    expect(health.alerts.failing_channels).toEqual([]);
  });

  it('a channel that cannot deliver → the others still deliver, and /health names the failing channel', async () => {
    const httpPort = (http.address() as AddressInfo).port;
    const config = parseConfig(
      `mode: LIVE
state_dir: ${join(dir, 'state')}
logs_dir: ${join(dir, 'logs')}
health: { port: 0 }
alerts:
  channels:
    - { name: slack, kind: slack, webhook_url_env: YM_SLACK }
    - { name: email, kind: email, host: 127.0.0.1, port: 1, secure: false, from: yunmin@example.com, to: [cto@example.com], timeout_ms: 500 }
`,
      {},
      'alerts.yaml',
    );
    running = await startEngineApp({
      config,
      healthPort: 0,
      environment: { YM_SLACK: `http://127.0.0.1:${httpPort}/hook` },
    });
    await running.response.tripKillSwitch('alert drill', 'operator:test');
    const url = `${running.healthUrl}/health`;
    let failing: string[] = [];
    const deadline = Date.now() + 15_000;
    while (failing.length === 0 && Date.now() < deadline) {
      failing = ((await (await fetch(url)).json()) as { alerts: { failing_channels: string[] } }).alerts
        .failing_channels;
      if (failing.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(failing).toEqual([expect.stringMatching(/^email \(\d+ failed\)$/)]);
    expect(posts.length).toBeGreaterThan(0);
  });
});
