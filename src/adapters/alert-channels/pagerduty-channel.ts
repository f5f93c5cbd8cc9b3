import type { AlertChannel, AlertMessage, DeliveryResult } from '../../ports/alert-sink.ts';
import { type AlertChannelDeps, deliverWithRetries } from './deliver-with-retries.ts';
import { postJson } from './post-json.ts';
import { createRedactor, type Redactor } from './secret-redaction.ts';

export interface PagerDutyChannelOptions {
  readonly name: string;
  /** `https://events.pagerduty.com` in production; a local receiver in tests. */
  readonly baseUrl: string;
  /** The integration's routing key; a secret (it lets anyone open incidents on the service). */
  readonly routingKey: string;
  readonly source: string;
  readonly timeoutMs: number;
}

/** Events API v2 limits `payload.summary` to 1024 characters. */
const SUMMARY_LIMIT = 1024;

const PAGERDUTY_SEVERITY = { CRIT: 'critical', WARN: 'warning', INFO: 'info' } as const;

export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: AlertMessage['event'];
  readonly dedup_key: string;
  readonly client?: string;
  readonly payload?: {
    readonly summary: string;
    readonly severity: (typeof PAGERDUTY_SEVERITY)[AlertMessage['severity']];
    readonly source: string;
    readonly custom_details: Readonly<Record<string, unknown>>;
  };
}

/**
 * An Events API v2 event. `dedup_key` is the incident id, so a repeat trigger updates the one open
 * PagerDuty incident, and acknowledge/resolve close the loop on it. Only `trigger` carries a
 * payload: the API requires it there and ignores it on acknowledge and resolve.
 */
export function pagerDutyEvent(routingKey: string, source: string, message: AlertMessage): PagerDutyEvent {
  const base = { routing_key: routingKey, event_action: message.event, dedup_key: message.dedupKey };
  if (message.event !== 'trigger') return base;
  const summary =
    message.title.length > SUMMARY_LIMIT ? `${message.title.slice(0, SUMMARY_LIMIT - 1)}…` : message.title;
  return {
    ...base,
    client: 'yunmin',
    payload: {
      summary,
      severity: PAGERDUTY_SEVERITY[message.severity],
      source,
      custom_details: { text: message.text, mentions: [...message.mentions], ...message.fields },
    },
  };
}

/** PagerDuty Events API v2 (`POST /v2/enqueue`, answered 202): the phone page of playbook §9 level 2. */
export class PagerDutyChannel implements AlertChannel {
  readonly name: string;
  readonly kind = 'pagerduty' as const;
  readonly #options: PagerDutyChannelOptions;
  readonly #deps: AlertChannelDeps;
  readonly #redact: Redactor;

  constructor(options: PagerDutyChannelOptions, deps: AlertChannelDeps) {
    this.name = options.name;
    this.#options = options;
    this.#deps = deps;
    this.#redact = createRedactor([options.routingKey]);
  }

  send(message: AlertMessage): Promise<DeliveryResult> {
    const fetchFunction = this.#deps.fetch ?? fetch;
    const { baseUrl, routingKey, source, timeoutMs } = this.#options;
    return deliverWithRetries({
      channel: this.name,
      clock: this.#deps.clock,
      retry: this.#deps.retry,
      timeoutMs,
      redact: this.#redact,
      attempt: async (signal) => {
        const body = JSON.stringify(pagerDutyEvent(routingKey, source, message));
        await postJson(fetchFunction, { url: `${baseUrl}/v2/enqueue`, body, signal });
      },
    });
  }
}
