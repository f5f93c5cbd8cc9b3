import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import type { AlertMessage } from '../../ports/alert-sink.ts';
import { ALERT_CHANNEL_CONFIG_SCHEMA } from './alert-channel-config.ts';
import { createAlertChannel } from './create-alert-channel.ts';
import { settleOnClock } from './local-receivers.test-support.ts';

const MESSAGE: AlertMessage = {
  dedupKey: 'INC-20260101-0002',
  severity: 'CRIT',
  title: '[URGENT] DAILY_DD: Daily DD: 2.1%',
  text: 'Detected: daily drawdown 2.1% (limit 2%)\nDone: kill switch tripped, positions closed\nNext: yunmin incidents show INC-20260101-0002',
  mentions: ['@cto'],
  event: 'trigger',
  fields: {},
};

const PASSWORD = 'smtp-Pa55word-secret';

interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly user: string | undefined;
  readonly raw: string;
}

interface SmtpReceiver {
  readonly port: number;
  readonly mails: ReceivedMail[];
  close(): Promise<void>;
}

const servers: SmtpReceiver[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A real SMTP server on 127.0.0.1:0; `failFirst` answers that many messages with a 451 (try again later). */
async function startSmtpReceiver(options: { failFirst?: number } = {}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  let failuresLeft = options.failFirst ?? 0;
  const server = new SMTPServer({
    // Plain text on loopback: STARTTLS would need a certificate the client trusts.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts@yunmin.test' && auth.password === PASSWORD) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          callback(Object.assign(new Error('Greylisted, try again later'), { responseCode: 451 }));
          return;
        }
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        mails.push({
          from,
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const receiver = { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  servers.push(receiver);
  return receiver;
}

function emailChannel(clock: TestClock, port: number, password: string, attempts = 3) {
  const config = ALERT_CHANNEL_CONFIG_SCHEMA.parse({
    name: 'email-cto',
    kind: 'email',
    host: '127.0.0.1',
    port,
    secure: false,
    user_env: 'YUNMIN_SMTP_USER',
    password_env: 'YUNMIN_SMTP_PASSWORD',
    from: 'alerts@yunmin.test',
    to: ['cto@yunmin.test', 'trading-lead@yunmin.test'],
  });
  return createAlertChannel(config, {
    clock,
    retry: { attempts, initialDelayMs: 1000 },
    env: { YUNMIN_SMTP_USER: 'alerts@yunmin.test', YUNMIN_SMTP_PASSWORD: password },
  });
}

/** Header value from a raw RFC 5322 message (unfolded). */
function header(raw: string, name: string): string | undefined {
  const head = raw.split('\r\n\r\n')[0] ?? '';
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  const line = unfolded.split('\r\n').find((entry) => entry.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

describe('email channel over real SMTP', () => {
  it('CRIT alert → one mail to every recipient, subject "[URGENT] …", body with the details, authenticated', async () => {
    const clock = new TestClock();
    const smtp = await startSmtpReceiver();

    const result = await emailChannel(clock, smtp.port, PASSWORD).send(MESSAGE);

    expect(result).toEqual({ channel: 'email-cto', ok: true, attempts: 1, at: clock.now() });
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail?.user).toBe('alerts@yunmin.test');
    expect(mail?.from).toBe('alerts@yunmin.test');
    expect(mail?.to).toEqual(['cto@yunmin.test', 'trading-lead@yunmin.test']);
    const raw = mail?.raw ?? '';
    expect(header(raw, 'Subject')).toBe('[URGENT] DAILY_DD: Daily DD: 2.1%');
    expect(header(raw, 'To')).toBe('cto@yunmin.test, trading-lead@yunmin.test');
    expect(header(raw, 'X-Yunmin-Incident')).toBe('INC-20260101-0002');
    const body = raw.split('\r\n\r\n').slice(1).join('\r\n\r\n');
    expect(body).toBe(`For: @cto\r\n\r\n${MESSAGE.text.replaceAll('\n', '\r\n')}\r\n`);
    expect(raw).not.toContain(PASSWORD);
  });

  it('451 greylisting twice → delivered on the 3rd attempt after backoff on the clock', async () => {
    const clock = new TestClock();
    const smtp = await startSmtpReceiver({ failFirst: 2 });

    const result = await settleOnClock(clock, emailChannel(clock, smtp.port, PASSWORD).send(MESSAGE), 250);

    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(smtp.mails).toHaveLength(1);
  });

  it('wrong password → ok:false after one attempt (535 is permanent), password not in the error', async () => {
    const clock = new TestClock();
    const smtp = await startSmtpReceiver();
    const wrong = 'wrong-Pa55word-secret';

    const result = await emailChannel(clock, smtp.port, wrong).send(MESSAGE);

    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toContain('535');
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(smtp.mails).toHaveLength(0);
  });
});
