import type { Clock } from '../../lib/clock.ts';
import type { AlertChannel, AlertMessage, DeliveryResult } from '../../ports/alert-sink.ts';
import { formatUtc } from './alert-content.ts';

/** What `yunmin alerts test` reports per channel. */
export interface AlertTestResult extends DeliveryResult {
  readonly kind: AlertChannel['kind'];
}

/** The test message: INFO, clearly not an incident, its own dedup key so PagerDuty resolves it apart. */
export function alertTestMessage(clock: Clock): AlertMessage {
  const at = clock.now();
  return {
    dedupKey: `yunmin-alert-test-${at}`,
    severity: 'INFO',
    title: '[TEST] yunmin alert channel check',
    text: `Test alert sent by \`yunmin alerts test\` at ${formatUtc(at)}. No incident: this checks the channel wiring before going live.`,
    mentions: [],
    event: 'trigger',
    fields: { kind: 'test', sent_at: formatUtc(at) },
  };
}

/**
 * Sends one test alert through each channel (issue 6 point 6), all at once, and returns one result per
 * channel in the given order. A channel that throws (against the port's promise) is reported, not raised.
 */
export async function runAlertTest(channels: readonly AlertChannel[], clock: Clock): Promise<AlertTestResult[]> {
  const message = alertTestMessage(clock);
  return Promise.all(
    channels.map(async (channel): Promise<AlertTestResult> => {
      try {
        const result = await channel.send(message);
        return { ...result, channel: channel.name, kind: channel.kind };
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        return { channel: channel.name, kind: channel.kind, ok: false, attempts: 1, error: text, at: clock.now() };
      }
    }),
  );
}
