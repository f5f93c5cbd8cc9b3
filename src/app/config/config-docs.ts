import { configKeyPaths, DEFAULT_CONFIG_FILE } from './default-config.ts';

/**
 * Meaning, unit and playbook section of every config key. A test checks that this table, the
 * schema and config.example.yaml list the same keys, so the docs cannot drift; the README embeds
 * `describeConfigMarkdown()`.
 */
export const CONFIG_KEY_DOCS: Readonly<Record<string, string>> = {
  mode: 'LIVE sends orders; DRY_RUN runs the same pipeline on a paper account. `--mode` overrides it.',
  'exchange.rest_endpoints': 'REST base URLs, tried in order on failover (playbook §3 option C).',
  'exchange.ws_endpoint': 'WebSocket base URL (streams under /public, /market, /private).',
  'exchange.embedded_simulator':
    'true: start the Binance-compatible simulator in-process and ignore the endpoints (no keys needed).',
  'exchange.recv_window_ms': 'recvWindow of signed requests, milliseconds (Binance maximum 60000).',
  'executor.timeout_ms': 'REST request timeout, milliseconds (playbook §3).',
  'executor.max_order_age_s': 'An open order older than this is stuck, seconds (playbook §4).',
  'executor.cancel_and_reissue': 'Reissue a cancelled stuck order at the current best price (playbook §4).',
  'executor.reissue_max_attempts': 'Reissues of one stuck order before its exposure is closed at market.',
  'executor.max_position_pct': 'Largest position per symbol as a FRACTION of equity: 0.02 = 2 % (playbook §5).',
  'executor.max_open_orders': 'Open orders allowed at once, all symbols.',
  'executor.slippage_bps': 'DRY_RUN paper fills: slippage against the book, basis points.',
  'trading_engine.decision_interval_s': 'Strategy decision period, seconds (playbook §3).',
  'trading_engine.symbols': 'USDⓈ-M symbols traded.',
  'trading_engine.strategy.name':
    'Strategy: ema_crossover or momentum (trading examples), or churn (drills and crash tests only: alternates long and flat every decision).',
  'trading_engine.strategy.params': 'Strategy parameters, free-form; validated by the strategy.',
  'risk_manager.initial_capital': 'Account capital, USDT, exact decimal (playbook §5: $300).',
  'risk_manager.max_daily_dd':
    'Daily drawdown limit as a FRACTION of equity at 00:00 UTC: 0.02 = 2 %; beyond it the kill switch trips (playbook §5).',
  sync_interval_s: 'Position and balance reconciliation period, seconds (playbook §6).',
  state_dir: 'Directory of the persisted state (SQLite), relative to the working directory.',
  logs_dir: 'Directory of trading.log and trading.jsonl, relative to the working directory.',
  'logging.level': 'Lowest level written: INFO, WARN or CRIT.',
  'logging.rotate_max_mb': 'Rotate a log file when it would exceed this size, megabytes.',
  'logging.rotate_keep': 'Rotated files kept per log (trading.log.1 … .N).',
  'health.host': 'Health and control server address (loopback by default).',
  'health.port': 'Health and control server port (playbook: 8000; 0 picks a free port).',
  'websocket.stale_warn_s': 'Stream receive age that is WARN and forces a reconnect, seconds (playbook §1).',
  'websocket.stale_kill_s': 'Stream receive age that is CRIT and trips the kill switch, seconds (playbook §1).',
  'websocket.reconnect_rate_warn_per_hour': 'Reconnects per hour above which to WARN (playbook §1).',
  'websocket.ping_interval_s': 'Client ping period, seconds.',
  'websocket.pong_timeout_s': 'A connection whose pong is this late is dead, seconds.',
  'rest.error_window_s': 'Rolling window for counting 429/418/503/504/timeouts, seconds (playbook §2).',
  'rest.error_threshold': 'Errors within the window that pause new orders, CRIT (playbook §2: ≥ 2 in 1 min).',
  'rest.max_retries': 'Retries after a Retry-After or back-off before REDUCING (DESIGN matrix row 2).',
  'rest.unavailable_escalate_s': 'A 503 outage longer than this escalates to REDUCING, seconds (DESIGN row 2).',
  'latency.window_s': 'Rolling window of the latency percentiles, seconds (playbook §3).',
  'latency.rest_p95_warn_ms': 'REST p95 latency that is WARN, milliseconds (playbook §3: 2 s).',
  'latency.ws_p95_warn_ms': 'WebSocket p95 latency that is WARN, milliseconds (playbook §3: 500 ms).',
  'latency.mitigation.enabled': 'Apply the mitigations below automatically while latency is high (playbook §3).',
  'latency.mitigation.raised_timeout_ms': 'executor.timeout_ms while mitigating, milliseconds (playbook §3 option A).',
  'latency.mitigation.raised_decision_interval_s':
    'trading_engine.decision_interval_s while mitigating, seconds (playbook §3 option B).',
  'latency.mitigation.failover': 'Fail over to the next REST endpoint while mitigating (playbook §3 option C).',
  'reconciliation.adopt_below_pct':
    'Mismatch below this PERCENT is adopted silently (INFO): 0.1 = 0.1 % (playbook §6, DESIGN row 6).',
  'reconciliation.halt_above_pct':
    'Mismatch above this PERCENT halts trading (CRIT); between the two: adopt + WARN. 1 = 1 % (playbook §6).',
  'flash_crash.move_pct': 'Mark-price move within the window that is a flash crash, PERCENT (playbook §7: 10).',
  'flash_crash.window_s': 'Flash-crash window, seconds (playbook §7: 1 min).',
  'flash_crash.resume_max_move_pct': 'Resume gate: largest move in the last window, PERCENT (playbook §7: 1).',
  'flash_crash.resume_wait_s': 'Resume gate: time since the crash, seconds (playbook §7: 5 min).',
  'flash_crash.kill_switch_on_open_exposure':
    'A real crash with open exposure trips the kill switch (playbook §7 only does so with a DD breach).',
  'killswitch.verify_s': 'After a trip the exchange must be flat within this, seconds, or CRIT escalate (playbook §8).',
  'backtest.maker_fee': 'Backtest venue: maker fee as a FRACTION of notional (Binance VIP 0: 0.0002).',
  'backtest.taker_fee':
    'Backtest venue: taker fee as a FRACTION of notional (Binance VIP 0: 0.0005); slippage is executor.slippage_bps.',
  'backtest.funding_rate_8h':
    'Backtest: flat funding rate per 8 h as a signed FRACTION (0.0001 = 0.01 %; longs pay when positive), charged at 00/08/16 UTC.',
  'alerts.channels':
    'Alert channels: Slack, Telegram, email, JSON webhook, PagerDuty; a list, empty means log only (playbook §9; docs/alert-channels.md).',
  'alerts.escalation.review_due_min':
    'A post-incident review is due this many minutes after a CRIT incident (playbook §9); contacts and matrix overrides: docs/escalation.md.',
  'approval.approver_role':
    'The role whose approval releases a LIVE kill switch trip (playbook §5 step 5: CTO); `yunmin approval add approver --role` must match.',
  'approval.dry_run_min_s':
    'Resumption gate: a DRY_RUN session after the trip, same config hash, no CRIT incident, at least this long, seconds (default 1 hour).',
  'approval.required':
    'Releasing a LIVE kill switch trip requires the resumption gate (root cause, backtest, dry run, approver, briefing); false: no gate.',
};

export interface ConfigKeyDescription {
  readonly path: string;
  /** The default as it is written in YAML (`5000`, `[BTCUSDT, ETHUSDT]`, `./state`). */
  readonly defaultValue: string;
  readonly description: string;
}

/** Every key path with its default and meaning, in file order. */
export function describeConfig(): ConfigKeyDescription[] {
  return configKeyPaths().map((path) => ({
    path,
    defaultValue: renderYamlValue(valueAt(path)),
    description: CONFIG_KEY_DOCS[path] ?? '',
  }));
}

/** A Markdown table of `describeConfig()`, for the README. */
export function describeConfigMarkdown(): string {
  const rows = describeConfig().map(
    (entry) => `| \`${entry.path}\` | \`${entry.defaultValue}\` | ${entry.description.replaceAll('|', '\\|')} |`,
  );
  return ['| Key | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

function valueAt(path: string): unknown {
  let node: unknown = DEFAULT_CONFIG_FILE;
  for (const segment of path.split('.')) node = (node as Record<string, unknown>)[segment];
  return node;
}

function renderYamlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(renderYamlValue).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, child]) => `${key}: ${renderYamlValue(child)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}
