import { createChurn } from '../engine/strategies/churn.ts';
import { createEmaCrossover } from '../engine/strategies/ema-crossover.ts';
import { createMomentum } from '../engine/strategies/momentum.ts';
import type { Strategy } from '../engine/strategy.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import type { EngineConfig } from './config/engine-config.ts';

const PARAMS = 'trading_engine.strategy.params';

/** Builds the configured strategy; a bad or unknown parameter names its key path (issue 4 point 1). */
export function createStrategy(config: EngineConfig['tradingEngine']['strategy']): Strategy {
  const params = config.params;
  const number = (key: string, fallback: number, check: (n: number) => boolean, expected: string): number => {
    const value = params[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
      throw new YunminError('CONFIG_INVALID', `${PARAMS}.${key}: expected ${expected}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const allow = (keys: readonly string[]) => {
    for (const key of Object.keys(params)) {
      if (!keys.includes(key)) {
        throw new YunminError(
          'CONFIG_INVALID',
          `${PARAMS}.${key}: unknown parameter for ${config.name} (known: ${keys.join(', ')})`,
        );
      }
    }
  };
  switch (config.name) {
    case 'ema_crossover': {
      allow(['fast', 'slow']);
      const fast = number('fast', 9, (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1');
      const slow = number('slow', 21, (n) => Number.isInteger(n) && n > fast, `an integer > fast (${fast})`);
      return createEmaCrossover({ fast, slow });
    }
    case 'momentum': {
      allow(['lookback', 'threshold_pct']);
      const lookback = number('lookback', 5, (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1');
      const thresholdPct = number('threshold_pct', 0.1, (n) => n >= 0, 'a percent ≥ 0');
      return createMomentum({ lookback, thresholdPct });
    }
    case 'churn': {
      allow(['pattern']);
      const pattern = params.pattern ?? 'alternate';
      if (pattern !== 'alternate' && pattern !== 'long') {
        throw new YunminError(
          'CONFIG_INVALID',
          `${PARAMS}.pattern: expected "alternate" or "long", got ${JSON.stringify(pattern)}`,
        );
      }
      return createChurn(pattern);
    }
    default: {
      const never: never = config.name;
      throw new YunminError('CONFIG_INVALID', `trading_engine.strategy.name: unknown strategy ${String(never)}`);
    }
  }
}
