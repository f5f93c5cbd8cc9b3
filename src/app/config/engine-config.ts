import type { AlertChannelConfig } from '../../adapters/alert-channels/alert-channel-config.ts';
import type { EscalationConfig } from '../../engine/alerting/escalation-matrix.ts';
import { type Fixed, parseFixed } from '../../lib/fixed.ts';
import type { LogLevel } from '../../ports/logger.ts';
import type { ConfigFile, EngineMode, StrategyName } from './config-schema.ts';
import type { Secret } from './secret.ts';

/**
 * The validated config as code sees it: camelCase, read-only, money as `Fixed`. Units stay in the
 * names (`timeoutMs`, `staleKillS`). Fractions vs percents follow the playbook and are documented
 * on each key in config-docs.ts: `maxDailyDd` and `maxPositionPct` are fractions (0.02 = 2 %),
 * every other `…Pct` is a percent (10 = 10 %).
 */
export interface EngineConfig {
  readonly mode: EngineMode;
  readonly exchange: {
    readonly restEndpoints: readonly string[];
    readonly wsEndpoint: string;
    readonly embeddedSimulator: boolean;
    readonly recvWindowMs: number;
  };
  readonly executor: {
    readonly timeoutMs: number;
    readonly maxOrderAgeS: number;
    readonly cancelAndReissue: boolean;
    readonly reissueMaxAttempts: number;
    readonly maxPositionPct: number;
    readonly maxOpenOrders: number;
    readonly slippageBps: number;
  };
  readonly tradingEngine: {
    readonly decisionIntervalS: number;
    readonly symbols: readonly string[];
    readonly strategy: {
      readonly name: StrategyName;
      /** As written in the file (snake_case keys); the strategy validates its own parameters. */
      readonly params: Readonly<Record<string, unknown>>;
    };
  };
  readonly riskManager: {
    readonly initialCapital: Fixed;
    readonly maxDailyDd: number;
  };
  readonly syncIntervalS: number;
  readonly stateDir: string;
  readonly logsDir: string;
  readonly logging: {
    readonly level: LogLevel;
    readonly rotateMaxMb: number;
    readonly rotateKeep: number;
  };
  readonly health: { readonly host: string; readonly port: number };
  readonly websocket: {
    readonly staleWarnS: number;
    readonly staleKillS: number;
    readonly reconnectRateWarnPerHour: number;
    readonly pingIntervalS: number;
    readonly pongTimeoutS: number;
  };
  readonly rest: {
    readonly errorWindowS: number;
    readonly errorThreshold: number;
    readonly maxRetries: number;
    readonly unavailableEscalateS: number;
  };
  readonly latency: {
    readonly windowS: number;
    readonly restP95WarnMs: number;
    readonly wsP95WarnMs: number;
    readonly mitigation: {
      readonly enabled: boolean;
      readonly raisedTimeoutMs: number;
      readonly raisedDecisionIntervalS: number;
      readonly failover: boolean;
    };
  };
  readonly reconciliation: { readonly adoptBelowPct: number; readonly haltAbovePct: number };
  readonly flashCrash: {
    readonly movePct: number;
    readonly windowS: number;
    readonly resumeMaxMovePct: number;
    readonly resumeWaitS: number;
    readonly killSwitchOnOpenExposure: boolean;
  };
  readonly killswitch: { readonly verifyS: number };
  /** `yunmin backtest`: fee fractions and a flat funding rate per 8 h (signed fraction; longs pay when > 0). */
  readonly backtest: { readonly makerFee: number; readonly takerFee: number; readonly fundingRate8h: number };
  readonly alerts: {
    readonly channels: readonly AlertChannelConfig[];
    /** `reviewDueMin` mirrors `config`'s review_due_min; `config` feeds escalationMatrixFromConfig. */
    readonly escalation: { readonly reviewDueMin: number; readonly config: EscalationConfig };
  };
  /** Playbook §5 step 5: what releasing a LIVE kill switch trip requires (src/engine/approval/). */
  readonly approval: { readonly approverRole: string; readonly dryRunMinS: number; readonly required: boolean };
  /** Only from the environment, never from the file; each value prints as "[redacted]". */
  readonly secrets: EngineSecrets;
}

/** Environment variable of each secret. Alert channel tokens (issue 6) are added here. */
export const SECRET_ENVIRONMENT_VARIABLES = {
  binanceApiKey: 'BINANCE_API_KEY',
  binanceApiSecret: 'BINANCE_API_SECRET',
  controlToken: 'YUNMIN_CONTROL_TOKEN',
} as const;

