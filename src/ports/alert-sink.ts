/**
 * The alert-sink port (issue 6, playbook sections 9–10): the escalation engine hands an
 * `AlertMessage` to each configured `AlertChannel`; adapters in src/adapters/alert-channels/ speak
 * Slack, Telegram, SMTP, a JSON webhook and PagerDuty Events API v2.
 */
export type AlertChannelKind = 'slack' | 'telegram' | 'email' | 'webhook' | 'pagerduty';

export interface AlertMessage {
  /** The incident id (PagerDuty dedup_key, grouping). */
  readonly dedupKey: string;
  readonly severity: 'INFO' | 'WARN' | 'CRIT';
  /** e.g. "[URGENT] WS_STALE: WebSocket stale: 61s" (email subject). */
  readonly title: string;
  /** Plain-text body a person can act on (multi-line). */
  readonly text: string;
  /** e.g. ['@trading-lead'] (Slack mention text, Telegram prefix). */
  readonly mentions: readonly string[];
  /** PagerDuty event_action; recovery messages use 'resolve'. */
  readonly event: 'trigger' | 'acknowledge' | 'resolve';
  /** Structured extras for the JSON webhook. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface DeliveryResult {
  readonly channel: string;
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: string;
  readonly at: number;
}

export interface AlertChannel {
  /** Configured name, e.g. "slack-trading-live". */
  readonly name: string;
  readonly kind: AlertChannelKind;
  /** Never throws; retries inside with backoff on the Clock. */
  send(message: AlertMessage): Promise<DeliveryResult>;
}
