import { DrawdownDetector } from '../engine/detectors/drawdown-detector.ts';
import { FlashCrashDetector } from '../engine/detectors/flash-crash-detector.ts';
import type { EngineControl } from '../engine/engine-control.ts';
import type { EngineSettings } from '../engine/engine-settings.ts';
import type { IncidentManager } from '../engine/incident-manager.ts';
import type { MarketState } from '../engine/market-state.ts';
import type { TradingEngine } from '../engine/trading-engine.ts';
import type { Clock } from '../lib/clock.ts';
import { type Fixed, parseFixed } from '../lib/fixed.ts';
import type { EngineConfig } from './config/engine-config.ts';

/** Config numbers (fractions) as exact decimals. */
export function fixedFromConfig(value: number): Fixed {
  return parseFixed(value.toFixed(8).replace(/\.?0+$/, ''));
}

/** The engine's settings from the config: one mapping for the live engine and the backtest. */
export function engineSettingsFromConfig(config: EngineConfig, mode: 'LIVE' | 'DRY_RUN' = config.mode): EngineSettings {
  return {
    mode,
    symbols: config.tradingEngine.symbols,
    decisionIntervalMs: config.tradingEngine.decisionIntervalS * 1000,
    syncIntervalMs: config.syncIntervalS * 1000,
    maxPositionFraction: fixedFromConfig(config.executor.maxPositionPct),
    maxOpenOrders: config.executor.maxOpenOrders,
    initialCapital: config.riskManager.initialCapital,
    maxDailyDrawdown: fixedFromConfig(config.riskManager.maxDailyDd),
    adoptBelowFraction: fixedFromConfig(config.reconciliation.adoptBelowPct / 100),
  };
}

/**
 * The trading detectors, the ones that watch the market and the account rather than the connection:
 * daily drawdown (§5, trips the kill switch) and flash crash (§7). Built the same way for the live
 * engine and the backtest, so a backtest's incidents are the ones production would have raised.
 */
export function createTradingDetectors(deps: {
  readonly config: EngineConfig;
  readonly engine: TradingEngine;
  readonly market: MarketState;
  readonly clock: Clock;
  readonly incidents: IncidentManager;
  readonly control: EngineControl;
}): { readonly drawdown: DrawdownDetector; readonly flash: FlashCrashDetector } {
  const { config, engine, market, clock, incidents, control } = deps;
  const drawdown = new DrawdownDetector({
    reading: () => engine.drawdown(),
    thresholds: { maxDailyDd: config.riskManager.maxDailyDd },
    clock,
    incidents,
    control,
  });
  const flash = new FlashCrashDetector({
    market,
    symbols: config.tradingEngine.symbols,
    drawdownBreached: () => engine.drawdown()?.breached ?? false,
    hasOpenExposure: () => engine.tracker.positions().some((position) => position.amount !== 0n),
    thresholds: {
      movePct: config.flashCrash.movePct,
      windowMs: config.flashCrash.windowS * 1000,
      killSwitchOnOpenExposure: config.flashCrash.killSwitchOnOpenExposure,
    },
    clock,
    incidents,
    control,
  });
  return { drawdown, flash };
}
