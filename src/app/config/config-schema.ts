import { z } from 'zod';
import { ALERT_CHANNELS_CONFIG_SCHEMA } from '../../adapters/alert-channels/alert-channel-config.ts';
import { ESCALATION_CONFIG_SCHEMA } from '../../engine/alerting/escalation-matrix.ts';
import {
  bool,
  fraction,
  freeFormMap,
  integer,
  money,
  nonEmptyText,
  numberBetween,
  oneOf,
  percent,
  seconds,
  symbolList,
  url,
  urlList,
} from './config-values.ts';

/**
 * The config file's schema, in the playbook's snake_case (`executor.timeout_ms`). Every key has a
 * default equal to the playbook's number (DESIGN.md incident matrix), so an empty file is a valid
 * DRY_RUN config against the embedded simulator. Objects are strict: an unknown key is an error,
 * because a typo (`max_daily_ddd`) must not silently disable a limit (issue 4 point 1).
 * Meaning, unit and playbook section of every key: config-docs.ts and config.example.yaml.
 */

/**
 * A section of keys. An empty section (`executor:` with every key commented out) is YAML null and
 * means "all defaults", like a missing one.
 */
function section<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.preprocess((value) => value ?? {}, z.strictObject(shape, { error: 'expected a mapping of keys' }));
}

export const ENGINE_MODES = ['LIVE', 'DRY_RUN'] as const;
export type EngineMode = (typeof ENGINE_MODES)[number];

export const STRATEGY_NAMES = ['ema_crossover', 'momentum', 'churn'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export const LOG_LEVEL_NAMES = ['INFO', 'WARN', 'CRIT'] as const;

const exchange = section({
  rest_endpoints: urlList(['https:', 'http:'], 'an http(s) base URL', 'http(s) base URLs').default([
    'https://fapi.binance.com',
  ]),
  ws_endpoint: url(['wss:', 'ws:'], 'a ws(s) base URL').default('wss://fstream.binance.com'),
  embedded_simulator: bool().default(true),
  // Binance accepts at most 60000 and recommends ≤ 5000 (reference §2, -1021).
  recv_window_ms: integer(1, 60_000).default(5000),
});

const executor = section({
  timeout_ms: integer(100).default(5000),
  max_order_age_s: seconds().default(300),
  cancel_and_reissue: bool().default(true),
  reissue_max_attempts: integer(0, 10).default(2),
  max_position_pct: fraction('e.g. 0.02 = 2 % of equity').default(0.02),
  max_open_orders: integer(1).default(10),
  slippage_bps: numberBetween(0, 1000, { what: 'basis points from 0 to 1000' }).default(2),
});

const strategy = section({
  name: oneOf(STRATEGY_NAMES).default('ema_crossover'),
  params: freeFormMap('a mapping of strategy parameters').default({}),
});

const tradingEngine = section({
  decision_interval_s: seconds().default(5),
  symbols: symbolList().default(['BTCUSDT', 'ETHUSDT']),
  strategy,
});

const riskManager = section({
  initial_capital: money('an amount of USDT').default(300),
  max_daily_dd: fraction('e.g. 0.02 = 2 % of the day’s starting equity').default(0.02),
});

const logging = section({
  level: oneOf(LOG_LEVEL_NAMES).default('INFO'),
  rotate_max_mb: numberBetween(0, 10_000, { minExclusive: true, what: 'megabytes in (0, 10000]' }).default(50),
  rotate_keep: integer(0, 1000).default(10),
});

const health = section({
  host: nonEmptyText('a host name or IP address').default('127.0.0.1'),
  // 0 asks the OS for a free port (tests, drills).
  port: integer(0, 65_535).default(8000),
});

const websocket = section({
  stale_warn_s: seconds().default(10),
  stale_kill_s: seconds().default(60),
  reconnect_rate_warn_per_hour: integer(1).default(6),
  ping_interval_s: seconds().default(10),
  pong_timeout_s: seconds().default(5),
});

const rest = section({
  error_window_s: seconds().default(60),
  error_threshold: integer(1).default(2),
  max_retries: integer(0, 100).default(3),
  unavailable_escalate_s: seconds().default(120),
});

const mitigation = section({
  enabled: bool().default(false),
  raised_timeout_ms: integer(100).default(7000),
  raised_decision_interval_s: seconds().default(10),
  failover: bool().default(true),
});

const latency = section({
  window_s: seconds().default(60),
  rest_p95_warn_ms: integer(1).default(2000),
  ws_p95_warn_ms: integer(1).default(500),
  mitigation,
});

const reconciliation = section({
  adopt_below_pct: percent('e.g. 0.1 = 0.1 %').default(0.1),
  halt_above_pct: percent('e.g. 1 = 1 %').default(1),
});

const flashCrash = section({
  move_pct: percent('e.g. 10 = 10 %').default(10),
  window_s: seconds().default(60),
  resume_max_move_pct: percent('e.g. 1 = 1 %').default(1),
  resume_wait_s: seconds().default(300),
  kill_switch_on_open_exposure: bool().default(false),
});

const killswitch = section({
  verify_s: seconds().default(30),
});

// `yunmin backtest` (issue 8): the simulated venue's fees and a flat funding rate; slippage is executor.slippage_bps.
const backtest = section({
  maker_fee: numberBetween(0, 0.01, { what: 'a fee FRACTION in [0, 0.01], e.g. 0.0002 = 0.02 %' }).default(0.0002),
  taker_fee: numberBetween(0, 0.01, { what: 'a fee FRACTION in [0, 0.01], e.g. 0.0005 = 0.05 %' }).default(0.0005),
  funding_rate_8h: numberBetween(-0.01, 0.01, { what: 'a FRACTION in [-0.01, 0.01] per 8 h, e.g. 0.0001' }).default(0),
});

const approval = section({
  approver_role: nonEmptyText('a role name, e.g. CTO').default('CTO'),
  dry_run_min_s: seconds().default(3600),
  required: bool().default(true),
});

export const CONFIG_FILE_SCHEMA = z.strictObject(
  {
    mode: oneOf(ENGINE_MODES).default('DRY_RUN'),
    exchange,
    executor,
    trading_engine: tradingEngine,
    risk_manager: riskManager,
    sync_interval_s: seconds().default(5),
    state_dir: nonEmptyText('a directory path').default('./state'),
    logs_dir: nonEmptyText('a directory path').default('./logs'),
    logging,
    health,
    websocket,
    rest,
    latency,
    reconciliation,
    flash_crash: flashCrash,
    killswitch,
    backtest,
    // Playbook §9–10: channels (docs/alert-channels.md) and the escalation matrix (docs/escalation.md).
    alerts: z
      .strictObject({ channels: ALERT_CHANNELS_CONFIG_SCHEMA, escalation: ESCALATION_CONFIG_SCHEMA })
      .default({ channels: [], escalation: ESCALATION_CONFIG_SCHEMA.parse(undefined) }),
    // Playbook §5 step 5: the resumption gate after a kill switch trip (src/engine/approval/).
    approval,
  },
  { error: 'expected a mapping of config sections' },
);

/** The validated file, still in the file's snake_case; code uses `EngineConfig` instead. */
export type ConfigFile = z.output<typeof CONFIG_FILE_SCHEMA>;
