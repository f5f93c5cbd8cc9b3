import { describe, expect, it } from 'vitest';
import type { IncidentType, Severity } from '../../domain/incident.ts';
import { TestClock } from '../../lib/test-clock.ts';
import type { AlertChannel, AlertChannelKind, AlertMessage, DeliveryResult } from '../../ports/alert-sink.ts';
import { LineLogger, MemoryIncidentStore } from '../detectors/network-detector-test-kit.ts';
import { IncidentManager } from '../incident-manager.ts';
import { AlertEscalator, POSTMORTEM_ACTION } from './alert-escalator.ts';
import { DEFAULT_ESCALATION_MATRIX } from './escalation-matrix.ts';

const SECRET = 'xoxb-SECRET-slack-token-1234567890';

/** A fake of the AlertChannel port that keeps every message it was handed. */
class RecordingChannel implements AlertChannel {
  readonly messages: AlertMessage[] = [];
  failing = false;
  readonly name: string;
  readonly kind: AlertChannelKind;
  readonly #clock: TestClock;

  constructor(name: string, kind: AlertChannelKind, clock: TestClock) {
    this.name = name;
    this.kind = kind;
    this.#clock = clock;
  }

  async send(message: AlertMessage): Promise<DeliveryResult> {
    this.messages.push(message);
    if (this.failing) return { channel: this.name, ok: false, attempts: 3, error: 'HTTP 500', at: this.#clock.now() };
    return { channel: this.name, ok: true, attempts: 1, at: this.#clock.now() };
  }
}

function setup() {
  const clock = new TestClock();
  const store = new MemoryIncidentStore();
  const logger = new LineLogger();
  const incidents = new IncidentManager({ clock, store, logger });
  const slack = new RecordingChannel('slack', 'slack', clock);
  const pagerduty = new RecordingChannel('pagerduty', 'pagerduty', clock);
  const email = new RecordingChannel('email', 'email', clock);
  const channels = new Map<string, AlertChannel>([
    ['slack', slack],
    ['pagerduty', pagerduty],
    ['email', email],
  ]);
  const escalator = new AlertEscalator({
    clock,
    incidents,
    channels,
    matrix: DEFAULT_ESCALATION_MATRIX,
    logger,
    dashboardUrl: 'http://127.0.0.1:8000/dashboard',
    context: () => ({ mode: 'DRY_RUN', tradingState: 'HALTED', positions: ['BTCUSDT LONG 0.010'] }),
    secrets: [SECRET],
    lookup: (id) => store.getIncident(id),
  });
  const open = (
    type: IncidentType = 'WS_STALE',
    severity: Severity = 'CRIT',
    evidence = 'last message on btcusdt@depth',
  ) =>
    incidents.open({
      type,
      severity,
      symbol: 'BTCUSDT',
      summary: 'WebSocket stale: 61s',
      firstEvidenceAt: clock.now() - 61_000,
      firstEvidence: evidence,
    });
  const all = () => [...slack.messages, ...pagerduty.messages, ...email.messages];
  return { clock, store, logger, incidents, slack, pagerduty, email, escalator, open, all };
}

describe('AlertEscalator', () => {
  it('WARN/CRIT incident opened → level 1 on Slack at once, mentioning @trading-lead', async () => {
    const { open, slack, pagerduty, escalator } = setup();
    const incident = open();
    await escalator.settled();
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0]?.mentions).toContain('@trading-lead');
    expect(slack.messages[0]?.event).toBe('trigger');
    expect(slack.messages[0]?.dedupKey).toBe(incident.id);
    expect(pagerduty.messages).toHaveLength(0);
  });

  it('not acknowledged → the trading lead is paged exactly at 5 min', async () => {
    const { clock, open, pagerduty, escalator } = setup();
    open();
    clock.advance(299_999);
    await escalator.settled();
    expect(pagerduty.messages).toHaveLength(0);
    clock.advance(1);
    await escalator.settled();
    expect(pagerduty.messages).toHaveLength(1);
    expect(pagerduty.messages[0]?.mentions).toEqual(['@trading-lead']);
    expect(pagerduty.messages[0]?.title).toMatch(/^\[INCIDENT\] WS_STALE BTCUSDT/);
  });

  it('acknowledged at 4 min → no page, ever', async () => {
    const { clock, open, pagerduty, escalator, logger } = setup();
    const incident = open();
    clock.advance(240_000);
    escalator.acknowledge(incident.id, 'ana');
    clock.advance(3_600_000);
    await escalator.settled();
    expect(pagerduty.messages.filter((m) => m.event === 'trigger')).toHaveLength(0);
    expect(escalator.counters().pendingEscalations).toBe(0);
    expect(logger.lines.some((line) => line.includes('acknowledged by ana'))).toBe(true);
  });

  it('acknowledged through IncidentManager directly → escalation stops too', async () => {
    const { clock, open, pagerduty, incidents, escalator } = setup();
    const incident = open();
    incidents.acknowledge(incident.id, 'bo');
    clock.advance(600_000);
    await escalator.settled();
    expect(pagerduty.messages).toHaveLength(0);
  });

  it('acknowledged after the page → PagerDuty gets an acknowledge event', async () => {
    const { clock, open, pagerduty, escalator } = setup();
    const incident = open();
    clock.advance(300_000);
    escalator.acknowledge(incident.id, 'ana');
    await escalator.settled();
    expect(pagerduty.messages.map((m) => m.event)).toEqual(['trigger', 'acknowledge']);
  });

  it('CRIT → the CTO is emailed "[URGENT] {incident}" within 5 min', async () => {
    const { clock, open, email, escalator } = setup();
    open();
    clock.advance(300_000);
    await escalator.settled();
    expect(email.messages).toHaveLength(1);
    expect(email.messages[0]?.title).toBe('[URGENT] WS_STALE BTCUSDT: WebSocket stale: 61s');
    expect(email.messages[0]?.mentions).toEqual(['cto@company.com']);
  });

  it('WARN → no CTO email', async () => {
    const { clock, open, email, escalator } = setup();
    open('WS_DISCONNECTED', 'WARN');
    clock.advance(3_600_000);
    await escalator.settled();
    expect(email.messages).toHaveLength(0);
  });

  it('HIGH_LATENCY → the engineer is called exactly at 10 min, not before', async () => {
    const { clock, open, slack, pagerduty, escalator } = setup();
    open('HIGH_LATENCY', 'WARN');
    clock.advance(599_999);
    await escalator.settled();
    expect(slack.messages.some((m) => m.mentions.includes('@engineer'))).toBe(false);
    clock.advance(1);
    await escalator.settled();
    expect(slack.messages).toHaveLength(2);
    expect(slack.messages[1]?.mentions).toEqual(['@engineer']);
    expect(pagerduty.messages).toHaveLength(0);
  });

  it('INFO incident → no channel, one log line', async () => {
    const { clock, open, all, escalator, logger, incidents } = setup();
    const incident = open('POSITION_MISMATCH', 'INFO');
    incidents.action(incident.id, 'adopt exchange position', 'ok');
    clock.advance(3_600_000);
    await escalator.settled();
    expect(all()).toHaveLength(0);
    expect(logger.lines.filter((line) => line.includes('INFO is log only'))).toHaveLength(1);
    expect(escalator.counters().logOnly).toBe(1);
  });

  it('repeated changes of one incident → one alert per level, no duplicates', async () => {
    const { clock, open, slack, pagerduty, email, incidents, escalator } = setup();
    const incident = open();
    for (let i = 0; i < 5; i += 1) {
      incidents.action(incident.id, `retry ${i}`, 'failed');
      open(); // a detector firing again: the same incident
    }
    incidents.contain(incident.id);
    clock.advance(1_000_000);
    await escalator.settled();
    expect(slack.messages.filter((m) => m.event === 'trigger' && !m.title.startsWith('[REVIEW'))).toHaveLength(1);
    expect(pagerduty.messages).toHaveLength(1);
    expect(email.messages).toHaveLength(1);
  });

  it('resolved → one recovery message ("resolve") to every channel alerted, and pending levels cancelled', async () => {
    const { clock, open, slack, pagerduty, email, incidents, escalator } = setup();
    const incident = open();
    clock.advance(300_000);
    incidents.resolve(incident.id, 'stream back');
    incidents.resolve(incident.id);
    clock.advance(3_600_000);
    await escalator.settled();
    for (const channel of [slack, pagerduty, email]) {
      const resolves = channel.messages.filter((m) => m.event === 'resolve');
      expect(resolves).toHaveLength(1);
      expect(resolves[0]?.title).toMatch(/^\[RESOLVED\]/);
      expect(resolves[0]?.text).toMatch(/^RESOLVED WS_STALE/);
    }
  });

  it('resolved before 5 min → no page', async () => {
    const { clock, open, pagerduty, incidents, escalator } = setup();
    const incident = open('WS_DISCONNECTED', 'WARN');
    clock.advance(20_000);
    incidents.resolve(incident.id);
    clock.advance(600_000);
    await escalator.settled();
    expect(pagerduty.messages).toHaveLength(0);
  });

  it('a failing channel → the others are still delivered, the failure logged WARN and counted', async () => {
    const { open, slack, email, escalator, logger, store } = setup();
    slack.failing = true;
    const incident = open();
    await escalator.settled();
    expect(email.messages).toHaveLength(1);
    const counters = escalator.counters();
    expect(counters.byChannel.slack).toEqual({ delivered: 0, failed: 1 });
    expect(counters.byChannel.email).toEqual({ delivered: 1, failed: 0 });
    expect(counters.failed).toBe(1);
    expect(logger.lines.some((line) => line.startsWith('WARN | Alert channel slack failed'))).toBe(true);
    expect(
      escalator
        .deliveries()
        .filter((d) => !d.ok)
        .map((d) => d.channel),
    ).toEqual(['slack']);
    const recorded = store.getIncident(incident.id)?.actions.find((a) => a.action === 'alert level 1');
    expect(recorded?.result).toBe('failed');
  });

  it('a channel that throws → isolated like a failed delivery', async () => {
    const { open, email, escalator, slack } = setup();
    slack.send = async () => {
      throw new Error('socket hang up');
    };
    open();
    await escalator.settled();
    expect(email.messages).toHaveLength(1);
    expect(escalator.counters().byChannel.slack?.failed).toBe(1);
  });

  it('a matrix channel that is not configured → counted and logged, others delivered', async () => {
    const clock = new TestClock();
    const store = new MemoryIncidentStore();
    const logger = new LineLogger();
    const incidents = new IncidentManager({ clock, store, logger });
    const email = new RecordingChannel('email', 'email', clock);
    const escalator = new AlertEscalator({ clock, incidents, channels: new Map([['email', email]]), logger });
    incidents.open({
      type: 'DAILY_DRAWDOWN',
      severity: 'CRIT',
      summary: 'Daily DD: 2.1%',
      firstEvidenceAt: clock.now(),
      firstEvidence: 'equity 293.7',
    });
    await escalator.settled();
    expect(email.messages).toHaveLength(1);
    expect(escalator.counters().unconfigured).toBe(1);
    expect(logger.lines.some((line) => line.includes('Alert channel slack is not configured'))).toBe(true);
  });

  it('message content → incident, severity, evidence, actions, mode and positions, next manual step, where to look', async () => {
    const { clock, open, slack, incidents, escalator } = setup();
    const incident = open();
    incidents.action(incident.id, 'Triggering kill-switch', 'ok');
    clock.advance(300_000);
    await escalator.settled();
    const text = slack.messages[0]?.text ?? '';
    expect(text).toContain('CRIT WS_STALE BTCUSDT: WebSocket stale: 61s');
    expect(text).toContain('First evidence: 2025-12-31 23:58:59 UTC: last message on btcusdt@depth');
    expect(text).toContain('Now: mode DRY_RUN, trading HALTED, positions: BTCUSDT LONG 0.010');
    expect(text).toContain('Next manual step (playbook §1 step 3): Investigate within 5 min');
    expect(text).toContain(`yunmin incidents show ${incident.id}`);
    expect(text).toContain('http://127.0.0.1:8000/dashboard');
    expect(text).toContain(`yunmin ack ${incident.id} --by NAME`);
    expect(escalator.deliveries().find((d) => d.channel === 'pagerduty')?.ok).toBe(true);
  });

  it('a later level → its text lists what yunmin did after the first', async () => {
    const { clock, open, pagerduty, incidents, escalator } = setup();
    const incident = open();
    clock.advance(1_000);
    incidents.action(incident.id, 'Triggering kill-switch', 'ok');
    clock.advance(299_000);
    await escalator.settled();
    expect(pagerduty.messages[0]?.text).toMatch(/\+1\.0 s OK Triggering kill-switch/);
  });

  it('a secret in the evidence or summary → never in any message', async () => {
    const { clock, open, all, incidents, escalator } = setup();
    const incident = open('REST_ERRORS', 'CRIT', `POST /fapi/v1/order?signature=abc token=${SECRET}`);
    incidents.action(incident.id, 'hold new orders', 'ok', `header X-MBX-APIKEY: ${SECRET}`);
    clock.advance(300_000);
    incidents.resolve(incident.id);
    clock.advance(3_600_000);
    await escalator.settled();
    const messages = all();
    expect(messages.length).toBeGreaterThan(3);
    for (const message of messages) expect(JSON.stringify(message)).not.toContain(SECRET);
    expect(messages[0]?.text).toContain('[redacted]');
  });

  it('CRIT without a postmortem → review reminder at exactly 30 min', async () => {
    const { clock, open, slack, escalator, logger } = setup();
    const incident = open();
    clock.advance(1_799_999);
    await escalator.settled();
    expect(slack.messages.some((m) => m.title.startsWith('[REVIEW DUE]'))).toBe(false);
    clock.advance(1);
    await escalator.settled();
    const reminder = slack.messages.find((m) => m.title.startsWith('[REVIEW DUE]'));
    expect(reminder?.text).toContain(`yunmin postmortem ${incident.id}`);
    expect(logger.lines.some((line) => line.startsWith('WARN | Post-incident review due'))).toBe(true);
  });

  it('CRIT with the postmortem generated → no review reminder', async () => {
    const { clock, open, slack, escalator, store } = setup();
    const incident = open();
    clock.advance(600_000);
    escalator.recordPostmortem(incident.id);
    clock.advance(1_800_000);
    await escalator.settled();
    expect(slack.messages.some((m) => m.title.startsWith('[REVIEW DUE]'))).toBe(false);
    expect(store.getIncident(incident.id)?.actions.some((a) => a.action === POSTMORTEM_ACTION)).toBe(true);
  });

  it('deliveries → recorded on the incident as one action per level', async () => {
    const { clock, open, escalator, store } = setup();
    const incident = open();
    clock.advance(300_000);
    await escalator.settled();
    const actions = store.getIncident(incident.id)?.actions.map((a) => `${a.action}: ${a.detail ?? ''}`) ?? [];
    expect(actions).toEqual([
      'alert level 1: slack delivered',
      'alert level 2: email delivered',
      'alert level 3: pagerduty delivered',
    ]);
  });

  it('acknowledge of an unknown incident → ALERT_INCIDENT_NOT_FOUND', () => {
    const { escalator } = setup();
    expect(() => escalator.acknowledge('INC-NOPE', 'ana')).toThrow(
      expect.objectContaining({ code: 'ALERT_INCIDENT_NOT_FOUND' }),
    );
  });
});