export type SecretName = keyof typeof SECRET_ENVIRONMENT_VARIABLES;
export type EngineSecrets = { readonly [name in SecretName]?: Secret };

/** Every secret value, for the logger's redaction list. */
export function secretValues(secrets: EngineSecrets): string[] {
  return Object.values(secrets)
    .filter((secret): secret is Secret => secret !== undefined)
    .map((secret) => secret.reveal());
}

export function toEngineConfig(file: ConfigFile, secrets: EngineSecrets): EngineConfig {
  const { exchange, executor, trading_engine, risk_manager, logging, websocket, rest, latency } = file;
  return {
    mode: file.mode,
    exchange: {
      restEndpoints: exchange.rest_endpoints,
      wsEndpoint: exchange.ws_endpoint,
      embeddedSimulator: exchange.embedded_simulator,
      recvWindowMs: exchange.recv_window_ms,
    },
    executor: {
      timeoutMs: executor.timeout_ms,
      maxOrderAgeS: executor.max_order_age_s,
      cancelAndReissue: executor.cancel_and_reissue,
      reissueMaxAttempts: executor.reissue_max_attempts,
      maxPositionPct: executor.max_position_pct,
      maxOpenOrders: executor.max_open_orders,
      slippageBps: executor.slippage_bps,
    },
    tradingEngine: {
      decisionIntervalS: trading_engine.decision_interval_s,
      symbols: trading_engine.symbols,
      strategy: { name: trading_engine.strategy.name, params: trading_engine.strategy.params },
    },
    riskManager: {
      // The schema accepted only decimals with ≤ 8 places, so this cannot throw.
      initialCapital: parseFixed(String(risk_manager.initial_capital).trim()),
      maxDailyDd: risk_manager.max_daily_dd,
    },
    syncIntervalS: file.sync_interval_s,
    stateDir: file.state_dir,
    logsDir: file.logs_dir,
    logging: { level: logging.level, rotateMaxMb: logging.rotate_max_mb, rotateKeep: logging.rotate_keep },
    health: { host: file.health.host, port: file.health.port },
    websocket: {
      staleWarnS: websocket.stale_warn_s,
      staleKillS: websocket.stale_kill_s,
      reconnectRateWarnPerHour: websocket.reconnect_rate_warn_per_hour,
      pingIntervalS: websocket.ping_interval_s,
      pongTimeoutS: websocket.pong_timeout_s,
    },
    rest: {
      errorWindowS: rest.error_window_s,
      errorThreshold: rest.error_threshold,
      maxRetries: rest.max_retries,
      unavailableEscalateS: rest.unavailable_escalate_s,
    },
    latency: {
      windowS: latency.window_s,
      restP95WarnMs: latency.rest_p95_warn_ms,
      wsP95WarnMs: latency.ws_p95_warn_ms,
      mitigation: {
        enabled: latency.mitigation.enabled,
        raisedTimeoutMs: latency.mitigation.raised_timeout_ms,
        raisedDecisionIntervalS: latency.mitigation.raised_decision_interval_s,
        failover: latency.mitigation.failover,
      },
    },
    reconciliation: {
      adoptBelowPct: file.reconciliation.adopt_below_pct,
      haltAbovePct: file.reconciliation.halt_above_pct,
    },
    flashCrash: {
      movePct: file.flash_crash.move_pct,
      windowS: file.flash_crash.window_s,
      resumeMaxMovePct: file.flash_crash.resume_max_move_pct,
      resumeWaitS: file.flash_crash.resume_wait_s,
      killSwitchOnOpenExposure: file.flash_crash.kill_switch_on_open_exposure,
    },
    killswitch: { verifyS: file.killswitch.verify_s },
    backtest: {
      makerFee: file.backtest.maker_fee,
      takerFee: file.backtest.taker_fee,
      fundingRate8h: file.backtest.funding_rate_8h,
    },
    alerts: {
      channels: file.alerts.channels,
      escalation: { reviewDueMin: file.alerts.escalation.review_due_min, config: file.alerts.escalation },
    },
    approval: {
      approverRole: file.approval.approver_role,
      dryRunMinS: file.approval.dry_run_min_s,
      required: file.approval.required,
    },
    secrets,
  };
}
