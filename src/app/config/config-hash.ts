import { createHash } from 'node:crypto';
import type { EngineConfig } from './engine-config.ts';

/**
 * The part of a configuration that decides what the engine trades and how much it risks: strategy
 * and its parameters, symbols, decision interval, sizing, order limits, slippage, the drawdown
 * limit and the flash-crash rule. Playbook §5 step 5 asks that "the fix is tested in backtest":
 * a backtest proves something about a live config only when these are equal. Everything else
 * (mode, endpoints, ports, directories, logging, alert channels, secrets, detector timings that a
 * backtest on a virtual clock cannot exercise) may differ between the backtest and the live run.
 */
export function tradingConfigSubset(config: EngineConfig): Record<string, unknown> {
  return {
    tradingEngine: config.tradingEngine,
    executor: {
      maxPositionPct: config.executor.maxPositionPct,
      maxOpenOrders: config.executor.maxOpenOrders,
      slippageBps: config.executor.slippageBps,
      maxOrderAgeS: config.executor.maxOrderAgeS,
      cancelAndReissue: config.executor.cancelAndReissue,
      reissueMaxAttempts: config.executor.reissueMaxAttempts,
    },
    riskManager: config.riskManager,
    flashCrash: config.flashCrash,
  };
}

/** JSON with sorted keys and bigints (Fixed) as decimal strings: the same config always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** sha256 (hex) of the trading subset: the value a backtest run records and the approval gate compares. */
export function configHash(config: EngineConfig): string {
  return createHash('sha256')
    .update(canonicalJson(tradingConfigSubset(config)))
    .digest('hex');
}
