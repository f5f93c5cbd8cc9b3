import { describe, expect, it } from 'vitest';
import { canonicalJson, configHash } from './config-hash.ts';
import { DEFAULT_CONFIG } from './default-config.ts';
import type { EngineConfig } from './engine-config.ts';

describe('configHash', () => {
  const base: EngineConfig = DEFAULT_CONFIG;

  it('key order and bigints → the same canonical text', () => {
    expect(canonicalJson({ b: 1n, a: [1, { d: 2, c: 'x' }] })).toBe('{"a":[1,{"c":"x","d":2}],"b":"1"}');
  });

  it('mode, endpoints, directories or health port differ → same hash', () => {
    const other: EngineConfig = {
      ...base,
      mode: base.mode === 'LIVE' ? 'DRY_RUN' : 'LIVE',
      stateDir: '/elsewhere',
      health: { host: '0.0.0.0', port: 9999 },
      exchange: { ...base.exchange, embeddedSimulator: !base.exchange.embeddedSimulator },
    };
    expect(configHash(other)).toBe(configHash(base));
  });

  it('a strategy parameter, the drawdown limit or the sizing differs → a different hash', () => {
    const strategy: EngineConfig = {
      ...base,
      tradingEngine: {
        ...base.tradingEngine,
        strategy: { ...base.tradingEngine.strategy, params: { ...base.tradingEngine.strategy.params, fast: 999 } },
      },
    };
    const drawdown: EngineConfig = { ...base, riskManager: { ...base.riskManager, maxDailyDd: 0.5 } };
    const sizing: EngineConfig = { ...base, executor: { ...base.executor, maxPositionPct: 0.5 } };
    const hashes = new Set([configHash(base), configHash(strategy), configHash(drawdown), configHash(sizing)]);
    expect(hashes.size).toBe(4);
    expect(configHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});
